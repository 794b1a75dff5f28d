"""A grid-maze verifier that needs only the video: the layout is read from its own first frame
(``read_grid_maze``), then the one marker that moves is followed cell by cell.

It knows nothing of the item (no solution, no skin), so it is *deployable*: a test-time selector may
use it (``--tpo-selector self-verify``). It is stricter about what it can read than the checker —
an unreadable layout, no moving marker or several moving markers are failures, never passes — and
looser about the rest (no sprite shapes, no per-skin colours).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain

import cv2
import numpy as np

from ..vision.lut import UNKNOWN, bin_centres, quantise, segment_distance
from .events import missed_moves, walker_pace
from .maze_corridor import beyond_corridor, corridor_distance, layout_point
from .maze_reader import GridMazeRead, LayoutNotFound, _off_blend, read_grid_maze

HOLD_FRACTION = 0.02  # the agent must sit on the goal for the last 2% of frames (at least two)
# The agent over the goal, a small sprite at CRF 40, blends into a colour that is neither's: the goal's
# cell then shows more pixels off every blend of floor, wall and goal (by a tenth of the floor–wall
# distance) than in the first frame, at least this share of the agent's area.
COVER_SHARE = 0.5
# A blob on a cell behind the agent that showed in one of the last STALE frames, where the agent
# cannot be now, is a codec's copy of it left behind (CRF 40 flickers it in and out), not a jump back.
STALE = 4
NEAR = 40.0  # RGB units: how far compression moves a marker's colour (or its blends with the floor)
# The agent's centre this far past the corridors' edge (in corridor widths: the floor between the read
# walls) in EXCURSION_FRAMES sightings running has gone into a wall, though it never reached another
# cell. Ground truth keeps its centre on the corridor's middle line, half a width from the edge, and the
# camera drift of validate's must-pass clips (2% zoom, 1.5% pan, 2 px shake: at most half a corridor on
# the thickest walls) keeps it inside (0.00 on every must-pass clip of bench_maze_reader's hard skins). A
# centre drawn 0.35 past the edge reads 0.33–0.41 (a small sprite's blob is cut by the codec; on thin
# walls it reaches the next cell, a crossing at cell level): the line
# sits below 0.3 by that reading error, so an excursion of 0.3 is caught.
EXCURSION, EXCURSION_FRAMES = 0.25, 2
# A walker read half way between cells, on one side of a cell's edge and then past the next one, rounds
# to two cells in a frame. Where the cells do not explain a sighting, the centres do: the way along the
# corridors from the last centre to this one, per frame, within GLIDE times the walker's own pace (its
# cruising distance per frame, ``walker_pace``), is a move; a skip of two cells in a video that walks a
# third of a cell a frame is six times its pace, and a teleport.
GLIDE = 1.6
# A second blob of the agent's colour, at least half the agent's first blob, on one cell in DUPLICATE_FRAMES
# frames running while another shows elsewhere is a second agent (AGENT_DUPLICATED): a codec's stale copy
# flickers in and out, ghosting and motion blur trail the agent and move on with it.
DUPLICATE_AREA, DUPLICATE_FRAMES = 0.5, 12


@dataclass
class SelfVerdict:
    """Verdict-like (``status``, ``passed``, ``score``, ``failure``, ``message``), plus the track."""

    passed: bool
    score: float  # fraction of the shortest route covered before the first illegal step
    failure: str | None = None
    message: str = ""
    status: str = "ok"
    track: list = field(default_factory=list)  # the moving marker's cell per frame (None: not seen)
    frame: int | None = None  # the first frame that shows the failure
    start: tuple[int, int] | None = None  # the moving marker's cell in the first frame
    goal: tuple[int, int] | None = None  # the cell of the marker that stays
    path: list = field(default_factory=list)  # cells the agent stepped through, start first


def verify_from_first_frame(video, prompt: str = "") -> SelfVerdict:
    """Judge a grid-maze video by the layout of its own first frame: the marker that moves must
    step through open passages one cell at a time, reach the other marker and stay there.
    ``video``: frames (T×H×W×3 uint8 array, a list or any iterable). ``prompt`` is not needed (kept
    for the selector's signature)."""
    frames = iter(video)
    first = next(frames, None)
    if first is None:
        return SelfVerdict(False, 0.0, "UNREADABLE", "no frames", status="error")
    try:
        maze = read_grid_maze(np.asarray(first))
    except LayoutNotFound as e:
        return SelfVerdict(False, 0.0, "UNREADABLE", f"no grid maze in the first frame: {e}", status="error")
    return follow_agent(maze, chain([first], frames))


def follow_agent(maze: GridMazeRead, frames) -> SelfVerdict:
    """Follow the marker that moves through ``frames`` (the first included) in the layout ``maze``
    read from the first frame; frames are looked at one by one (a long video is never held whole)."""
    if len(maze.markers) < 2:
        return SelfVerdict(False, 0.0, "UNREADABLE", "the first frame shows no agent and goal markers",
                           status="error")
    markers = sorted(maze.markers, key=lambda m: -m.area)[:2]
    seen_cells: list[list] = [[], []]  # per marker and frame: the cells of its colour's blobs, largest first
    seen_points: list[list] = [[], []]  # per marker and frame: {cell: its largest blob's (row, col, area)}
    foreign: list[list] = [[], []]  # per marker and frame: pixels of its cell that are not its own
    shows = _marker_lut(maze, markers)
    for f in frames:
        f = np.asarray(f)
        classes = _marker_classes(maze, f, shows)
        for k, t in enumerate(seen_cells):
            points = _blob_points(maze, classes == k)
            t.append(list(points))
            seen_points[k].append(points)
        for t, m in zip(foreign, markers):
            t.append(_foreign_px(maze, f, m))
    tracks = [[c[0] if c else None for c in t] for t in seen_cells]
    if len(tracks[0]) < 2:
        return SelfVerdict(False, 0.0, "UNREADABLE", "fewer than two frames", status="error")
    moved = [len({c for c in t if c is not None}) > 1 for t in tracks]
    if not any(moved):
        return SelfVerdict(False, 0.0, "STATIC", "no marker moves", track=tracks[0], frame=0)
    if all(moved):
        return SelfVerdict(False, 0.0, "LAYOUT_CHANGED", "both markers move: no fixed goal", track=tracks[0],
                           frame=0)
    agent, goal = (0, 1) if moved[0] else (1, 0)
    track, goal_cell = tracks[agent], markers[goal].cell
    start = markers[agent].cell
    seen = dict(track=track, start=start, goal=goal_cell)
    best = int(maze.distances(start)[goal_cell])
    if best < 0:
        return SelfVerdict(False, 0.0, "UNREADABLE", "the goal cannot be reached in the layout read", frame=0,
                           **seen)
    dist_to_goal = maze.distances(goal_cell)
    # unseen, yet something neither floor nor goal covers the goal: the agent over it
    over = [n - foreign[goal][0] >= COVER_SHARE * markers[agent].area for n in foreign[goal]]
    sightings = [cells or ([goal_cell] if o else []) for cells, o in zip(seen_cells[agent], over)]
    track = [c[0] if c else None for c in sightings]
    seen["track"] = track
    # moves one frame may hold: the walker's own pace, as the i2v engines measure it (``walker_pace``,
    # in cells per frame): one at a model's usual pace, two where a low frame rate (8 fps) packs two
    # moves into a frame, so a pace of its own is no teleport while a jump beyond it still is
    pace = walker_pace([None if c is None else (float(c[1]), float(c[0])) for c in track], 1.0)[3]
    per_frame = max(1, int(np.ceil(pace - 0.05))) if pace else 1
    points = seen_points[agent]
    centre_pace = walker_pace([p[c[0]] if c else None for p, c in zip(points, seen_cells[agent])], 1.0)[3]
    here, path, seen_at, at = start, [start], 0, points[0].get(start)
    out: list = []  # the sightings running whose centre is past the corridors' edge: (frame, how far)
    undo = None  # the last sighting's other readings: (path length before it, [(other cell, steps to it)])
    for t, cells in enumerate(sightings[1:], 1):
        if not cells:
            continue
        cell, gap = cells[0], t - seen_at
        reach = gap * per_frame
        steps = _steps(maze, here, cell, reach)
        if steps is None:
            # the largest blob jumped, but a smaller one is where the agent can be: a codec's stale copy
            # of the agent left behind, or the agent itself fading under compression. Where it stays,
            # the frame is no sighting (the agent may be on its way, unseen); where it moved, it moved
            other = next((c for c in cells[1:] if _steps(maze, here, c, reach) is not None), None)
            if other == here:
                continue
            if other is not None:
                cell, steps = other, _steps(maze, here, other, reach)
        if steps is None and undo:
            # the last sighting took a stale copy (the largest blob there) over the agent ahead of it: the
            # agent was where a smaller blob was, if this sighting is a legal step on from there
            n, others = undo
            for c, to_c in others:
                on = _steps(maze, c, cell, reach)
                if on is not None:
                    del path[n:]
                    path.extend(to_c)
                    here, steps = c, on
                    break
        point = points[t].get(cell)
        if steps is None and centre_pace and at is not None and point is not None:
            # the cells jumped, the centres did not: a walker read either side of a cell's edge
            along = corridor_distance(maze, here, at, cell, point)
            if along <= GLIDE * centre_pace * gap:
                steps = _steps(maze, here, cell, int(maze.distances(here)[cell]))
        if steps is None and cell != here and cell in path and _seen_at(cell, sightings[max(t - STALE, 0):t]):
            continue  # seen there just before, behind the agent: a codec's stale copy of it, flickering
        if steps is None:
            code = "TELEPORT" if abs(cell[0] - here[0]) + abs(cell[1] - here[1]) > 1 else "WALL_CROSSING"
            return SelfVerdict(False, _progress(path, dist_to_goal, best), code, f"frame {t}: from row "
                               f"{here[0] + 1}, column {here[1] + 1} to row {cell[0] + 1}, column {cell[1] + 1}",
                               frame=t, path=path, **seen)
        # a smaller blob ahead (on no cell walked yet) where the agent can be: it may be the agent
        undo = (len(path), [(c, s) for c in cells if c != cell and c not in path
                            for s in [_steps(maze, here, c, reach)] if s])
        seen_at, at = t, point
        path.extend(steps)
        here = path[-1]
        into = beyond_corridor(maze, point) if point is not None else 0.0
        out = out + [(t, into)] if into >= EXCURSION else []
        if len(out) >= EXCURSION_FRAMES:
            return SelfVerdict(False, _progress(path, dist_to_goal, best), "WALL_CROSSING",
                               f"frame {out[0][0]}: the agent's centre goes {max(d for _, d in out):.2f} corridor "
                               f"widths past the corridor's edge into a wall, in row {here[0] + 1}, column "
                               f"{here[1] + 1}", frame=out[0][0], path=path, **seen)
    progress = _progress(path, dist_to_goal, best)
    t0, copy, frames = duplicate_run(points)
    if frames >= DUPLICATE_FRAMES:
        return SelfVerdict(False, progress, "AGENT_DUPLICATED", f"frame {t0}: a second agent stands in row "
                           f"{copy[0] + 1}, column {copy[1] + 1} for {frames} frames while the agent walks on",
                           frame=t0, path=path, **seen)
    held = _forward_fill(track)  # unseen for a frame: where it was last seen (e.g. over the goal)
    hold = max(2, int(round(HOLD_FRACTION * len(track))))
    if any(c != goal_cell for c in held[-hold:]):
        return SelfVerdict(False, progress, "GOAL_NOT_REACHED" if goal_cell not in track else "GOAL_NOT_HELD",
                           "the agent does not end on the goal", path=path, **seen)
    return SelfVerdict(True, 1.0, path=path, **seen)


def duplicate_run(points: list) -> tuple[int, tuple | None, int]:
    """The longest run of frames in which one cell shows a blob of the agent's colour at least
    DUPLICATE_AREA of the agent's first blob while another such blob shows on another cell: a second
    agent standing there (first frame, cell, frames). A codec's stale copy flickers, a ghost trails the
    agent and moves on with it: neither stays on one cell beside the agent for long."""
    ref = max((p[2] for p in points[0].values()), default=0) if points else 0
    best, run = (0, None, 0), {}
    for t, frame in enumerate(points):
        big = {c for c, p in frame.items() if p[2] >= DUPLICATE_AREA * ref}
        run = {c: run.get(c, t) for c in big} if len(big) >= 2 else {}
        for c, t0 in run.items():
            if t - t0 + 1 > best[2]:
                best = (t0, c, t - t0 + 1)
    return best


def _seen_at(cell: tuple, sightings: list) -> bool:
    return any(cell in cells for cells in sightings)


def _progress(path: list, dist_to_goal: np.ndarray, best: int) -> float:
    """The fraction of the shortest route covered: the nearest the path came to the goal."""
    return max(1.0 - dist_to_goal[c] / best for c in path) if best else 0.0


def _steps(maze: GridMazeRead, a: tuple, b: tuple, gap: int) -> list | None:
    """The cells the agent steps through from ``a`` to be seen at ``b`` at most ``gap`` moves after it was
    last seen ([] where it stayed), or None where no legal move explains it."""
    if b == a:
        return []
    if b in maze.neighbours(*a):
        return [b]
    path = missed_moves(lambda c: maze.neighbours(*c), a, b, gap) if gap > 1 else None
    return None if path is None else path[1:]


def _foreign_px(maze: GridMazeRead, frame: np.ndarray, marker) -> int:
    """Pixels of ``marker``'s cell (as in the first frame) off every blend of floor, wall and the
    marker's colour: something else drawn over it."""
    x0, y0 = maze.box[:2]
    px, py = maze.pitch
    r, c = marker.cell
    cx0, cy0 = max(int(x0 + maze.wall_px + c * px), 0), max(int(y0 + maze.wall_px + r * py), 0)
    cell = np.asarray(frame[cy0:int(y0 + (r + 1) * py) + 1, cx0:int(x0 + (c + 1) * px) + 1], np.float32)
    if not cell.size or not maze.wall_rgb:
        return 0
    wall, colour = maze.wall_rgb, marker.colour
    gap = min(float(np.linalg.norm(np.subtract(f, wall))) for f in maze.floor_rgbs)
    off = np.full(cell.shape[:2], np.inf, np.float32)
    for a, b in [(f, wall) for f in maze.floor_rgbs] + [(colour, f) for f in maze.floor_rgbs] + [(colour, wall)]:
        off = np.minimum(off, _off_blend(cell, a, b))
    return int((off > 0.1 * gap).sum())


def _forward_fill(track: list) -> list:
    out, last = [], None
    for c in track:
        last = c if c is not None else last
        out.append(last)
    return out


def _marker_lut(maze: GridMazeRead, markers) -> np.ndarray:
    """Per colour bin (``vision.lut``): the index of the marker it shows, or UNKNOWN. A marker shows
    its colour (as the first frame drew it) and every mix of it with the floor at least halfway
    to it: a sprite smeared by motion blur, ghosting or a codec blends with the floor it crosses
    (60% of its colour under motion blur, 75% under ghosting; a pale agent at CRF 40 drifts towards
    the floor), while the trail it leaves behind is mostly floor. A bin is a marker's where that
    marker's mixes are its nearest colours (nearer than the other marker's, and than every mix of
    floor and wall, the floor tones among them) and within ``NEAR`` of them."""
    c = bin_centres()
    floors = [np.asarray(f, np.float32) for f in maze.floor_rgbs]
    layout = [np.asarray(maze.wall_rgb, np.float32), *floors] if maze.wall_rgb else floors
    d_layout = np.full(len(c), np.inf, np.float32)
    for i, a in enumerate(layout):
        for b in layout[i + 1:]:
            d_layout = np.minimum(d_layout, segment_distance(c, a, b))
    own = np.full((len(c), len(markers)), np.inf, np.float32)
    for k, m in enumerate(markers):
        m = np.asarray(m.colour, np.float32)
        for f in floors or [m]:
            own[:, k] = np.minimum(own[:, k], segment_distance(c, (f + m) / 2, m))
    k = own.argmin(1)
    d = own[np.arange(len(c)), k]
    return np.where((d < NEAR) & (d < d_layout), k, UNKNOWN).astype(np.uint8)


def _marker_classes(maze: GridMazeRead, frame: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """The marker index (or UNKNOWN) of every pixel of the maze's box in ``frame``."""
    x0, y0, x1, y1 = (int(round(v)) for v in maze.box)
    return lut[quantise(frame[max(y0, 0):y1, max(x0, 0):x1])]


def _blob_points(maze: GridMazeRead, mask: np.ndarray) -> dict[tuple[int, int], tuple[float, float, int]]:
    """Cells of the blobs of ``mask`` (the maze's box), largest blob first, each with its largest blob's
    centre (``layout_point``: row, col) and area in pixels; blobs under a fifth of the largest's area are
    specks, left out."""
    x0, y0 = (max(int(round(v)), 0) for v in maze.box[:2])
    n, _, stats, cents = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    area = stats[1:, cv2.CC_STAT_AREA]
    out = {}
    for k in 1 + np.argsort(-area, kind="stable"):
        if stats[k, cv2.CC_STAT_AREA] < 0.2 * area.max():
            break
        x, y = x0 + cents[k][0], y0 + cents[k][1]
        cell = maze.cell_of(x, y)
        if cell is not None and cell not in out:
            out[cell] = (*layout_point(maze, x, y), int(stats[k, cv2.CC_STAT_AREA]))
    return out
