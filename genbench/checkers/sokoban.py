"""The Sokoban checker: track the player and the boxes through every frame and follow the rules.

The player and the boxes are read by colour (flat sprites) or as whole pictures (sprites that are pictures,
``sokoban_sprites``), on frames kept aligned to the first one while the camera drifts (``CameraTracker``).
A box moves only when the player pushes it from behind (a pull, a box sliding alone, a push into a
wall or a box jumping are ILLEGAL_MOVE), the player never walks through walls (WALL_CROSSING) or
boxes (ILLEGAL_MOVE), nothing jumps (TELEPORT: a cell skipped, or a one-frame leap far beyond the
player's own pace, ``events.first_leap``), walls and target markers stay (LAYOUT_CHANGED,
``sokoban_targets``), and at the end every box stands on a target and stays there. Any legal solution
passes; ``optimal`` reports whether it used the minimum number of pushes.

A family (or an importer) plugs in by building a ``SokobanScene``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, NamedTuple

import cv2
import numpy as np

from ..geometry import to_canvas
from ..schema import Fit, Verdict
from ..vision.lut import quantise
from ..vision.tracking import CameraTracker
from .colour_table import first_frame_lut
from .events import Event, first_leap, in_order, make_verdict, walk_failure
from .regionmap import WALL
from .sokoban_sprites import BOX, SpriteReader  # noqa: F401  BOX: the box class, imported from here by families
from .sokoban_targets import TargetWatch
from .vrmetrics import vr_metrics

@dataclass
class RuleEvent(Event):
    """An event and the rule it broke (pull, push_into_wall, …): one event is kept per code and rule."""

    kind: str | None = None

    def to_json(self) -> dict:
        return {**super().to_json(), "kind": self.kind}


@dataclass
class SokobanScene:
    """What the checker knows about one item, at the working resolution."""

    width: int
    height: int
    rows: int
    cols: int
    walls: np.ndarray  # (R, C) bool
    cell_of: np.ndarray  # working pixel → cell id
    interior: np.ndarray  # pixels away from cell borders (blur-safe)
    cell_w: float  # working px per cell
    cell_h: float
    palette: np.ndarray
    palette_class: np.ndarray
    palette_map: np.ndarray
    agent_area: float
    box_area: float
    start: tuple
    boxes: frozenset
    targets: frozenset
    min_pushes: int
    solution: list
    # textured skins: class per first-frame working pixel to learn the appearance model from, and the
    # expected first frame at working size (vision.appearance); None: flat palette
    appearance_labels: np.ndarray | None = None
    reference: np.ndarray | None = None


def expected_first(first: np.ndarray, width: int, height: int) -> np.ndarray:
    """An item's first frame at the working size, resampled as the checker resamples video frames (area
    averaging, ``geometry.to_canvas``): sprite pictures cut from it match the video's own."""
    return np.ascontiguousarray(cv2.resize(first, (width, height), interpolation=cv2.INTER_AREA))


class Look(NamedTuple):
    p: tuple | None  # the player (row, col), fractional
    occ: np.ndarray  # (R, C) boxes' share per cell
    near: np.ndarray  # working pixels under or next to a sprite
    frac: np.ndarray  # per cell: the judged pixels' fraction that reads as wall
    judged: np.ndarray  # wall cells with enough judged pixels
    mf: float | None  # their pixels' fraction that reads as wall (None: none judged)
    cls: np.ndarray  # class per working pixel


LEAN = 1 / 6  # cells past a floor cell's edge into a wall that count on two frames in a row
# cells: the least one-frame move of the player the pace rule (events.first_leap) calls a leap. Sokoban's
# shortest levels are one or two moves, whose "middle third replaced by a jump" moves the player 0.42-0.54
# cell in one frame at VR-Bench's pace (12 frames per step); bench/bench_pace.py measures both sides
MIN_LEAP = 0.3


class SokobanChecker:
    name = "sokoban"

    def __init__(self, scene: SokobanScene, version: str = "1", lost_seconds: float = 0.25):
        self.sc = scene
        self.version = version
        self.lost_seconds = lost_seconds
        self._kernel = np.ones((5, 5), np.uint8)

    def _look(self, img: np.ndarray, lut: np.ndarray, sprites: SpriteReader) -> Look:
        """One frame (on the first frame's camera) read: the sprites, and how much of each wall cell still
        reads as wall, away from cell borders and from the sprites (pixels under or next to them)."""
        sc = self.sc
        n_cells = sc.rows * sc.cols
        cls = lut[quantise(img)]
        p, amask, bmask, occ = sprites.read(img, cls)
        near = cv2.dilate((amask | bmask).astype(np.uint8), self._kernel).astype(bool)
        valid = sc.interior & ~near
        ok = np.bincount(sc.cell_of[valid], weights=(cls[valid] == WALL), minlength=n_cells)[:n_cells]
        seen = np.bincount(sc.cell_of[valid], minlength=n_cells)[:n_cells]
        judged = sc.walls.ravel() & (seen >= 4)
        mf = float(ok[judged].sum() / seen[judged].sum()) if judged.any() else None
        return Look(p, occ, near, ok / np.maximum(seen, 1), judged, mf, cls)

    @staticmethod
    def _walls_worse(look: Look, mf_ref: float) -> bool:
        """A wall cell misread, or the walls read worse than on the first frame."""
        return bool((look.judged & (look.frac < 0.6)).any()) or (look.mf or 1.0) < mf_ref - 0.004

    def check(self, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        sc = self.sc
        R, C = sc.rows, sc.cols
        n_cells = R * C
        lost_tol = max(2, int(round(self.lost_seconds * fps)))
        events: list[RuleEvent] = []
        lut = sprites = tracker = start_near = None
        tracked_at, mf_ref = 0, 1.0
        cur = None  # player cell
        boxes: set | None = None
        last_p = None
        player_track: list = []
        moves = pushes = 0
        lost_run = 0
        box_lost_run: dict = {}
        appear_run = 0
        inside_run = lean_run = 0
        wall_bad_run = np.zeros(n_cells, np.int32)
        targets = TargetWatch(sc, sc.interior)
        mf_sum, mf_n = 0.0, 0
        reached_at = left_at = None
        box_log: list = []
        n = 0

        def event(i, code, detail, kind=None):  # one event per code and kind
            if not any(e.code == code and e.kind == kind for e in events):
                events.append(RuleEvent(i, code, detail, kind))

        for i, frame in enumerate(frames):
            n += 1
            raw = to_canvas(fit, frame, sc.width, sc.height)
            if lut is None:
                lut = first_frame_lut(sc, raw, sc.reference)
                sprites = SpriteReader(sc, raw)
                # a camera that drifts more and more over the clip is followed on the first frame as the
                # video shows it, away from the sprites (where they start and where they are). Textured
                # skins only: a flat skin's cells read right under the drift as they are, and resampling
                # its hard edges would blend wall and floor into a grey box's colour (paper skin)
                tracker = CameraTracker(raw, max_frac=0.05) if sc.appearance_labels is not None else None
            look = self._look(raw if tracker is None else tracker.warped(raw), lut, sprites)
            if i == 0:
                mf_ref = look.mf if look.mf is not None else 1.0
                start_near = look.near
            elif tracker is not None and (
                    (self._walls_worse(look, mf_ref) and i - tracked_at >= 2) or i - tracked_at >= 4
            ) and not any(e.code == "LAYOUT_CHANGED" for e in events):
                # the walls read worse than at the start, or a few frames went by: a camera may still be
                # zooming or panning (a shift of a sixth of a cell is a lean into a wall). Re-align on the
                # layout away from the sprites, then read the frame again; a zoom or shift cannot make an
                # erased wall read as a wall again, so a real change stays caught
                tracked_at = i
                if tracker.update(raw, np.where(look.near | start_near, 0, 255).astype(np.uint8)):
                    look = self._look(tracker.warped(raw), lut, sprites)
            p, occ = look.p, look.occ
            if look.mf is not None:
                mf_sum += look.mf
                mf_n += 1
            # a player a cell or more from its last sighting jumped; judged before the boxes, because a
            # cut moves both at once and the box's move is then part of the jump, not a push or a pull
            jumped = p is not None and last_p is not None and np.hypot(p[0] - last_p[0], p[1] - last_p[1]) >= 0.9
            wall_bad_run = np.where(look.judged & (look.frac < 0.6), wall_bad_run + 1, 0)
            if (wall_bad_run >= 2).any():
                event(i - 1, "LAYOUT_CHANGED", f"wall cells {np.flatnonzero(wall_bad_run >= 2)[:6].tolist()} changed")
            for detail in targets.look(look.cls, look.near, lost_tol):
                event(i - lost_tol, "LAYOUT_CHANGED", detail, "target")

            # boxes: a box leaves a cell when its pixels there drop below 30%, arrives above 55%
            strong = {divmod(int(k), C) for k in np.flatnonzero(occ >= 0.55)}
            if boxes is None:
                boxes = set(strong)
                if boxes != set(sc.boxes):
                    event(i, "WRONG_START", f"boxes first seen at {sorted(boxes)}, expected {sorted(sc.boxes)}")
                    boxes = set(sc.boxes) if not boxes else boxes
            else:
                new = sorted(strong - boxes)
                # a box has left its cell below 30%, or when a new box next to it holds more of a box than
                # the old cell does: a box belongs where most of it is. A slow push (one step over 100
                # frames) reads its share in steps of a working pixel, so the new cell reaches 55% while
                # the old still holds half; a box pushed onto a wall may leave a trace that never drops
                lost = [b for b in boxes if occ[b] < 0.3 or any(
                    abs(q[0] - b[0]) + abs(q[1] - b[1]) == 1 and occ[q] > occ[b] for q in new)]
                for b in lost:
                    if not new:
                        break
                    b2 = min(new, key=lambda q: abs(q[0] - b[0]) + abs(q[1] - b[1]))
                    new.remove(b2)
                    boxes.discard(b)
                    boxes.add(b2)
                    box_lost_run.pop(b, None)
                    box_log.append([i, list(b), list(b2)])
                    self._judge_push(i, b, b2, occ, p if p is not None else last_p, jumped, event)
                    pushes += 1
                for b in [b for b in boxes if occ[b] < 0.3]:
                    box_lost_run[b] = box_lost_run.get(b, 0) + 1
                    if box_lost_run[b] > lost_tol:
                        event(i - lost_tol, "ILLEGAL_MOVE", f"box at {b} vanished", "box_vanished")
                for b in list(box_lost_run):
                    if b not in boxes or occ[b] >= 0.3:
                        box_lost_run.pop(b)
                appear_run = appear_run + 1 if new else 0
                if appear_run > lost_tol:
                    event(i - lost_tol, "LAYOUT_CHANGED", f"a box appeared at {new[0]}")

            # the player
            if p is None:
                lost_run += 1
                player_track.append(None)
                if lost_run == lost_tol + 1:
                    event(i - lost_tol, "SPRITE_LOST", f"player not found for more than {lost_tol} frames")
            else:
                lost_run = 0
                player_track.append(p)
                last_p = p
                r, c = int(np.floor(p[0] + 0.5)), int(np.floor(p[1] + 0.5))
                r, c = min(max(r, 0), R - 1), min(max(c, 0), C - 1)
                fy, fx = p[0] + 0.5 - r, p[1] + 0.5 - c
                depth = min(fy, 1 - fy, fx, 1 - fx)
                # a lean into a wall: deep at once, or a sixth of a cell on consecutive frames (the
                # sprite's centre reads shallower than drawn where the wall clips it)
                lean_run = lean_run + 1 if sc.walls[r, c] and depth > LEAN else 0
                if sc.walls[r, c]:
                    if depth > 0.25 or lean_run >= 2:
                        event(i, "WALL_CROSSING", f"player {depth:.2f} cells deep in the wall at {(r, c)}")
                elif cur is None:
                    cur = (r, c)
                    if cur != sc.start:
                        event(i, "WRONG_START", f"player first seen at {cur}, start is {sc.start}")
                elif (r, c) != cur:
                    if jumped or abs(r - cur[0]) + abs(c - cur[1]) != 1:
                        event(i, "TELEPORT", f"player jumped {cur}→{(r, c)}")
                    moves += 1
                    cur = (r, c)
                # inside a box cell for several frames (a push moves the box on within a frame or two)
                inside_run = inside_run + 1 if (cur is not None and cur in boxes and depth > 0.3) else 0
                if inside_run >= 3:
                    event(i - 2, "ILLEGAL_MOVE", f"player walked into the box at {cur}", "through_box")

            solved = boxes == set(sc.targets)
            if solved and reached_at is None:
                reached_at = i
            elif not solved and reached_at is not None and left_at is None:
                left_at = i
        if n == 0:
            return Verdict.error(self.name, "video has no frames", self.version)
        return self._decide(events, player_track, box_log, moves, pushes, reached_at, left_at,
                            mf_sum / max(mf_n, 1), n, fps)

    def _judge_push(self, i, b, b2, occ, p, jumped, event) -> None:
        """A box moved b → b2: legal only as a one-cell push with the player right behind it. In the frame
        where the player jumped (a cut moves both at once) the box's move is part of the jump."""
        d = (b2[0] - b[0], b2[1] - b[1])
        if jumped:
            event(i, "TELEPORT", f"box moved {b}→{b2} as the player jumped", "box_jump")
            return
        if abs(d[0]) + abs(d[1]) != 1:
            event(i, "TELEPORT", f"box jumped {b}→{b2}", "box_jump")
            return
        if self.sc.walls[b2]:
            event(i, "ILLEGAL_MOVE", f"box pushed into the wall at {b2}", "push_into_wall")
            return
        if p is None:
            event(i, "ILLEGAL_MOVE", f"box moved {b}→{b2} with no player in sight", "box_alone")
            return
        o1, o2 = occ[b], occ[b2]
        t = float(np.clip(o2 / max(o1 + o2, 1e-6), 0, 1))
        expected = (b[0] - d[0] + t * d[0], b[1] - d[1] + t * d[1])
        if np.hypot(p[0] - expected[0], p[1] - expected[1]) <= 0.5:
            return
        ahead = (p[0] - b[0]) * d[0] + (p[1] - b[1]) * d[1]
        if ahead > 0.3:
            event(i, "ILLEGAL_MOVE", f"box pulled {b}→{b2} (player in front of it)", "pull")
        else:
            event(i, "ILLEGAL_MOVE", f"box moved {b}→{b2} without the player behind it", "box_alone")

    def _decide(self, events, track, box_log, moves, pushes, reached_at, left_at, mf, n, fps) -> Verdict:
        sc = self.sc
        # boxes move only with the player, so its leap covers theirs
        leap = first_leap(track, 1.0, MIN_LEAP)
        if leap is not None:
            events.append(RuleEvent(leap.frame, leap.code, leap.detail, "leap"))
        events = in_order(events)
        legal = not events
        reached = reached_at is not None
        held = reached and left_at is None
        optimal = held and pushes == sc.min_pushes
        passed = legal and held
        # more pushes than the minimum is a metric here (optimal), not a failure: any legal solution passes
        failure, first = walk_failure(events, not moves and not box_log, reached, held, left_at)
        on_target = len(set(map(tuple, (b for _, _, b in box_log))) & set(sc.targets))
        progress = 1.0 if passed else round(min(pushes, sc.min_pushes) / max(sc.min_pushes, 1) * 0.5
                                            + 0.5 * on_target / max(len(sc.targets), 1), 4) * float(legal)
        gen = np.array([(c, r) for r, c in (p for p in track if p is not None)], np.float64).reshape(-1, 2)
        gt = np.array([(c, r) for r, c in sc.solution], np.float64)
        scale = np.array([sc.cols, sc.rows], np.float64)  # cell units → normalised frame coordinates
        vr = vr_metrics((gen + 0.5) / scale, (gt + 0.5) / scale, reached, mf, eps=0.5 / max(sc.rows, sc.cols))
        metrics = {"goal_reached_held": float(held), "reached": float(reached), "legal": float(legal),
                   "optimal": float(optimal), "exact": float(passed and optimal), "progress": progress,
                   "moves": moves, "pushes": pushes, "min_pushes": sc.min_pushes, "frames": n, **vr}
        evidence = {"player": [None if p is None else [round(p[0], 3), round(p[1], 3)] for p in track],
                    "box_moves": box_log, "events": None, "fps": fps}
        msg = events[0].detail if events else (failure or "").lower().replace("_", " ")
        return make_verdict(self.name, self.version, events, passed, failure, first, metrics, evidence, msg,
                            partial=progress)
