"""A graph maze's must-fail perturbations (genbench validate): wall crossings, skipped cells, stopping
short, leaving the goal, a layout that changes."""

from __future__ import annotations

import cv2
import numpy as np

from ...geometry import arclength
from ...schema import TaskItem
from ..base import TaskFamily  # a GraphMaze (not imported: graphmaze imports this module)
from .graph_draw import skin_from_json
from .graph_layout import along
from .graph_raster import pts as _pts

def _clip(fam: TaskFamily, item: TaskItem, positions):
    from ...perturb import canvas_clip

    return canvas_clip(fam, item, fam.frames_at(item, positions))


def _node_dist(state: dict, a: int, b: int) -> float:
    xy = state["lattice"]["node_xy"]
    return float(np.hypot(xy[a][0] - xy[b][0], xy[a][1] - xy[b][1]))


def _walled_step(fam: TaskFamily, state: dict):
    """(i, target xy): from the i-th solution node, a straight walk that crosses only wall — into a
    walled lattice neighbour, or (roads) deep into the ground beside the road."""
    sol = state["solutions"][0]
    lat = state["lattice"]
    _, lab, _, _ = fam._scene(state)
    n = len(lat["node_xy"])
    is_open = np.array(state["open"], bool)
    edge_id = np.cumsum(is_open) - 1 + n
    on_path = set(sol)
    H, W = lab.shape

    def clean(a: int, x0, y0, x1, y1, allowed: set) -> bool:
        t = np.linspace(0, 1, 200)
        xs, ys = np.round(x0 + (x1 - x0) * t).astype(int), np.round(y0 + (y1 - y0) * t).astype(int)
        if xs.min() < 0 or ys.min() < 0 or xs.max() >= W or ys.max() >= H:
            return False
        vals = lab[ys, xs]
        return set(vals.tolist()) <= allowed and bool((vals == -1).any())

    for i, a in enumerate(sol[:-1]):
        own = {int(edge_id[k]) for k, p in enumerate(lat["pairs"]) if is_open[k] and a in p}
        for k, (p, q) in enumerate(lat["pairs"]):
            if is_open[k] or a not in (p, q):
                continue
            c = q if p == a else p
            if c not in on_path and clean(a, *lat["node_xy"][a], *lat["node_xy"][c], {-1, a, c} | own):
                return i, tuple(lat["node_xy"][c])
    if lat["style"] == "roads":
        from scipy import ndimage

        depth = ndimage.distance_transform_edt(lab < 0)
        need = 1.5 * lat["draw"]["road_px"]
        for i, a in enumerate(sol[:-1]):
            own = {int(edge_id[k]) for k, p in enumerate(lat["pairs"]) if is_open[k] and a in p}
            x0, y0 = lat["node_xy"][a]
            for ang in np.linspace(0, 2 * np.pi, 24, endpoint=False):
                for dist in np.arange(lat["draw"]["node_r"], 4 * lat["cell_px"], 2.0):
                    x1, y1 = x0 + dist * np.cos(ang), y0 + dist * np.sin(ang)
                    if not (0 <= x1 < W and 0 <= y1 < H):
                        break
                    if depth[int(round(y1)), int(round(x1))] >= need:
                        if clean(a, x0, y0, x1, y1, {-1, a} | own):
                            return i, (float(x1), float(y1))
                        break
    return None


def _wall_crossing(fam, item, rng):
    s = item.state
    found = _walled_step(fam, s)
    if found is None:
        raise RuntimeError(f"{item.id}: no straight walk through a wall found")
    i, target = found
    sol = s["solutions"][0]
    xy = s["lattice"]["node_xy"]
    pos = fam.plan(s, sol[:i + 1], hold=0, lead=6) if i else [tuple(xy[sol[0]])] * 6
    dist = float(np.hypot(target[0] - xy[sol[i]][0], target[1] - xy[sol[i]][1]))
    n = max(6, int(np.ceil(dist / fam.step_length(s) * fam.frames_per_step * 1.5)))
    pos += along(np.array([xy[sol[i]], target], np.float64), n) + [tuple(target)] * fam.hold_frames
    return _clip(fam, item, pos)


def _skip(fam, item, rng):
    s = item.state
    sol = s["solutions"][0]
    step = min(_node_dist(s, a, b) for a, b in s["lattice"]["pairs"])
    j = next((j for j in range(2, len(sol)) if _node_dist(s, sol[0], sol[j]) >= 1.5 * step), len(sol) - 1)
    pos = [tuple(s["lattice"]["node_xy"][sol[0]])] * 8 + fam.plan(s, sol[j:])
    return _clip(fam, item, pos)


def _stop_short(fam, item, rng):
    s = item.state
    sol = s["solutions"][0]
    return _clip(fam, item, fam.plan(s, sol[:max(2, len(sol) - 2)]))


def _leave(fam, item, rng):
    s = item.state
    sol = s["solutions"][0]
    return _clip(fam, item, fam.plan(s, sol + [sol[-2]]))


def _layout(fam, item, rng, fade: int = 0):
    """The oracle, but a third of the way in a wall opens (or a new road appears) away from the path;
    with ``fade``, gradually over that many frames."""
    from ...perturb import canvas_clip

    s = item.state
    lat = s["lattice"]
    sk = skin_from_json(s["skin"])
    on_path = {v for sol in s["solutions"] for v in sol}
    closed = [k for k, o in enumerate(s["open"]) if not o]
    far = [k for k in closed if not set(lat["pairs"][k]) & on_path] or closed
    if lat["style"] == "roads":
        # the candidate road that would cover the most bare ground, off the path if that loses little:
        # a road squeezed between two drawn ones changes a sliver the eye (and the checker) barely sees
        _, lab, _, _ = fam._scene(s)
        far_set = set(far)

        def bare(k: int) -> float:
            pts = np.round(along(np.asarray(lat["routes"][k], np.float64), 200)).astype(int)
            seg = arclength(lat["routes"][k])
            return (lab[pts[:, 1], pts[:, 0]] < 0).mean() * seg * (1.0 if k in far_set else 0.8)

        k = max(closed, key=bare)
    else:
        k = far[int(rng.integers(len(far)))]
    if lat["style"] == "cells":
        line, t = lat["draw"]["boundaries"][k], int(lat["draw"]["wall_px"])
    else:
        line, t = lat["routes"][k], int(lat["draw"]["road_px"])
    frames = list(fam.solution_frames(item))
    cut = len(frames) // 3
    for j, f in enumerate(frames[cut:]):
        opened = f.copy()
        cv2.polylines(opened, [_pts(line)], False, tuple(int(v) for v in sk.floor), thickness=t)
        a = min(1.0, (j + 1) / fade) if fade else 1.0
        f[:] = np.round(f * (1 - a) + opened * a).astype(np.uint8)
    return canvas_clip(fam, item, frames)


def graph_perturbations() -> list:
    from ...perturb import Perturbation

    return [
        Perturbation("wall_crossing", "WALL_CROSSING", _wall_crossing, "walks smoothly through a wall"),
        Perturbation("skip_cells", "TELEPORT", _skip, "jumps over cells of the solution in one frame"),
        Perturbation("stop_short", "GOAL_NOT_REACHED", _stop_short, "stops two cells before the goal"),
        Perturbation("reach_then_leave", "GOAL_NOT_HELD", _leave, "reaches the goal, then steps off it"),
        Perturbation("layout_changed", "LAYOUT_CHANGED", _layout, "a wall opens a third of the way in"),
        Perturbation("layout_fades_open", "LAYOUT_CHANGED", lambda fam, item, rng: _layout(fam, item, rng, fade=12),
                     "a wall opens (a road appears) gradually over 12 frames"),
        Perturbation("wall_excursion", "WALL_CROSSING", _excursion,
                     "the agent's centre goes a third of a cell into a wall and comes back"),
    ]


def _excursion(fam, item, rng):
    from .excursion import wall_excursion

    s = item.state
    return wall_excursion(fam, item, fam.plan(s, s["solutions"][0]), lambda pos: _clip(fam, item, pos))
