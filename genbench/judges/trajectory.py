"""The trajectory checker: follow the agent through every frame of a maze video and judge the process.

It knows what was drawn (palette, layout, geometry), so instead of matching a template it
1. maps each frame back onto the task canvas through the request's geometry (at a small working size),
2. calibrates the palette on the video's own first frame (robust to colour shifts and compression),
3. classifies every pixel to the nearest palette colour through a lookup table,
4. finds the agent as connected components of agent-coloured pixels and maps its centroid to a node,
5. checks every node change against the maze graph, and the layout against what was drawn.

Any maze family whose layout is a graph drawn on a canvas plugs in by building a ``RegionMap``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import cv2
import numpy as np

from ..geometry import to_canvas
from ..schema import Fit, Verdict

FLOOR, WALL, GOAL, AGENT, UNKNOWN = 0, 1, 2, 3, 255


@dataclass
class RegionMap:
    """Everything the checker needs about one maze item, at the working resolution (W×H).

    labels: node id (0..N-1), N + e for the open passage ``edges[e]``, or -1 for wall/outside.
    layout_ids: a layout region per pixel (-1: not checked), each region holding one expected class.
    layout_class: expected semantic class per pixel with no agent drawn (FLOOR, WALL or GOAL).
    palette / palette_class: nominal colours and their semantic class; palette_map: which palette
    entry each pixel of the first frame shows (-1: mixed / not used for calibration).
    """

    width: int
    height: int
    labels: np.ndarray
    layout_ids: np.ndarray
    layout_class: np.ndarray
    palette: np.ndarray
    palette_class: np.ndarray
    palette_map: np.ndarray
    node_xy: np.ndarray  # (N, 2) node centres in working pixels
    edges: np.ndarray  # (E, 2) open passages
    lattice_pairs: set  # node pairs that are neighbours on the lattice (open or walled)
    start: int
    goals: set
    dist_to_goal: list  # moves from each node to the nearest goal through open passages
    solutions: list  # accepted node sequences
    cell_px: float  # size of a cell in working pixels (sets tolerances)
    step_px: float  # distance between the centres of neighbouring nodes, in working pixels
    agent_area: float  # agent pixels in the first frame at working size
    wall_depth: np.ndarray = field(default=None)  # distance into a wall, in working px
    snap: np.ndarray = field(default=None)  # nearest non-wall label for every pixel

    def __post_init__(self) -> None:
        n = len(self.node_xy)
        self.open_pairs = {(min(a, b), max(a, b)) for a, b in self.edges.tolist()}
        self.n_nodes = n
        if self.wall_depth is None or self.snap is None:
            from scipy import ndimage

            wall = self.labels < 0
            depth, (iy, ix) = ndimage.distance_transform_edt(wall, return_indices=True)
            self.wall_depth = depth.astype(np.float32)
            self.snap = self.labels[iy, ix]
        ids = self.layout_ids
        valid = ids >= 0
        self.n_layout = int(ids.max()) + 1 if valid.any() else 0
        self.layout_size = np.bincount(ids[valid], minlength=self.n_layout)
        self.layout_flat = np.where(valid, ids, self.n_layout).ravel()  # n_layout = "ignored" bin


def _quantise(img: np.ndarray) -> np.ndarray:
    """6 bits per channel → one index into a 64³ lookup table."""
    q = (img >> 2).astype(np.int32)
    return (q[..., 0] << 12) | (q[..., 1] << 6) | q[..., 2]


_BIN_CENTRES = None


def _bin_centres() -> np.ndarray:
    global _BIN_CENTRES
    if _BIN_CENTRES is None:
        v = np.arange(64, dtype=np.float32) * 4 + 1.5
        r, g, b = np.meshgrid(v, v, v, indexing="ij")
        _BIN_CENTRES = np.stack([r.ravel(), g.ravel(), b.ravel()], 1)
    return _BIN_CENTRES


def calibrate(rm: RegionMap, first: np.ndarray) -> np.ndarray:
    """The palette as this video shows it: medians over known pixels, an affine fit for the rest."""
    nominal = rm.palette.astype(np.float32)
    observed = nominal.copy()
    have = np.zeros(len(nominal), bool)
    flat = first.reshape(-1, 3).astype(np.float32)
    pm = rm.palette_map.ravel()
    for k in range(len(nominal)):
        if rm.palette_class[k] == AGENT:
            continue  # the agent may not be where it should be (that is for the checker to find)
        sel = pm == k
        if sel.sum() >= 4:
            observed[k] = np.median(flat[sel], axis=0)
            have[k] = True
    predicted = nominal.copy()
    if have.sum() >= 2:
        for ch in range(3):  # per-channel gain/offset fitted on the layout colours
            x, y = nominal[have, ch], observed[have, ch]
            if np.ptp(x) > 20:
                a, b = np.polyfit(x, y, 1)
                predicted[:, ch] = a * nominal[:, ch] + b
            else:
                predicted[:, ch] = nominal[:, ch] + np.mean(y - x)
    out = np.where(have[:, None], observed, np.clip(predicted, 0, 255))
    for k in np.flatnonzero(rm.palette_class == AGENT):
        sel = pm == k
        if sel.sum() >= 4:
            med = np.median(flat[sel], axis=0)
            d = np.linalg.norm(out - med, axis=1)
            if np.argmin(d) == k:  # the start really shows the agent: trust what the video shows
                out[k] = med
    return out


def build_lut(colours: np.ndarray, classes: np.ndarray, max_dist: float = 110.0) -> np.ndarray:
    c = _bin_centres()
    d2 = ((c[:, None, :] - colours[None, :, :].astype(np.float32)) ** 2).sum(-1)
    k = d2.argmin(1)
    lut = classes[k].astype(np.uint8)
    lut[d2[np.arange(len(c)), k] > max_dist ** 2] = UNKNOWN
    return lut


@dataclass
class _Event:
    frame: int
    code: str
    detail: str

    def to_json(self) -> dict:
        return {"frame": self.frame, "code": self.code, "detail": self.detail}


class TrajectoryChecker:
    name = "trajectory"

    def __init__(self, rm: RegionMap, version: str = "1", lost_seconds: float = 0.25,
                 layout_persist: int = 2, match_threshold: float = 0.75, pr_eps_cells: float = 0.5):
        self.rm = rm
        self.version = version
        self.lost_seconds = lost_seconds
        self.layout_persist = layout_persist
        self.match_threshold = match_threshold
        self.pr_eps_cells = pr_eps_cells
        self._kernel = np.ones((5, 5), np.uint8)

    # -- per frame ---------------------------------------------------------------------------------
    def _observe(self, cls: np.ndarray):
        """Agent blobs of a classified frame: (centroid or None, area, duplicate?, agent mask)."""
        rm = self.rm
        mask = (cls == AGENT).astype(np.uint8)
        n, lab, stats, cents = cv2.connectedComponentsWithStats(mask, connectivity=8)
        if n <= 1:
            return None, 0.0, False, mask
        areas = stats[1:, cv2.CC_STAT_AREA]
        order = np.argsort(-areas)
        big = areas[order[0]]
        if big < 0.25 * rm.agent_area:
            return None, float(big), False, mask
        main = cents[1 + order[0]]
        dup = False
        for j in order[1:]:
            if areas[j] >= 0.5 * rm.agent_area and np.hypot(*(cents[1 + j] - main)) > 1.5 * rm.cell_px:
                dup = True
                break
        if big > 2.5 * rm.agent_area and not dup:
            # A blob far bigger than the sprite: check it is not two agents merged or a smear.
            ys, xs = np.nonzero(lab == 1 + order[0])
            if max(np.ptp(xs), np.ptp(ys)) > 2.5 * rm.cell_px:
                dup = True
        return (float(main[0]), float(main[1])), float(big), dup, mask

    def _node_of(self, xy, cur):
        """Map a centroid to (node, depth into a wall)."""
        rm = self.rm
        x = min(max(int(round(xy[0])), 0), rm.width - 1)
        y = min(max(int(round(xy[1])), 0), rm.height - 1)
        lab = int(rm.labels[y, x])
        depth = 0.0
        if lab < 0:
            depth = float(rm.wall_depth[y, x])
            lab = int(rm.snap[y, x])
        if lab < 0:
            return None, depth
        if lab >= rm.n_nodes:  # on a passage: in transit between its two ends
            a, b = (int(v) for v in rm.edges[lab - rm.n_nodes])
            if cur in (a, b):
                return cur, depth
            da = np.hypot(*(rm.node_xy[a] - (x, y)))
            db = np.hypot(*(rm.node_xy[b] - (x, y)))
            return (a if da <= db else b), depth
        return lab, depth

    # -- whole video ---------------------------------------------------------------------------------
    def check(self, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        rm = self.rm
        lost_tol = max(2, int(round(self.lost_seconds * fps)))
        wall_tol = 0.25 * rm.cell_px
        events: list[_Event] = []
        cells: list[int] = []
        xys: list[tuple[float, float] | None] = []
        lut = None
        cur = None
        lost_run = 0
        dup_run = 0
        mismatch_run = np.zeros(rm.n_layout, np.int32)
        mf_sum, mf_n = 0.0, 0
        reached_at = None
        left_goal_at = None
        moves: list[tuple[int, int, int]] = []
        last_xy = None
        n = 0
        expected = rm.layout_class.ravel()
        for i, frame in enumerate(frames):
            n += 1
            img = to_canvas(fit, frame, rm.width, rm.height)
            if lut is None:
                lut = build_lut(calibrate(rm, img), rm.palette_class)
            cls = lut[_quantise(img)]
            xy, area, dup, amask = self._observe(cls)

            # Layout: every region keeps its class, ignoring pixels under and around the agent.
            near_agent = cv2.dilate(amask, self._kernel).ravel().astype(bool)
            ok = (cls.ravel() == expected) & ~near_agent
            valid = ~near_agent
            match = np.bincount(rm.layout_flat, weights=ok, minlength=rm.n_layout + 1)[:rm.n_layout]
            seen = np.bincount(rm.layout_flat, weights=valid, minlength=rm.n_layout + 1)[:rm.n_layout]
            considered = (seen >= 0.3 * rm.layout_size) & (rm.layout_size >= 4)
            bad = considered & (match < self.match_threshold * np.maximum(seen, 1))
            mismatch_run = np.where(bad, mismatch_run + 1, 0)
            if considered.any():
                mf_sum += float(match[considered].sum() / max(seen[considered].sum(), 1))
                mf_n += 1
            if (mismatch_run >= self.layout_persist).any():
                if not any(e.code == "LAYOUT_CHANGED" for e in events):
                    regions = np.flatnonzero(mismatch_run >= self.layout_persist)[:8].tolist()
                    events.append(_Event(i - self.layout_persist + 1, "LAYOUT_CHANGED",
                                         f"layout regions {regions} no longer show what was drawn"))

            dup_run = dup_run + 1 if dup else 0
            if dup_run >= 2 and not any(e.code == "AGENT_DUPLICATED" for e in events):
                events.append(_Event(i - 1, "AGENT_DUPLICATED", "two separate agents are visible"))

            if xy is None:
                lost_run += 1
                cells.append(-1)
                xys.append(None)
                if lost_run == lost_tol + 1:
                    events.append(_Event(i - lost_tol, "SPRITE_LOST",
                                         f"agent not found for more than {lost_tol} frames"))
                continue
            lost_run = 0
            node, depth = self._node_of(xy, cur)
            # a whole cell in one frame across a wall is a teleport, a gradual pass is a crossing
            jumped = last_xy is not None and np.hypot(xy[0] - last_xy[0], xy[1] - last_xy[1]) >= 0.9 * rm.step_px
            last_xy = xy
            xys.append(xy)
            if depth > wall_tol:
                events.append(_Event(i, "WALL_CROSSING", f"agent centre {depth / rm.cell_px:.2f} cells deep in a wall"))
            if node is None:
                cells.append(-1)
                continue
            if cur is None:
                if node != rm.start:
                    events.append(_Event(i, "WRONG_START", f"agent first seen at node {node}, start is {rm.start}"))
            elif node != cur:
                pair = (min(cur, node), max(cur, node))
                if pair in rm.open_pairs:
                    moves.append((i, cur, node))
                elif pair in rm.lattice_pairs and not jumped:
                    events.append(_Event(i, "WALL_CROSSING", f"moved {cur}→{node} through a wall"))
                    moves.append((i, cur, node))
                else:
                    events.append(_Event(i, "TELEPORT", f"jumped {cur}→{node} ({self._hops(cur, node)} cells)"))
                    moves.append((i, cur, node))
            if node in rm.goals:
                if reached_at is None:
                    reached_at = i
            elif reached_at is not None and left_goal_at is None:
                left_goal_at = i
            cur = node
            cells.append(node)

        if n == 0:
            return Verdict.error(self.name, "video has no frames", self.version)
        return self._decide(events, cells, xys, moves, reached_at, left_goal_at, mf_sum / max(mf_n, 1), n, fps)

    def _hops(self, a: int, b: int) -> int:
        d = self.rm.node_xy[a] - self.rm.node_xy[b]
        return int(round(np.abs(d).sum() / self.rm.cell_px / 2)) or 1

    def _decide(self, events, cells, xys, moves, reached_at, left_goal_at, mf, n, fps) -> Verdict:
        rm = self.rm
        events.sort(key=lambda e: e.frame)
        path = [rm.start] + [b for _, _, b in moves]  # visited nodes, consecutive duplicates removed
        legal_events = [e for e in events if e.code in
                        ("WALL_CROSSING", "TELEPORT", "SPRITE_LOST", "AGENT_DUPLICATED", "LAYOUT_CHANGED", "WRONG_START")]
        legal = not legal_events
        final = next((c for c in reversed(cells) if c >= 0), None)
        reached = reached_at is not None
        held = reached and left_goal_at is None and final in rm.goals
        steps = len(path) - 1
        shortest = rm.dist_to_goal[rm.start]
        optimal = held and steps == shortest and all(
            rm.dist_to_goal[b] == rm.dist_to_goal[a] - 1 for a, b in zip(path, path[1:]))
        # progress: moves along some shortest path before the first step that is not
        prefix = 0
        for a, b in zip(path, path[1:]):
            if (min(a, b), max(a, b)) not in rm.open_pairs or rm.dist_to_goal[b] != rm.dist_to_goal[a] - 1:
                break
            prefix += 1
        progress = prefix / shortest if shortest else 1.0
        success = held
        exact = success and legal and optimal

        failure, first_error = None, None
        if legal_events:
            failure, first_error = legal_events[0].code, legal_events[0].frame
        elif not moves and not reached:
            failure, first_error = "STATIC", 0
        elif not reached:
            failure = "GOAL_NOT_REACHED"
        elif not held:
            failure, first_error = "GOAL_NOT_HELD", left_goal_at
        elif not optimal:
            failure = "NOT_OPTIMAL"
            first_error = next((i for i, a, b in moves if rm.dist_to_goal[b] != rm.dist_to_goal[a] - 1), None)

        vr = self._vrbench(xys, reached, mf)
        metrics = {
            "success": float(success), "reached": float(reached), "legal": float(legal),
            "optimal": float(optimal), "exact": float(exact), "progress": round(progress, 4),
            "moves": steps, "shortest": shortest, "frames": n, **vr,
        }
        evidence = {
            "cells": cells,
            "xy": [None if p is None else [round(p[0] / self.rm.width, 4), round(p[1] / self.rm.height, 4)]
                   for p in xys],
            "moves": [[i, a, b] for i, a, b in moves],
            "events": [e.to_json() for e in events],
            "fps": fps,
        }
        msg = events[0].detail if events else ("" if exact else (failure or "").lower().replace("_", " "))
        return Verdict(checker=self.name, status="ok", passed=exact, score=1.0 if exact else round(progress, 4),
                       metrics=metrics, failure=None if exact else failure, first_error_frame=first_error,
                       message=msg, evidence=evidence, version=self.version)

    def _vrbench(self, xys, reached: bool, mf: float) -> dict:
        """VR-Bench's trajectory metrics on normalised coordinates (see README for definitions)."""
        rm = self.rm
        scale = np.array([rm.width, rm.height], np.float64)
        gen = np.array([p for p in xys if p is not None], np.float64) / scale if any(
            p is not None for p in xys) else np.zeros((0, 2))
        sol = rm.solutions[0]
        gt = rm.node_xy[sol].astype(np.float64) / scale
        gt_pts = _resample(gt, 100)
        eps = self.pr_eps_cells * rm.cell_px / max(rm.width, rm.height)
        matched, j0 = 0, 0
        for p in gt_pts:
            if len(gen) == 0:
                break
            d = np.hypot(*(gen[j0:] - p).T)
            hit = np.flatnonzero(d <= eps)
            if len(hit) == 0:
                break
            j0 += int(hit[0])
            matched += 1
        pr = matched / len(gt_pts)
        len_gt = _arclength(gt)
        len_gen = _arclength(gen)
        sd = (len_gen / len_gt - 1.0) if (reached and len_gt > 0) else None
        em = bool(reached and pr >= 0.98 and sd is not None and abs(sd) <= 0.1)
        return {"sr": float(reached), "pr": round(pr, 4), "sd": None if sd is None else round(sd, 4),
                "em": float(em), "mf": round(mf, 4)}


def _arclength(pts: np.ndarray) -> float:
    if len(pts) < 2:
        return 0.0
    return float(np.hypot(*np.diff(pts, axis=0).T).sum())


def _resample(pts: np.ndarray, k: int) -> np.ndarray:
    """k points equally spaced by arc length along a polyline."""
    if len(pts) < 2:
        return np.repeat(pts[:1], k, axis=0)
    seg = np.hypot(*np.diff(pts, axis=0).T)
    s = np.concatenate([[0], np.cumsum(seg)])
    t = np.linspace(0, s[-1], k)
    return np.stack([np.interp(t, s, pts[:, 0]), np.interp(t, s, pts[:, 1])], 1)
