"""Checker engines and readers that need only the video (no item state).

``read_grid_maze(frame)`` reads a grid maze from a video's own first frame: the layout a
text-to-video model drew, or a first-frame verifier for test-time selection.
"""

from .maze_reader import GridMazeRead, LayoutNotFound, read_grid_maze

__all__ = ["GridMazeRead", "LayoutNotFound", "read_grid_maze"]
