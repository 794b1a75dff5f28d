"""Text-to-video judging of grid mazes: the model drew its own maze, so the layout is read from the
video's first frame (``read_grid_maze``) and the agent's path is checked in *that* layout — legal
moves through open passages, goal reached and held, a shortest route there. Whether the maze drawn is
the one the prompt asked for (its size, a path from start to goal; where agent and goal sit) is
reported apart, as metrics and the failure code ``LAYOUT_MISMATCH``.

The checker is given the prompt's constraints as plain data (``GridMazePrompt``), never the item:
what it knows is what the model was told. A first frame it cannot read as a grid maze with an agent
and a goal is ``NOT_JUDGED`` with the reason, never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Iterable

import numpy as np

from ..schema import Verdict
from .maze_reader import GridMazeRead, LayoutNotFound, read_grid_maze
from .maze_verifier import follow_agent

CHECKER = "maze-reader"
VERSION = "6"  # 2: floor shades are no markers; an agent unseen for frames, or behind a stale copy, is bridged;
# 3: an agent unseen over the goal, which shows something drawn over it, is there; walls that hung from an
# outer wall pushed out of view are still walls; 4: moves a frame may hold follow the walker's own pace (fps 8);
# 5: a marker is read by its mixes with the floor too (motion blur, ghosting, a pale agent at CRF 40), a
# codec's copy flickering behind the agent is no jump back, and a pale marker is looked for closer to the floor;
# 6: the agent's blob centre is judged in the read layout (sub-cell): a centre a quarter of a corridor width (EXCURSION) into a wall
# for two frames is a wall crossing, a walker read either side of a cell's edge is followed along the corridors
# at its own pace, and a second agent that stays is AGENT_DUPLICATED
LAYOUT_CHECKS_PER_SECOND = 2  # the layout is read again this often; a change must show in two reads running


@dataclass(frozen=True)
class GridMazePrompt:
    """What a text-to-video prompt asks for: a rows×cols maze, the agent's and goal's cells (0-based)."""

    rows: int
    cols: int
    start: tuple[int, int]
    goal: tuple[int, int]


def check_grid_maze_t2v(frames: Iterable[np.ndarray], prompt: GridMazePrompt, fps: float,
                        version: str = VERSION) -> Verdict:
    """Judge a text-to-video grid-maze video (decoded RGB frames) against the layout it drew."""
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        return Verdict.error(CHECKER, "the video has no frames", version)
    try:
        maze = read_grid_maze(np.asarray(first))
    except LayoutNotFound as e:
        return _not_judged(f"no grid maze could be read in the first frame ({e})", version)
    if len(maze.markers) < 2:
        return _not_judged(f"a {maze.rows}×{maze.cols} maze was read but no agent and goal markers in it", version)
    watch = _LayoutWatch(maze, every=max(1, int(round(fps / LAYOUT_CHECKS_PER_SECOND))))
    run = follow_agent(maze, chain([first], (watch.see(i, f) for i, f in enumerate(frames, 1))))
    watch.finish()
    if run.status == "error":
        return _not_judged(run.message, version)

    constraints = _constraints(maze, prompt, run)
    path = run.path
    best = int(maze.distances(run.start)[run.goal]) if run.start is not None else -1
    dist = maze.distances(run.goal) if run.goal is not None else None
    optimal = run.passed and best >= 0 and len(path) - 1 == best and all(
        dist[b] == dist[a] - 1 for a, b in zip(path, path[1:]))
    events = []  # (frame, code, message); the first in time explains the failure
    if run.failure and run.failure != "UNREADABLE":  # UNREADABLE here: no path, a LAYOUT_MISMATCH below
        events.append((len(run.track) if run.frame is None else run.frame, run.failure, run.message))
    if watch.changed_at is not None:
        events.append((watch.changed_at, "LAYOUT_CHANGED", watch.message))
    if run.passed and not optimal:
        events.append((len(run.track), "NOT_OPTIMAL", f"the goal was reached in {len(path) - 1} moves; the maze "
                                                      f"drawn allows {best}"))
    events.sort(key=lambda e: e[0])
    legal = not any(code in ("TELEPORT", "WALL_CROSSING", "LAYOUT_CHANGED") for _, code, _ in events)
    exact = run.passed and not events
    why = constraints.pop("why")
    if not constraints["prompt_followed"]:  # visible from frame 0: before anything the agent does
        events.insert(0, (0, "LAYOUT_MISMATCH", why))
    passed = exact and not events
    first_error, failure, message = events[0] if events else (None, None, "")
    metrics = {
        **constraints, "goal_reached_held": float(run.passed), "reached": float(run.goal is not None and run.goal in run.track),
        "legal": float(legal), "optimal": float(optimal), "exact": float(exact), "progress": round(run.score, 4),
        "moves": max(len(path) - 1, 0), "shortest": best, "frames": len(run.track),
    }
    evidence = {"rows": maze.rows, "cols": maze.cols, "grid": maze.block_grid().tolist(),
                "start": list(run.start) if run.start else None, "goal": list(run.goal) if run.goal else None,
                "cells": [list(c) if c else None for c in run.track], "fps": fps}
    return Verdict(checker=CHECKER, status="ok", passed=passed, score=1.0 if passed else round(run.score, 4),
                   metrics=metrics, failure=failure, first_error_frame=first_error, message=message,
                   evidence=evidence, version=version)


def _not_judged(why: str, version: str) -> Verdict:
    return Verdict.error(CHECKER, f"text-to-video maze not judged: {why}", version, failure="NOT_JUDGED")


def _constraints(maze: GridMazeRead, prompt: GridMazePrompt, run) -> dict:
    """Does the maze drawn match the prompt? Size and a path between the two markers decide
    (``prompt_followed``); whether the agent and goal were drawn where the prompt puts them is
    reported beside. When no marker moved (which is the agent is unknown), the markers' cells are
    compared with the prompt's in either order."""
    a, b = (m.cell for m in sorted(maze.markers, key=lambda m: -m.area)[:2])  # follow_agent's two markers
    start, goal = (run.start, run.goal) if run.start is not None else (a, b)
    known = run.start is not None
    size = (maze.rows, maze.cols) == (prompt.rows, prompt.cols)
    path = maze.distances(start)[goal] >= 0
    why = []
    if not size:
        why.append(f"the prompt asks for a {prompt.rows}×{prompt.cols} maze; the video draws {maze.rows}×{maze.cols}")
    if not path:
        why.append("no path leads from the agent to the goal in the maze drawn")
    return {"size_as_prompted": float(size),
            "path_exists": float(path), "prompt_followed": float(size and path),
            "start_as_prompted": float(start == tuple(prompt.start) if known else tuple(prompt.start) in (a, b)),
            "goal_as_prompted": float(goal == tuple(prompt.goal) if known else tuple(prompt.goal) in (a, b)),
            "why": "; ".join(why)}


class _LayoutWatch:
    """Reads the layout again every ``every`` frames (and at the last): a maze that differs from the
    first frame's in two reads running — another grid, or none to read — is a changed layout. One
    read alone may be a frame the model smeared; two running is what a viewer would call a change."""

    def __init__(self, maze: GridMazeRead, every: int):
        self.grid, self.every = maze.block_grid(), every
        self.changed_at: int | None = None
        self.message = ""
        self._run: list[tuple[int, str]] = []  # differing reads in a row: (frame, what)
        self._last: tuple[int, np.ndarray] | None = None
        self._cut = False  # the last read maze reached past the frame's edge (a camera zooming or panning)

    def see(self, i: int, frame: np.ndarray) -> np.ndarray:
        if i % self.every == 0:
            self._check(i, frame)
            self._last = None
        else:
            self._last = (i, frame)
        return frame

    def finish(self) -> None:
        if self._last is not None:
            self._check(*self._last)

    def _check(self, i: int, frame: np.ndarray) -> None:
        if self.changed_at is not None:
            return
        frame = np.asarray(frame)
        try:
            read = read_grid_maze(frame)
        except LayoutNotFound as e:
            if self._cut:  # the camera was pushing the maze out of view: what is left is not a whole maze
                return
            diff = f"the maze can no longer be read at frame {i} ({e})"
        else:
            grid, seen = read.block_grid(), _in_view(read, frame.shape)
            self._cut = not seen.all()
            if grid.shape != self.grid.shape:
                if self._cut:  # cells cut off by the frame's edge are not counted right
                    return
                diff = f"the maze read at frame {i} is {(grid.shape[0] - 1) // 2}×{(grid.shape[1] - 1) // 2}"
            else:
                n = int(((grid != self.grid) & seen).sum())
                diff = f"{n} wall block(s) differ at frame {i} from the first frame's maze" if n else None
        if diff is None:
            self._run.clear()
            return
        self._run.append((i, diff))
        if len(self._run) >= 2:
            self.changed_at, self.message = self._run[0][0], self._run[0][1]


def _in_view(read: GridMazeRead, shape) -> np.ndarray:
    """Which blocks of ``read.block_grid()`` can be judged: where the maze reaches past the frame's edge
    (a camera zooming or panning), the reader puts the lost outer wall back at the edge, so the last cell
    row or column there and its walls are read from a guess; they are left out."""
    h, w = shape[:2]
    x0, y0, x1, y1 = read.box
    seen = np.ones((2 * read.rows + 1, 2 * read.cols + 1), bool)
    if x0 < 0:
        seen[:, :3] = False
    if x1 > w:
        seen[:, -3:] = False
    if y0 < 0:
        seen[:3] = False
    if y1 > h:
        seen[-3:] = False
    return seen
