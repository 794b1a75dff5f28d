"""The stroke checker: follow a line drawn through a maze and judge the drawing, not an agent.

Per frame it classifies pixels against the palette calibrated on the video's own first frame,
measures which cells the pen covers and checks that the drawing
  * starts at the start marker (WRONG_START if the line is already there or begins elsewhere),
  * grows cell by cell through open passages (WALL_CROSSING through a wall, TELEPORT for a gap or a
    jump of several cells in one frame),
  * never puts ink deep inside a wall (WALL_CROSSING), leaves the layout alone (LAYOUT_CHANGED),
  * joins start and goal in one connected stroke (GOAL_NOT_REACHED) and keeps it (GOAL_NOT_HELD),
  * covers exactly the cells of a shortest route (NOT_OPTIMAL for detours into dead ends).

A family plugs in by building a ``StrokeMap``: a trajectory ``RegionMap`` whose palette has the pen
as its only AGENT colour, plus the pen width and the maze's passages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import cv2
import numpy as np

from ..schema import Fit, Verdict
from ..vision.lut import quantise
from ..vision.mapping import FrameMapper
from .colour_table import first_frame_lut
from .events import Event, first_event, in_order, make_verdict, walk_failure
from .regionmap import AGENT, RegionMap


@dataclass
class StrokeMap:
    """What the stroke checker knows about one item, at the working size."""

    rm: RegionMap  # labels (cell id / N + passage id / -1 wall), layout regions, palette, wall depth
    pen_px: float  # pen width in working px
    cols: int  # grid columns (cell id = row · cols + column)
    walled: set  # neighbouring cell pairs (a < b) with a wall between them
    adj: list  # open neighbours of each cell
    solutions: list  # accepted cell sequences
    reference: np.ndarray  # expected first frame at working size (for alignment)


MIN_REGION_PX = 12  # layout regions smaller than this (working px) are not judged
SHIFT_KERNEL = np.ones((3, 3), np.uint8)  # a layout pixel may read its class one pixel off


class StrokeChecker:
    name = "stroke"

    def __init__(self, sm: StrokeMap, version: str = "1", max_new_cells: int = 2, hold_seconds: float = 0.25,
                 layout_persist: int = 2, match_threshold: float = 0.75):
        self.sm = sm
        self.version = version
        self.max_new = max_new_cells
        self.hold_seconds = hold_seconds
        self.layout_persist = layout_persist
        self.match_threshold = match_threshold
        self._masks = None

    def check(self, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        sm, rm = self.sm, self.sm.rm
        N = rm.n_nodes
        lab = rm.labels.ravel()
        in_node = lab >= 0
        in_node &= lab < N
        node_of = np.where(in_node, lab, N)
        cover_thr = 0.3 * sm.pen_px * rm.cell_px  # ink in a cell that counts as "the line is here"
        speck = max(2.0, 0.5 * sm.pen_px ** 2)
        deep = max(2.0, 0.15 * rm.cell_px)
        wall_deep = (rm.wall_depth >= deep).ravel()
        wall_min = max(3.0, sm.pen_px)
        hold_tol = max(2, int(round(self.hold_seconds * fps)))
        start = rm.start
        goal = next(iter(rm.goals))
        expected = rm.layout_class.ravel()
        kernel = np.ones((5, 5), np.uint8)
        in_start, in_goal = lab == start, lab == goal
        bridge = np.ones((2 * int(np.ceil(sm.pen_px / 2)) + 1,) * 2, np.uint8)  # closes gaps under a pen width

        lut = unseen = None
        events: list[Event] = []
        drawn: list[int] = []  # cells in the order the line reached them
        drawn_set: set = set()
        prev_cov = np.zeros(N, bool)
        mismatch = np.zeros(rm.n_layout, np.int32)
        wall_run = 0
        reached_at = left_at = None
        unreached_run = 0
        ink_seen = False
        final_cov = prev_cov
        joined = False
        n = 0
        mf_sum = mf_n = 0.0
        tracked_at = 0
        for i, frame in enumerate(frames):
            n += 1
            if lut is None:
                # the trajectory checker's frame mapper absorbs global zoom / shift drift
                mapper = FrameMapper(fit, rm.width, rm.height)
                img = mapper.align(frame, self.sm.reference)
                unseen = ~mapper.inside().ravel()  # pushed out of view by the drift: not judged
                unseen = unseen if unseen.any() else None
                lut = first_frame_lut(rm, img)
            else:
                img = mapper(frame)
            for attempt in range(2):  # read the frame; once more when the camera was re-aligned
                cls, pen, cc, pf, cov, near, bad, considered, match, seen = self._read(
                    img, lut, node_of, N, cover_thr, speck, kernel, unseen, expected)
                # the layout drifts from the mapping (a camera still zooming or panning), or a few
                # frames went by (the start and goal cells are read through it too): re-align on the
                # layout away from the line and the pen (bounded to a drift: a changed wall stays)
                due = bad.any() or i - tracked_at >= 4
                if not (due and i > tracked_at and attempt == 0 and not first_event(events, "LAYOUT_CHANGED")):
                    break
                tracked_at = i
                if not mapper.track(frame, self.sm.reference, keep=~near.reshape(rm.height, rm.width)):
                    break
                img = mapper(frame)
                unseen = ~mapper.inside().ravel()
                unseen = unseen if unseen.any() else None
            ink_seen |= bool(pf.sum() >= 2 * speck)
            mismatch = np.where(bad, mismatch + 1, 0)
            if considered.any():
                mf_sum += float(match[considered].sum() / max(seen[considered].sum(), 1))
                mf_n += 1
            if (mismatch >= self.layout_persist).any() and not first_event(events, "LAYOUT_CHANGED"):
                regions = np.flatnonzero(mismatch >= self.layout_persist)[:8].tolist()
                events.append(Event(i - self.layout_persist + 1, "LAYOUT_CHANGED",
                                    f"layout regions {regions} no longer show what was drawn (outside the line)"))

            # ink deep inside walls
            wall_ink = int((pf & wall_deep).sum())
            wall_run = wall_run + 1 if wall_ink >= wall_min else 0
            if wall_run >= 2 and not first_event(events, "WALL_CROSSING"):
                events.append(Event(i - 1, "WALL_CROSSING", f"{wall_ink} px of the line lie inside a wall"))

            if i == 0:
                extra = [c for c in np.flatnonzero(cov).tolist() if c != start]
                if extra:
                    events.append(Event(0, "WRONG_START",
                                        f"the line is already drawn in the first frame ({len(extra)} cells)"))
            confirmed = cov & prev_cov  # two frames in a row: flicker and compression specks don't count
            new = [c for c in np.flatnonzero(confirmed).tolist() if c not in drawn_set]
            comp_s = set(np.unique(cc.ravel()[in_start & pf]).tolist()) - {0}
            if new and not drawn_set and start not in new:
                # the start cell holds half a stroke and compression can fade it below the cover threshold
                # while the line's first full cell reads: the line begins at the start when that cell's
                # stroke reaches into the start cell (a line begun elsewhere leaves the start bare)
                if comp_s & set(np.unique(cc.ravel()[np.isin(node_of, new) & pf]).tolist()):
                    drawn_set.add(start)
                    drawn.append(start)
                else:
                    events.append(Event(i, "WRONG_START", f"the line begins at cell {new[0]}, not at the start {start}"))
            if new:
                if len(new) > self.max_new:
                    events.append(Event(i, "TELEPORT", f"the line grew by {len(new)} cells in one frame"))
                pending = set(new)
                while pending:
                    if not drawn_set:
                        nxt = start if start in pending else min(pending)
                    else:
                        nxt = next((c for c in sorted(pending) if any(b in drawn_set for b in sm.adj[c])), None)
                    if nxt is None:
                        c = min(pending)
                        # through a wall only if the wall shows ink (the line stays drawn): a line that
                        # breaks off and resumes beside a drawn cell, across a wall, has jumped
                        if wall_ink >= wall_min and any((min(c, b), max(c, b)) in sm.walled for b in drawn_set):
                            events.append(Event(i, "WALL_CROSSING", f"the line entered cell {c} through a wall"))
                        elif drawn_set:
                            events.append(Event(i, "TELEPORT", f"the line resumed at cell {c}, away from its end"))
                        nxt = c
                    pending.discard(nxt)
                    drawn_set.add(nxt)
                    drawn.append(nxt)
            prev_cov = cov

            # reached: start and goal joined by one connected stroke
            # once the line has reached the goal, compression fading a thin pen in places does not undo
            # it: pieces apart by less than the pen's width are one stroke (a cut or a retraction leaves
            # a wider gap), and a start cell read thin is still its end. Reaching takes one unbroken
            # stroke (bridged specks of noise would join anything)
            jc = cc.ravel()
            if reached_at is not None:
                jc = cv2.connectedComponents(cv2.dilate(pen, bridge), connectivity=8)[1].ravel()
            joined = bool((set(jc[in_start & pf].tolist()) - {0}) & (set(jc[in_goal & pf].tolist()) - {0}))
            reached_now = joined and cov[goal] and (cov[start] or start in drawn_set)
            if reached_now:
                unreached_run = 0
                final_cov = cov.copy()
                final_cov[start] = True  # the joined stroke has ink there, however thin
                if reached_at is None:
                    reached_at = i
            elif reached_at is not None:
                # an end cell holds half a stroke, and under heavy compression its ink dips below the
                # cover threshold for a frame: the line's cells are those of its last full reading plus
                # any drawn since
                final_cov = final_cov | cov
                unreached_run += 1
                if unreached_run == hold_tol + 1 and left_at is None:
                    left_at = i - hold_tol
            else:
                final_cov = cov

        if n == 0:
            return Verdict.error(self.name, "video has no frames", self.version)
        return self._decide(events, drawn, final_cov, reached_at, left_at, joined, ink_seen,
                            mf_sum / max(mf_n, 1), n, fps)

    def _read(self, img, lut, node_of, N, cover_thr, speck, kernel, unseen, expected):
        """One frame's classes, the pen's ink (mask, components, flat), the cells it covers, the pixels
        near it (or out of view) and the layout regions that no longer show what was drawn."""
        rm = self.sm.rm
        cls = lut[quantise(img)]
        pen = (cls == AGENT).astype(np.uint8)
        cc = np.zeros(pen.shape, np.int32)
        # components inside the ink's box only (the same components; labels are only compared within
        # a frame): a third of the frame on average
        x, y, w, h = cv2.boundingRect(pen)
        if w and h:
            box = np.s_[y:y + h, x:x + w]
            _, cc_box, stats, _ = cv2.connectedComponentsWithStats(pen[box], connectivity=8)
            keep = np.concatenate([[False], stats[1:, cv2.CC_STAT_AREA] >= speck])
            ink = keep[cc_box]
            pen[box] = ink
            cc[box] = np.where(ink, cc_box, 0)
        pf = pen.ravel().astype(bool)
        counts = np.bincount(node_of[pf], minlength=N + 1)[:N]
        cov = counts >= cover_thr
        # layout: every region keeps its class away from the ink. A pixel shows its class when it or a
        # neighbour does: between re-alignments a still-drifting camera is a pixel off, and compression
        # blurs a small marker's rim into the floor; an erased wall or a moved marker is off by more
        near = cv2.dilate(pen, kernel).ravel().astype(bool)
        if unseen is not None:
            near |= unseen
        ok = np.zeros_like(near)
        for c, where in self._expected_masks(expected):  # whole-image bool ops: no index gathers
            ok |= where & cv2.dilate((cls == c).view(np.uint8), SHIFT_KERNEL).ravel().view(bool)
        # counts per region from the few pixels near the ink or off their class (weighted bincounts over
        # every pixel cost more than the rest of the frame's reading); whole counts, exact as before
        seen = rm.layout_size - np.bincount(rm.layout_flat[near], minlength=rm.n_layout + 1)[:rm.n_layout]
        off = ~ok
        off &= ~near
        match = seen - np.bincount(rm.layout_flat[off], minlength=rm.n_layout + 1)[:rm.n_layout]
        # a region of a few pixels (a marker's core at a small working size) is off by a pixel of
        # camera shake: too small to judge
        considered = (seen >= 0.3 * rm.layout_size) & (rm.layout_size >= MIN_REGION_PX)
        bad = considered & (match < self.match_threshold * np.maximum(seen, 1))
        return cls, pen, cc, pf, cov, near, bad, considered, match, seen

    def _expected_masks(self, expected: np.ndarray) -> list:
        """(class, flat bool mask of the pixels that must show it), once per checker."""
        if self._masks is None:
            self._masks = [(int(c), (expected == c).ravel()) for c in np.unique(expected)]
        return self._masks

    def _decide(self, events, drawn, final_cov, reached_at, left_at, joined_end, ink_seen, mf, n, fps) -> Verdict:
        sm = self.sm
        events = in_order(events)
        legal_events = [e for e in events if e.code in ("WALL_CROSSING", "TELEPORT", "LAYOUT_CHANGED", "WRONG_START")]
        legal = not legal_events
        reached = reached_at is not None
        # the last frame must still show one stroke from start to goal, however thin its ink in an end
        # cell (a faded reading is not a retraction; a retracted line leaves the goal cell bare)
        held = reached and left_at is None and joined_end
        final_cells = set(np.flatnonzero(final_cov).tolist())
        sol_sets = [set(s) for s in sm.solutions]
        optimal = held and any(final_cells == s for s in sol_sets)
        # progress: the longest prefix of a solution the line covered, in order
        progress = 0.0
        for sol in sm.solutions:
            k = 0
            for a, b in zip(drawn, sol):
                if a != b:
                    break
                k += 1
            progress = max(progress, max(k - 1, 0) / max(len(sol) - 1, 1))
        exact = held and legal and optimal
        failure, first = walk_failure(legal_events, not ink_seen or (len(drawn) <= 1 and not reached), reached,
                                      held, left_at, optimal)
        C = sm.cols
        metrics = {"goal_reached_held": float(held), "reached": float(reached), "legal": float(legal),
                   "optimal": float(optimal), "exact": float(exact), "progress": round(progress, 4),
                   "cells_drawn": len(drawn), "shortest": len(sm.solutions[0]) - 1, "frames": n, "mf": round(mf, 4)}
        evidence = {"drawn": [[k // C, k % C] for k in drawn], "events": None, "reached_at": reached_at, "fps": fps}
        msg = events[0].detail if events else (failure or "").lower().replace("_", " ")
        return make_verdict(self.name, self.version, events, exact, failure, first, metrics, evidence, msg,
                            partial=round(progress, 4))
