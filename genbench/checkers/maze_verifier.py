"""A grid-maze verifier that needs only the video: the layout is read from its own first frame
(``read_grid_maze``), then the one marker that moves is followed cell by cell.

It knows nothing of the item (no solution, no skin), so it is *deployable*: a test-time selector may
use it (``--tpo-selector self-verify``). It is stricter about what it can read than the checker —
an unreadable layout, no moving marker or several moving markers are failures, never passes — and
looser about the rest (no sprite shapes, no per-skin colours).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .maze_reader import GridMazeRead, LayoutNotFound, read_grid_maze

HOLD_FRACTION = 0.02  # the agent must sit on the goal for the last 2% of frames (at least two)


@dataclass
class SelfVerdict:
    """Verdict-like (``status``, ``passed``, ``score``, ``failure``, ``message``), plus the track."""

    passed: bool
    score: float  # fraction of the shortest route covered before the first illegal step
    failure: str | None = None
    message: str = ""
    status: str = "ok"
    track: list = field(default_factory=list)  # the moving marker's cell per frame (None: not seen)


def verify_from_first_frame(video, prompt: str = "") -> SelfVerdict:
    """Judge a grid-maze video by the layout of its own first frame: the marker that moves must
    step through open passages one cell at a time, reach the other marker and stay there.
    ``video``: frames (T×H×W×3 uint8 array or a list). ``prompt`` is not needed (kept for the
    selector's signature)."""
    frames = [np.asarray(f) for f in video]
    if len(frames) < 2:
        return SelfVerdict(False, 0.0, "UNREADABLE", "fewer than two frames", status="error")
    try:
        maze = read_grid_maze(frames[0])
    except LayoutNotFound as e:
        return SelfVerdict(False, 0.0, "UNREADABLE", f"no grid maze in the first frame: {e}", status="error")
    if len(maze.markers) < 2:
        return SelfVerdict(False, 0.0, "UNREADABLE", "the first frame shows no agent and goal markers",
                           status="error")
    markers = sorted(maze.markers, key=lambda m: -m.area)[:2]
    tracks = [[_cell_of_colour(maze, f, m.colour) for f in frames] for m in markers]
    moved = [len({c for c in t if c is not None}) > 1 for t in tracks]
    if not any(moved):
        return SelfVerdict(False, 0.0, "STATIC", "no marker moves", track=tracks[0])
    if all(moved):
        return SelfVerdict(False, 0.0, "LAYOUT_CHANGED", "both markers move: no fixed goal", track=tracks[0])
    agent, goal = (0, 1) if moved[0] else (1, 0)
    track, goal_cell = tracks[agent], markers[goal].cell
    start = markers[agent].cell
    best = int(maze.distances(start)[goal_cell])
    if best < 0:
        return SelfVerdict(False, 0.0, "UNREADABLE", "the goal cannot be reached in the layout read",
                           track=track)
    dist_to_goal = maze.distances(goal_cell)
    here, progress = start, 0.0
    for t, cell in enumerate(track[1:], 1):
        if cell is None or cell == here:
            continue
        if cell not in maze.neighbours(*here):
            code = "TELEPORT" if abs(cell[0] - here[0]) + abs(cell[1] - here[1]) > 1 else "WALL_CROSSING"
            return SelfVerdict(False, progress, code, f"frame {t}: from row {here[0]}, column {here[1]} to row "
                               f"{cell[0]}, column {cell[1]}", track=track)
        here = cell
        if best:
            progress = max(progress, 1.0 - dist_to_goal[here] / best)
    held = _forward_fill(track)  # unseen for a frame: where it was last seen (e.g. over the goal)
    hold = max(2, int(round(HOLD_FRACTION * len(track))))
    if any(c != goal_cell for c in held[-hold:]):
        return SelfVerdict(False, progress, "GOAL_NOT_REACHED" if goal_cell not in track else "GOAL_NOT_HELD",
                           "the agent does not end on the goal", track=track)
    return SelfVerdict(True, 1.0, track=track)


def _forward_fill(track: list) -> list:
    out, last = [], None
    for c in track:
        last = c if c is not None else last
        out.append(last)
    return out


def _cell_of_colour(maze: GridMazeRead, frame: np.ndarray, colour) -> tuple[int, int] | None:
    """Cell of the largest blob of ``colour`` in ``frame`` (None if there is none)."""
    d = np.linalg.norm(frame.astype(np.float32) - np.asarray(colour, np.float32), axis=2)
    mask = (d < 40).astype(np.uint8)
    n, _, stats, cents = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n < 2:
        return None
    k = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return maze.cell_of(*cents[k])
