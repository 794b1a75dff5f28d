"""Checker engines: each follows a video frame by frame against a *spec* its task family builds
(trajectory: a RegionMap; stroke: a StrokeMap; sokoban: a SokobanScene; board: board cells and Rules;
pointer/tile: a PointerSpec/TileSpec; process: a Game) and returns a Verdict; ``events`` holds what they
share (events, order of blame, the verdict). Checkers read frames through ``genbench.vision`` and never
import a task module.

Readers that need only the video (no item state):
``read_grid_maze(frame)`` reads a grid maze from a video's own first frame: the layout a
text-to-video model drew, or a first-frame verifier for test-time selection.
``verify_from_first_frame(video)`` judges a grid-maze video against that layout alone: the
deployable self-verifier of ``--tpo-selector self-verify``.
"""

from .maze_reader import GridMazeRead, LayoutNotFound, read_grid_maze
from .maze_verifier import SelfVerdict, verify_from_first_frame

__all__ = ["GridMazeRead", "LayoutNotFound", "SelfVerdict", "read_grid_maze", "verify_from_first_frame"]
