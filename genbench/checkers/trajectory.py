"""The trajectory checker: follow the agent through every frame of a maze video and judge the process.

It knows what was drawn (palette, layout, geometry), so instead of matching a template it
1. maps each frame onto the task canvas at a small working size in one affine warp that folds in the
   request's geometry and a global alignment (the small zoom / shift generative models add), estimated
   once on the first frame against the expected first frame,
2. calibrates the palette on the video's own first frame (robust to colour shifts and compression,
   and to a wrong first frame: only large layout colours anchor the fit),
3. classifies every pixel to the nearest palette colour through a lookup table,
4. finds the agent: the centroid of agent-coloured pixels when they are compact (the common case),
   connected components only when they are spread (noise, a second agent),
5. checks every node change against the maze graph, and the layout against what was drawn (region by
   region, but only when some pixels disagree at all).

Any maze family whose layout is a graph drawn on a canvas plugs in by building a ``RegionMap``.
This module follows the video frame by frame and decides; the parts it calls on each frame live apart:
``colour_table`` (step 3's table, learnt per video), ``agent_sight`` (step 4), ``layout_judge`` and, for
textured skins, ``still`` (step 5's layout test).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from ..schema import Fit, Verdict
from .agent_sight import AgentSight
from .colour_table import first_frame_lut
from .events import Event as _Event, first_leap, missed_moves, walk_failure
from .layout_judge import LayoutJudge
from .regionmap import RegionMap
from .still import DRIFTED, StillReading
from ..vision.lut import lookup, quantise, word_table
from ..vision.mapping import FrameMapper

# events after which the blob followed is not known to be the agent from its start
TRACKING_LOST = ("WRONG_START", "TELEPORT", "SPRITE_LOST", "AGENT_DUPLICATED")


class TrajectoryChecker:
    name = "trajectory"
    still_layout = True  # textured skins are read against their still layout (a grid of cells and twins)

    def __init__(self, rm: RegionMap, version: str = "1", lost_seconds: float = 0.25,
                 layout_persist: int = 2, match_threshold: float = 0.75, pr_eps_cells: float = 0.5,
                 align: bool = True, track: bool = True, planes: str = "area", retrack_bad: bool = False):
        self.rm = rm
        self.planes = planes  # how FrameMapper samples decoder planes (a family's frames_as_planes)
        self.version = version
        self.lost_seconds = lost_seconds
        self.layout_persist = layout_persist
        self.match_threshold = match_threshold
        self.pr_eps_cells = pr_eps_cells
        self.align = align
        self.track = track  # re-align through the video, not only on the first frame
        # re-align on the frame right after a re-alignment too when a region reads wrong (by default every
        # other frame at most): a camera drifting faster than that leaves small regions misread two frames
        # running, a false LAYOUT_CHANGED (maze.circular's 5×5 goal core and wall slivers at 416 px)
        self.retrack_bad = retrack_bad
        self._judge = LayoutJudge(rm, match_threshold)
        self._agent = AgentSight(rm)
        self._still = None  # textured skins: a StillReading of each video
        self._words_of = None  # the lut whose word_table is _words

    # -- per frame ---------------------------------------------------------------------------------
    def _classify(self, img: np.ndarray, lut: np.ndarray, shaken: bool = False) -> np.ndarray:
        """Class per pixel of a frame mapped to working size: by colour, then against the still layout
        on textured skins (a family whose sprites share colours refines this reading in a subclass)."""
        if self._still is None:
            cls = self._by_colour = self._by_table(img, lut)
            return cls
        q = quantise(img)
        cls = self._by_colour = lut.take(q)
        return self._still.classify(img, q, cls, shaken)

    def _by_table(self, img: np.ndarray, lut: np.ndarray) -> np.ndarray:
        """``lut.take(quantise(img))`` by the table's word-keyed copy (``vision.lut.lookup``), made once per video."""
        if self._words_of is not lut:
            self._words, self._words_of = word_table(lut), lut
        return lookup(img, self._words)

    def _layout(self, cls: np.ndarray, boxes):
        """Per layout region, is it wrong in this frame? Returns (bad regions or None, match fraction).
        Textured skins: a forbidden cell whose tile no longer looks like itself is wrong too, wherever
        the still reading saw a sprite (StillReading.worn)."""
        bad, mf = self._judge.wrong_regions(cls, boxes)
        if self._still is None:
            return bad, mf
        worn = self._still.worn(self._by_colour, boxes[:1], self._judge.checked)
        return (bad if not worn.any() else worn if bad is None else bad | worn), mf

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
        mapper = FrameMapper(fit, rm.width, rm.height, planes=self.planes)
        cur = None
        lost_run = 0
        dup_run = 0
        goal_run = 0
        mismatch_run = np.zeros(rm.n_layout, np.int32)
        mf_sum, mf_n = 0.0, 0
        reached_at = None
        left_goal_at = None
        moves: list[tuple[int, int, int]] = []
        last_xy = None
        last_seen = 0
        tracked_at, mf_ref, start_boxes = 0, 1.0, ()
        n = 0
        for i, frame in enumerate(frames):
            n += 1
            if lut is None:
                img = mapper.align(frame, rm.reference_image()) if self.align else mapper(frame)
                self._judge.use_view(mapper.inside())
                lut = first_frame_lut(rm, img)
                self._still = None
                if rm.appearance_labels is not None and self.still_layout:  # textured: against its still layout
                    self._still = StillReading(rm, img, lut)
            else:
                img = mapper(frame)
            cls = self._classify(img, lut)
            if i == 0:
                start_boxes = self._agent.start(cls)
            xy, dup, boxes = self._agent.sight(cls, last_xy, i - last_seen)
            # Layout: every region keeps its class, ignoring pixels under and around the agent.
            bad, mf = self._layout(cls, boxes)
            moved = self._still is not None and self._still.stray(boxes) > DRIFTED
            if i == 0:
                mf_ref = mf
            elif (self.align and self.track and (bad is not None or mf < mf_ref - 0.004 or moved)
                  and (i - tracked_at >= 2 or (self.retrack_bad and bad is not None))
                  and not any(e.code == "LAYOUT_CHANGED" for e in events)):
                # the layout drifts from the mapping: a camera still zooming or panning. Re-align on
                # the layout away from the agent (now and at the start), then read the frame again
                tracked_at = i
                # textured skins: against the video's own still picture (the same blur and shading;
                # the drawn tiles differ from it by more than the half pixel the still reading allows)
                ref = rm.reference_image() if self._still is None else self._still.still.bg
                if mapper.track(frame, ref, boxes + start_boxes):
                    self._judge.use_view(mapper.inside())
                    img = mapper(frame)
                    cls = self._classify(img, lut)
                    xy, dup, boxes = self._agent.sight(cls, last_xy, i - last_seen)
                    bad, mf = self._layout(cls, boxes)
                    moved = self._still is not None and self._still.stray(boxes) > DRIFTED
            lined_up = not moved
            if moved:  # the camera shakes: a pixel of the still picture may show a pixel away
                cls = self._classify(img, lut, shaken=True)
                xy, dup, boxes = self._agent.sight(cls, last_xy, i - last_seen)
                bad, mf = self._layout(cls, boxes)
                moved = self._still.stray(boxes) > DRIFTED
            if moved:  # the camera has left the first frame's view: the still picture no longer lines up
                cls = self._by_colour = self._by_table(img, lut)
                xy, dup, boxes = self._agent.sight(cls, last_xy, i - last_seen)
                bad, mf = self._layout(cls, boxes)
            mf_sum += mf
            mf_n += 1
            # the patch is learnt only from a frame that lines up with the still picture as it is: one read by
            # colour alone (the camera off the first frame's view), or one that needed the shaken reading (off
            # by up to a pixel), would bake its shift into the still for good: the start cell's tile edges
            # then read as changed in every later frame, an outline that may pass for the agent
            if self._still is not None and cur is not None and cur != rm.start and lined_up:
                self._still.learn_patch(img, boxes[0] if xy is not None else None)
            goal_run = goal_run + 1 if self._judge.goal_gone(cls, boxes) else 0
            if goal_run >= self.layout_persist and not any(e.code == "LAYOUT_CHANGED" for e in events):
                events.append(_Event(i - self.layout_persist + 1, "LAYOUT_CHANGED",
                                     "the goal is no longer where it was drawn"))
            if bad is None:
                if mismatch_run.any():
                    mismatch_run[:] = 0
            else:
                mismatch_run = np.where(bad, mismatch_run + 1, 0)
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
            seen_at, last_seen = last_seen, i
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
                    events.append(_Event(i, "WRONG_START",
                                         f"agent first seen at {rm.where(node)}, the start is {rm.where(rm.start)}"))
            elif node != cur:
                pair = (min(cur, node), max(cur, node))
                bridge = self._bridge(cur, node, i - seen_at) if i - seen_at > 1 else None
                if pair in rm.open_pairs:
                    moves.append((i, cur, node))
                elif bridge:  # unseen for a few frames, reappeared along open passages: moves we missed
                    moves.extend((i, a, b) for a, b in zip(bridge, bridge[1:]))
                elif pair in rm.lattice_pairs and not jumped:
                    events.append(_Event(i, "WALL_CROSSING",
                                         f"moved from {rm.where(cur)} to {rm.where(node)} through a wall"))
                    moves.append((i, cur, node))
                else:
                    hops = self._hops(cur, node)
                    events.append(_Event(i, "TELEPORT", f"jumped from {rm.where(cur)} to {rm.where(node)} "
                                                        f"({hops} cell{'' if hops == 1 else 's'})"))
                    moves.append((i, cur, node))
            if node in rm.goals:
                # reached only by an agent tracked from its start: agent-coloured noise that jumps
                # (or starts) onto the goal is no agent (random-weight models "reached" half the goals)
                if reached_at is None and not any(e.code in TRACKING_LOST for e in events):
                    reached_at = i
            elif reached_at is not None and left_goal_at is None:
                left_goal_at = i
            cur = node
            cells.append(node)

        if n == 0:
            return Verdict.error(self.name, "video has no frames", self.version)
        return self._decide(events, cells, xys, moves, reached_at, left_goal_at, mf_sum / max(mf_n, 1), n, fps)

    def _bridge(self, a: int, b: int, gap: int) -> list[int] | None:
        """The open path a→b when the agent, unseen for ``gap - 1`` frames (blur, compression),
        reappears no more than one move per frame away; None when no legal path fits (a teleport)."""
        rm = self.rm
        if not hasattr(self, "_adj"):
            self._adj = [[] for _ in range(rm.n_nodes)]
            for x, y in rm.edges.tolist():
                self._adj[x].append(y)
                self._adj[y].append(x)
        return missed_moves(self._adj.__getitem__, a, b, gap)

    def _hops(self, a: int, b: int) -> int:
        d = self.rm.node_xy[a] - self.rm.node_xy[b]
        return int(round(np.abs(d).sum() / self.rm.cell_px / 2)) or 1

    def _decide(self, events, cells, xys, moves, reached_at, left_goal_at, mf, n, fps) -> Verdict:
        rm = self.rm
        leap = first_leap(xys, rm.step_px)
        if leap is not None:
            events.append(leap)
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
        exact = held and legal and optimal

        failure, first_error = walk_failure(legal_events, not moves and not reached, reached, held, left_goal_at,
                                            optimal)
        if failure == "NOT_OPTIMAL":
            first_error = next((i for i, a, b in moves if rm.dist_to_goal[b] != rm.dist_to_goal[a] - 1), None)

        vr = self._vrbench(xys, reached, mf)
        metrics = {
            "goal_reached_held": float(held), "reached": float(reached), "legal": float(legal),
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
        from .vrmetrics import vr_metrics

        rm = self.rm
        scale = np.array([rm.width, rm.height], np.float64)
        gen = np.array([p for p in xys if p is not None], np.float64) / scale if any(
            p is not None for p in xys) else np.zeros((0, 2))
        sol = rm.solutions[0]
        gt = rm.node_xy[sol].astype(np.float64) / scale
        eps = self.pr_eps_cells * rm.cell_px / max(rm.width, rm.height)
        return vr_metrics(gen, gt, reached, mf, eps)
