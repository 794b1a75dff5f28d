"""The tile checker of the answer-selection puzzles whose answer is an option that moves or vanishes
(sequence: one option tile travels from its home in the strip into an empty slot; odd one out: one
object fades out of the question area).

It reads the pointer puzzles' canvas (``checkers.pointer``: WORK, HOLD_SECONDS, the process codes) and
every frame through the first frame's alignment (a zoom moves the strip and the slot by different
amounts), the camera tracked on what cannot move. A tile or object that goes from in place to done
with no frame in between is TELEPORT; a given tile or an object that changes (erased, recoloured,
grown or shrunk by a fifth) is LAYOUT_CHANGED, a displacement of up to SHAKE px is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import cv2
import numpy as np

from ..schema import Fit, Verdict
from ..vision.align import warp_onto
from ..vision.mapping import CanvasSampler
from ..vision.palette import align_first
from ..vision.regions import InkRegions, maxdiff
from ..vision.tracking import CameraTracker, keep_out
from .events import Event, in_order, make_verdict
from .pointer import HOLD_SECONDS, PROCESS_CODES, WORK, H, W, LayoutWindow, layout_changes, scale_box

PRESENT, ABSENT, OTHER = 0, 1, 2  # what an option's home shows
# a home shows its piece as it was within SAME of the contrast between piece and empty home (at its best
# placement within ±2 px): a piece shrunk to 0.8× its size reads 0.35 (its area less by a third);
# it is gone within GONE
SAME, GONE = 0.2, 0.35
SHAKE = 2  # px a home or a given region may be displaced by (the camera's shake between re-fits)
SPILL = 3  # working px around a given region that count as the region (its ink growing out)
TIE = 0.05  # slot matches this close (in units of the empty slot's distance) are a tie
SLOT_REACH = 3  # px around the slot where an option may match (a drifting camera)


@dataclass(frozen=True, eq=False)  # holds images: compared by identity
class TileSpec:
    """What the tile checker needs of an item (canvas px)."""

    first_frame: np.ndarray  # the item as drawn, W×H
    empty: np.ndarray  # the item's first frame with every option removed
    option_boxes: list  # the options' homes [x0, y0, x1, y1]
    layout_boxes: list  # given regions that must keep their ink
    mode: str  # "move" (an option into the slot) or "remove" (an option vanishes)
    answer: int  # index of the correct option
    slot_box: list | None = None  # the target slot ("move")


def _match(window: np.ndarray, template: np.ndarray) -> float:
    """RMS difference of ``template`` at its best placement inside ``window`` (float32 arrays: the slot
    reader converts each once, not once per option and frame)."""
    r = cv2.matchTemplate(window, template, cv2.TM_SQDIFF)
    return float(np.sqrt(max(cv2.minMaxLoc(r)[0], 0.0) / template.size))


def _mean_absdiff(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two uint8 images: ``cv2.absdiff(a, b).mean()`` as one call (the sum
    is a whole number either way, so the value is the same) with no difference image made."""
    return cv2.norm(a, b, cv2.NORM_L1) / a.size


def _shifted(img: np.ndarray, box, m: int = SHAKE):
    """The windows of ``img`` at ``box`` (x0, y0, x1, y1) moved by up to ``m`` px each way that lie
    inside it (the unmoved one first)."""
    x0, y0, x1, y1 = box
    h, w = img.shape[:2]
    yield img[y0:y1, x0:x1]
    for dy in range(max(-m, -y0), min(m, h - y1) + 1):
        for dx in range(max(-m, -x0), min(m, w - x1) + 1):
            if dx or dy:
                yield img[y0 + dy:y1 + dy, x0 + dx:x1 + dx]


def _changed_beyond_shake(regions: InkRegions, img: np.ndarray, ref: np.ndarray, m: int = SHAKE,
                         frac: float = 0.25) -> list[int]:
    """The regions whose ink changed (``InkRegions.changed``) and still differs with the frame moved by
    up to ``m`` px: the camera is re-fitted every few frames but shakes on every one, and a given
    tile's bright edge one pixel off reads as a quarter of its ink changed. A tile erased, replaced,
    grown or shrunk 1.2× (its edges 2.5 px out or in on every side) matches at no shift."""
    out = []
    for k in regions.changed(img, ref, frac=frac):
        x0, y0, x1, y1 = regions.boxes[k]
        base = ref[y0:y1, x0:x1]
        best = min(cv2.countNonZero(cv2.compare(maxdiff(c, base), regions.thresh, cv2.CMP_GT))
                   for c in _shifted(img, regions.boxes[k], m))
        if best > frac * regions.ink[k]:
            out.append(k)
    return out


class TileChecker:
    """Reads option homes (present / absent / something else) and, in "move" mode, which option the
    target slot shows."""

    name = "tiles"

    def __init__(self, spec: TileSpec, version: str = "1", persist: int = 2):
        self.mode, self.version, self.persist = spec.mode, version, persist
        self.answer = spec.answer
        self.ref = cv2.resize(spec.first_frame, WORK, interpolation=cv2.INTER_AREA)
        self.empty = cv2.resize(spec.empty, WORK, interpolation=cv2.INTER_AREA)
        self.opt = [scale_box(b, 0) for b in spec.option_boxes]
        self.slot = scale_box(spec.slot_box, 0) if spec.slot_box is not None else None
        self.layout_boxes = list(spec.layout_boxes)
        self._window_boxes()
        self._masks: dict = {}  # tracking masks by (shape, homes read PRESENT): made once, never changed

    def _window_boxes(self) -> None:
        """The part of a frame that is read (``LayoutWindow``: blurred and compared there alone) and the
        boxes read, relative to it (``*_in``). It reaches SHAKE and SLOT_REACH px past every box (or to
        the frame's edge), so every displaced comparison sees the pixels it saw on the whole frame."""
        start = self.layout_boxes + [self._work_to_canvas(b) for b in self.opt]
        if self.slot is not None:
            start.append(self._work_to_canvas(self.slot))
        start = [scale_box(b) for b in start]  # the first frame's regions
        given = [scale_box(b, SPILL) for b in self.layout_boxes]  # a given's ink, SPILL px out
        read = self.opt + ([self.slot] if self.slot is not None else [])
        r = max(SHAKE, SLOT_REACH)
        self.window = LayoutWindow([(max(x0 - r, 0), max(y0 - r, 0), min(x1 + r, WORK[0]), min(y1 + r, WORK[1]))
                                    for x0, y0, x1, y1 in start + given + read])
        ox, oy = self.window.inner[1].start, self.window.inner[0].start

        def inside(boxes):
            return [(x0 - ox, y0 - oy, x1 - ox, y1 - oy) for x0, y0, x1, y1 in boxes]

        self.start_in, self.given_in, self.opt_in = inside(start), inside(given), inside(self.opt)
        self.slot_in = inside([self.slot])[0] if self.slot is not None else None

    @staticmethod
    def _crop(img, b):
        return img[b[1]:b[3], b[0]:b[2]]

    def check(self, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        dwell = max(2, int(round(HOLD_SECONDS * fps)))
        events: list[Event] = []
        states, slots = [], []
        f0b = empty_b = warp = None
        mismatch = None
        tracked_at = 0
        n = 0
        sample = CanvasSampler(fit, *WORK)
        for i, frame in enumerate(frames):
            n += 1
            raw = sample(frame)
            if i == 0:
                aligned, cmap, warp = align_first(self.ref, raw)
                # a camera that keeps drifting is followed on the first frame as the video shows it,
                # on what cannot move (see _tracking_mask)
                tracker = CameraTracker(warp_onto(raw, warp, *WORK), warp, self._tracking_mask(raw.shape[:2]),
                                        max_frac=0.05)
            # every frame through the first frame's alignment: homes and slot are far apart, so a zoom
            # moves them by different amounts and a tile would not match itself in the slot
            img = self.window.blur(tracker.warped(raw))  # the part read (homes, slot, givens)
            if i == 0:
                ref_b = self.window.blur(cmap(self.ref))
                empty_b = self.window.blur(cmap(self.empty))
                check = InkRegions(self.start_in, ref_b)
                bad = check.changed(self.window.blur(aligned), ref_b)
                if bad:
                    events.append(Event(0, "WRONG_START", f"first frame differs from the item in regions {bad[:6]}"))
                # a given's region reaches past its box: a tile grown 1.2× puts its edge 2.5 px out,
                # which its box alone would not see
                regions = InkRegions(self.given_in, ref_b)
                mismatch = np.zeros(len(self.layout_boxes), np.int32)
                f0b = img
                homes0 = [self._crop(f0b, b) for b in self.opt_in]
                empties = [self._crop(empty_b, b) for b in self.opt_in]
                contrast = [max(_mean_absdiff(h, e), 4.0) for h, e in zip(homes0, empties)]
            st = self._read(img, homes0, empties, contrast)
            states.append(st)
            if self.slot is not None:
                if i == 0:
                    win0 = self._window(f0b).astype(np.float32)
                    tiles = [h.astype(np.float32) for h in homes0]
                    seps = [max(_match(win0, t), 4.0) for t in tiles]  # empty slot vs each option
                    e0 = self._crop(f0b, self.slot_in).astype(np.float32)
                slots.append(self._read_slot(img, tiles, seps, e0, st))
            bad = _changed_beyond_shake(regions, img, f0b) if self.layout_boxes else []
            unsure = bad or OTHER in st or (self.slot is not None and slots[-1] == -2)
            if (unsure or i - tracked_at >= 4) and i > tracked_at and not any(e.code == "LAYOUT_CHANGED" for e in events):
                # misread regions may be the camera drifting on: re-align, then read the frame again;
                # every few frames anyway, as a drifted tile can match a similar option in the slot
                tracked_at = i
                if tracker.update(raw, self._tracking_mask(raw.shape[:2], st)):
                    img = self.window.blur(tracker.warped(raw))
                    st = self._read(img, homes0, empties, contrast)
                    if self.slot is not None:
                        slots[-1] = self._read_slot(img, tiles, seps, e0, st)
                    states[-1] = st
                    bad = _changed_beyond_shake(regions, img, f0b) if self.layout_boxes else []
            mismatch = layout_changes(events, mismatch, bad, i, self.persist, "given regions")
        if n == 0:
            return Verdict.error(self.name, "video has no frames", self.version)
        return self._decide(events, np.array(states, np.int8), slots, n, fps, dwell)

    def _tracking_mask(self, shape, st=None) -> np.ndarray:
        """Where the camera is tracked (uint8, 255 = on). A travelling tile crosses the whole stretch
        between the strip and the slot (the panel's edge among it), and fitted there it drags the warp
        into a false zoom (sequence medium/slate drift+letterbox+CRF40: every given read changed): in
        "move" mode the box around the homes and the slot is left out, but for the given regions in it,
        which must stay put, and the homes read PRESENT (``st``: the frame's reading), whose tiles have
        not left: the strip is the only landmark far below the row, without it the zoom across the row
        is a guess. An object fading out in place pushes no shift, and the others are the best
        landmarks there are; in "remove" mode the homes not read PRESENT are left out (a fading or gone
        object only lowers the match: every re-fit against it was tried, on every unsure frame, and
        dropped)."""
        key = (shape, None if st is None else tuple(st))
        if key not in self._masks:  # the same mask object again: the tracker keeps its pixels' spread
            self._masks[key] = self._make_tracking_mask(shape, st)
        return self._masks[key]

    def _make_tracking_mask(self, shape, st=None) -> np.ndarray:
        if self.mode != "move" or self.slot is None:
            return keep_out(shape, [b for b, s in zip(self.opt, st) if s != PRESENT] if st is not None else [])
        moving = self.opt + [self.slot]
        travel = [min(b[0] for b in moving), min(b[1] for b in moving),
                  max(b[2] for b in moving), max(b[3] for b in moving)]
        mask = keep_out(shape, [travel])
        still = [scale_box(b, 0) for b in self.layout_boxes]
        if st is not None:
            still += [b for b, s in zip(self.opt, st) if s == PRESENT]
        for x0, y0, x1, y1 in still:
            mask[y0:y1, x0:x1] = 255
        left = [b for b in moving if b not in still]
        return cv2.min(mask, keep_out(shape, left)) if left else mask  # what may move stays out

    def _read(self, img, homes0, empties, contrast) -> list[int]:
        """What each option's home shows: PRESENT, ABSENT or OTHER."""
        st = []
        for k, b in enumerate(self.opt_in):
            c = self._crop(img, b)
            p, a = _mean_absdiff(c, homes0[k]) / contrast[k], _mean_absdiff(c, empties[k]) / contrast[k]
            if p >= SAME and a >= GONE:  # neither: a camera shaking faster than tracking? look ±2 px
                p = min(_mean_absdiff(s, homes0[k]) for s in _shifted(img, b)) / contrast[k]
            st.append(PRESENT if p < SAME else ABSENT if a < GONE else OTHER)
        return st

    def _read_slot(self, img, tiles, seps, e0, st) -> int:
        """The option the slot shows, -1 when empty, -2 when neither. Two options that look alike (a
        square and a circle of one colour) can swap places in the match under a drifting camera; of a
        near tie, the one that has left its home (``st``: the homes as read now) is the one here.
        ``tiles``: the options' homes on the first frame, float32."""
        c = self._crop(img, self.slot_in).astype(np.float32)
        win = self._window(img).astype(np.float32)
        # the home and the slot are far apart: allow a few pixels of drift (zoom, shift)
        d_opt = [_match(win, t) / s for t, s in zip(tiles, seps)]
        d_empty = float(np.sqrt(((c - e0) ** 2).mean())) / min(seps)
        k = int(np.argmin(d_opt))
        if st[k] == PRESENT:
            gone = [j for j in range(len(d_opt)) if st[j] != PRESENT and d_opt[j] <= d_opt[k] + TIE]
            k = min(gone, key=lambda j: d_opt[j]) if gone else k
        return k if d_opt[k] < 0.4 and d_opt[k] < d_empty else -1 if d_empty < 0.35 else -2

    def _window(self, img, m: int = SLOT_REACH):
        x0, y0, x1, y1 = self.slot_in
        return img[max(0, y0 - m):y1 + m, max(0, x0 - m):x1 + m]

    @staticmethod
    def _work_to_canvas(b):
        sx, sy = W / WORK[0], H / WORK[1]
        return [b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy]

    def _decide(self, events, states, slots, n, fps, dwell) -> Verdict:
        K = states.shape[1]
        end = states[-dwell:] if len(states) >= dwell else states
        stable = [int(end[0, k]) if (end[:, k] == end[0, k]).all() else OTHER for k in range(K)]
        changed_ever = [bool((states[:, k] != PRESENT).any()) for k in range(K)]
        failure, first_err, msg = None, None, ""
        chosen = -1
        if self.mode == "remove":
            gone = [k for k in range(K) if stable[k] == ABSENT]
            altered = [k for k in range(K) if stable[k] == OTHER]
            chosen = gone[0] if len(gone) == 1 else -1
            goal_k = chosen if chosen >= 0 else self.answer  # the removal whose process is checked
            if [k for k in altered if k != self.answer]:
                failure, msg = "LAYOUT_CHANGED", f"objects {altered} are altered, not removed"
            elif altered:
                failure, msg = "GOAL_NOT_REACHED", "the odd one is only partly removed"
            elif any(k != self.answer for k in gone):
                failure, msg = "WRONG_ANSWER", f"removed {gone}; the odd one is {self.answer}"
            elif not gone:
                failure = "STATIC" if not any(changed_ever) else "GOAL_NOT_REACHED"
                msg = "nothing is removed" if failure == "STATIC" else "no object is removed for good"
            done = [i for i in range(len(states)) if states[i, goal_k] == ABSENT]
        else:
            end_slots = slots[-dwell:]
            slot_final = end_slots[0] if all(s == end_slots[0] for s in end_slots) else -2
            chosen = slot_final if slot_final >= 0 else -1
            others = [k for k in range(K) if k != chosen and stable[k] != PRESENT]
            goal_k = chosen if chosen >= 0 else self.answer
            if chosen >= 0 and stable[chosen] == PRESENT:
                failure, msg = "AGENT_DUPLICATED", f"option {chosen} shows in the slot and still at home (copied)"
            elif (others if chosen >= 0 else others[1:]):  # with an empty slot, one tile may be under way
                failure, msg = "LAYOUT_CHANGED", f"options {others} left their places"
            elif chosen >= 0 and chosen != self.answer:
                failure, msg = "WRONG_ANSWER", f"option {chosen} fills the slot; the answer is {self.answer}"
            elif chosen < 0:
                anything = any(changed_ever) or any(s != -1 for s in slots)
                failure = "GOAL_NOT_REACHED" if anything else "STATIC"
                msg = "the slot never shows an option" if anything else "nothing moves"
            done = [i for i, s in enumerate(slots) if s == goal_k]
        # a cut is not a process: the chosen piece must be seen in between (≥ 1 frame)
        home = [i for i in range(len(states)) if states[i, goal_k] == PRESENT]
        if done and states[done[0], goal_k] != PRESENT:  # (still at home too: a copy, judged above)
            first_done = done[0]
            before = [i for i in home if i < first_done]
            if before and first_done - before[-1] < 2:
                events.append(Event(first_done, "TELEPORT", f"option {goal_k} went from its place to done "
                                                            "in one frame (a cut)"))
        proc = [e for e in in_order(events) if e.code in PROCESS_CODES]
        if proc:
            failure, first_err, msg = proc[0].code, proc[0].frame, proc[0].detail
        passed = failure is None
        best = bool(done) and goal_k == self.answer
        metrics = {"success": float(passed), "selected_last": float(passed or (chosen == self.answer)),
                   "selected_best": float(best), "final_choice": chosen, "answer": self.answer, "frames": n}
        evidence = {"states": states.tolist(), "slot": slots, "fps": fps,
                    "state_names": {"0": "present", "1": "absent", "2": "other"}}
        return make_verdict(self.name, self.version, events, passed, failure, first_err, metrics, evidence, msg)
