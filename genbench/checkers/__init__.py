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
``check_grid_maze_t2v(frames, GridMazePrompt(...), fps)`` judges a text-to-video grid-maze sample:
the path in the maze drawn, and whether that maze is the one the prompt asked for.
"""

from .maze_reader import GridMazeRead, LayoutNotFound, read_grid_maze
from .maze_t2v import GridMazePrompt, check_grid_maze_t2v
from .maze_verifier import SelfVerdict, follow_agent, verify_from_first_frame

__all__ = ["GridMazePrompt", "GridMazeRead", "LayoutNotFound", "SelfVerdict", "check_grid_maze_t2v", "follow_agent",
           "read_grid_maze", "verify_from_first_frame"]
