"""The pointer checker of the answer-selection puzzles (counting, arithmetic, transitive): follows a
marker from its start pad to below one option of the answer strip, where it must stay.

Conventions shared with the tile checker (``checkers.tile``), which reads the same canvas:
  * frames are mapped onto the canvas at half size (WORK) through the request's Fit;
  * the first frame is aligned to the rendered item (``vision.palette.align_first``: ECC affine,
    colours mapped per channel from the medians of flat areas): a first frame that does not show the
    item is WRONG_START;
  * layout regions (the question's glyphs and objects, the option boxes) are compared with the video's
    own first frame: a region whose ink changes for ``persist`` frames is LAYOUT_CHANGED;
  * a cut is not a process: a marker that moves more than JUMP_FRAC of the canvas width between two
    frames is TELEPORT;
  * the answer is decided at the last frame and must be held for HOLD_SECONDS; metrics also report
    whether the correct answer was held at any frame (the "best frame").
The canvas layout below is what the checker reads; the families (``tasks.puzzles.pointer``) draw on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import cv2
import numpy as np

from ..schema import Fit, Verdict
from ..vision.components import components
from ..vision.mapping import CanvasSampler
from ..vision.palette import align_first
from ..vision.regions import ColourBox, InkRegions, blur
from ..vision.tracking import CameraTracker
from .events import Event, first_event, in_order, make_verdict

W, H = 512, 400  # canvas
WORK = (W // 2, H // 2)  # checker working size
STRIP = (224, 272)  # y range of the answer strip
LANE_Y = 300  # marker centre when it points at an option
START = (W // 2, 368)  # marker start pad (≥ 68 px from every pointing position: a cut is a jump)
MARKER_R = 13  # marker half size (px)
JUMP_FRAC = 0.1  # a marker step longer than this fraction of the width in one frame is a cut
HOLD_SECONDS = 0.3

# process failures decide a verdict before the answer does (earliest frame first)
PROCESS_CODES = ("WRONG_START", "TELEPORT", "AGENT_DUPLICATED", "LAYOUT_CHANGED", "SPRITE_LOST")


def marker_points(x: float, y: float) -> np.ndarray:
    """The marker's triangle centred at (x, y), canvas px."""
    r = MARKER_R
    return np.round(np.array([(x, y - r), (x + r, y + r), (x - r, y + r)])).astype(np.int32)


def scale_box(box, margin: int = 1) -> tuple[int, int, int, int]:
    """A canvas box in working pixels, grown by ``margin`` and clipped to the working size."""
    sx, sy = WORK[0] / W, WORK[1] / H
    x0, y0, x1, y1 = box
    return (max(0, int(math.floor(x0 * sx)) - margin), max(0, int(math.floor(y0 * sy)) - margin),
            min(WORK[0], int(math.ceil(x1 * sx)) + margin), min(WORK[1], int(math.ceil(y1 * sy)) + margin))


class LayoutWindow:
    """The part of a working frame that the layout regions cover: ``blur`` and the ink comparison
    (``vision.regions``) run on it alone, which on these canvases is a fifth to three fifths of the
    frame. Blurring a crop that reaches BLUR_REACH px past the regions gives, inside them, the very
    pixels of blurring the whole frame (the kernel reads 3 px each side), so verdicts do not move."""

    BLUR_REACH = 4

    def __init__(self, boxes):
        a = np.array(boxes, np.int64).reshape(-1, 4)
        x0, y0 = (int(v) for v in a[:, :2].min(0))
        x1, y1 = (int(v) for v in a[:, 2:].max(0))
        r = self.BLUR_REACH
        self.inner = (slice(y0, y1), slice(x0, x1))
        self.outer = (slice(max(y0 - r, 0), min(y1 + r, WORK[1])), slice(max(x0 - r, 0), min(x1 + r, WORK[0])))
        self.inset = (slice(y0 - self.outer[0].start, y1 - self.outer[0].start),
                      slice(x0 - self.outer[1].start, x1 - self.outer[1].start))
        self.boxes = [(bx0 - x0, by0 - y0, bx1 - x0, by1 - y0) for bx0, by0, bx1, by1 in a.tolist()]  # in the window

    def blur(self, img: np.ndarray) -> np.ndarray:
        """``blur(img)`` inside the window."""
        return blur(img[self.outer])[self.inset]

    def crop(self, mask: np.ndarray) -> np.ndarray:
        return mask[self.inner]


def layout_changes(events: list[Event], streaks: np.ndarray, bad: list[int], i: int, persist: int,
                   what: str) -> np.ndarray:
    """Counts, per region, the frames in a row whose ink changed (``bad``: this frame's); a change
    that lasts ``persist`` frames is LAYOUT_CHANGED (recorded once, at its first frame). Returns the
    new counts."""
    if not bad and persist > 0 and not streaks.any():  # the usual frame: nothing changed, nothing to count
        return streaks
    hit = np.zeros(len(streaks), bool)
    hit[bad] = True
    streaks = np.where(hit, streaks + 1, 0)
    if (streaks >= persist).any() and not first_event(events, "LAYOUT_CHANGED"):
        events.append(Event(i - persist + 1, "LAYOUT_CHANGED",
                            f"{what} {np.flatnonzero(streaks >= persist)[:6].tolist()} changed"))
    return streaks


@dataclass(frozen=True, eq=False)  # holds images: compared by identity
class PointerSpec:
    """What the pointer checker needs of an item (canvas px, nominal RGB colours)."""

    first_frame: np.ndarray  # the item as drawn, W×H
    boxes: list  # the option boxes [x0, y0, x1, y1]
    targets: list  # where the marker points at each option
    answer: int  # index of the correct option
    start: tuple  # the marker's start pad
    options: list  # the option values (for messages)
    layout_boxes: list  # question regions that must keep their ink (the option boxes are added)
    marker: tuple  # the marker's colour
    others: tuple  # every other colour drawn (background, panel, ink, boxes, edges, objects)


class PointerChecker:
    """Follows the marker; the selected option is the box above it while it sits in the lane."""

    name = "pointer"

    def __init__(self, spec: PointerSpec, version: str = "1", persist: int = 2):
        self.spec, self.version, self.persist = spec, version, persist
        self.ref = cv2.resize(spec.first_frame, WORK, interpolation=cv2.INTER_AREA)
        self.boxes = spec.boxes
        self.targets = np.array(spec.targets, np.float64)
        self.answer = spec.answer
        self.start = np.array(spec.start, np.float64)
        self.pitch = (self.boxes[1][0] - self.boxes[0][0]) if len(self.boxes) > 1 else 60
        self.layout_boxes = list(spec.layout_boxes) + list(self.boxes)
        m = np.zeros((H, W), np.uint8)
        cv2.fillPoly(m, [marker_points(*START)], 1)
        self.marker_area = float(m.sum()) * (WORK[0] / W) * (WORK[1] / H)
        small = cv2.resize(m, WORK, interpolation=cv2.INTER_AREA)
        self._start_mask = cv2.erode(small, np.ones((3, 3), np.uint8)).astype(bool)

    @staticmethod
    def _marker_box(colour: np.ndarray, radius: float) -> ColourBox:
        """The marker's mask: 1 where every channel is within ``radius`` (exclusive) of the colour, rounded."""
        return ColourBox(np.clip(np.round(colour), 0, 255).astype(np.uint8), radius)

    def check(self, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        dwell = max(2, int(round(HOLD_SECONDS * fps)))
        lost_tol = max(2, int(round(0.25 * fps)))
        jump = JUMP_FRAC * W
        events: list[Event] = []
        xys, sels = [], []
        regions = f0b = marker = None
        mismatch = None
        last_xy, lost, dup_run = None, 0, 0
        max_step, moved = 0.0, 0.0
        tracked_at = 0
        n = 0
        kernel = np.ones((5, 5), np.uint8)
        tracker: CameraTracker | None = None  # made on the first frame
        sample = CanvasSampler(fit, *WORK)
        window = LayoutWindow([scale_box(b) for b in self.layout_boxes])
        for i, frame in enumerate(frames):
            n += 1
            img = raw = sample(frame)
            if i > 0:
                img = tracker.warped(raw)
            if i == 0:
                aligned, cmap, _ = align_first(self.ref, img)
                ref_obs = cmap(self.ref)
                colour = cmap(np.array([self.spec.marker], np.float32))[0]
                others = cmap(np.array(list(self.spec.others), np.float32))
                at_start = aligned[self._start_mask]
                if len(at_start):  # the video shows the marker at its start: trust the colour it shows
                    med = np.median(at_start.reshape(-1, 3), axis=0).astype(np.float32)
                    if np.abs(med - colour).max() < np.abs(others - med).max(1).min():
                        colour = med
                gap = float(np.abs(others - colour).max(1).min())
                radius = float(np.clip(0.5 * gap, 30, 80))
                ref_b = window.blur(ref_obs)
                regions = InkRegions(window.boxes, ref_b)
                marker = self._marker_box(colour, radius)
                am = cv2.dilate(marker(aligned), kernel).astype(bool)
                bad = regions.changed(window.blur(aligned), ref_b, window.crop(am))
                if bad:
                    events.append(Event(0, "WRONG_START", f"first frame differs from the item in regions {bad[:6]}"))
                f0b = window.blur(img)
                mismatch = np.zeros(len(self.layout_boxes), np.int32)
                # later frames are aligned to this one as the camera drifts
                tracker = CameraTracker(img, max_frac=0.05)
                start_near = cv2.dilate(marker(img), kernel).astype(bool)
            mask, xy, dup = self._sight(img, marker, last_xy)
            # layout: every region keeps its ink, ignoring pixels around the marker
            near = cv2.dilate(mask, kernel).astype(bool)
            bad = regions.changed(window.blur(img), f0b, window.crop(near))
            if bad and i - tracked_at >= 2 and not first_event(events, "LAYOUT_CHANGED"):
                # a camera still zooming or panning: re-align on the layout away from the marker (now
                # and at its start), then read the frame again
                tracked_at = i
                if tracker.update(raw, np.where(near | start_near, 0, 255).astype(np.uint8)):
                    img = tracker.warped(raw)
                    mask, xy, dup = self._sight(img, marker, last_xy)
                    near = cv2.dilate(mask, kernel).astype(bool)
                    bad = regions.changed(window.blur(img), f0b, window.crop(near))
            mismatch = layout_changes(events, mismatch, bad, i, self.persist, "regions")
            dup_run = dup_run + 1 if dup else 0
            if dup_run >= 2 and not first_event(events, "AGENT_DUPLICATED"):
                events.append(Event(i - 1, "AGENT_DUPLICATED", "two markers are visible"))
            if xy is None:
                lost += 1
                xys.append(None)
                sels.append(-1)
                if lost == lost_tol + 1:
                    events.append(Event(i - lost_tol, "SPRITE_LOST", f"marker not found for {lost_tol}+ frames"))
                continue
            lost = 0
            if last_xy is None:
                if math.hypot(xy[0] - self.start[0], xy[1] - self.start[1]) > 2 * MARKER_R:
                    events.append(Event(i, "WRONG_START", "the marker does not start on its start pad"))
            else:
                step = math.hypot(xy[0] - last_xy[0], xy[1] - last_xy[1])
                max_step = max(max_step, step)
                if step > jump and not first_event(events, "TELEPORT"):
                    events.append(Event(i, "TELEPORT", f"marker jumped {step:.0f} px in one frame (a cut)"))
            moved = max(moved, math.hypot(xy[0] - self.start[0], xy[1] - self.start[1]))
            last_xy = xy
            xys.append(xy)
            sels.append(self._select(xy))
        if n == 0:
            return Verdict.error(self.name, "video has no frames", self.version)
        return self._decide(events, xys, sels, n, fps, dwell, moved, max_step)

    def _sight(self, img: np.ndarray, marker: ColourBox, last_xy):
        """(marker-coloured mask, the marker's centre in canvas px or None, whether a second marker shows)."""
        sx, sy = W / WORK[0], H / WORK[1]
        mask = marker(img)
        nc, stats, cents = components(mask)  # labelled in the box of the marker-coloured pixels only
        xy, dup = None, False
        if nc > 1:
            areas = stats[1:, cv2.CC_STAT_AREA]
            big = [j for j in np.argsort(-areas) if areas[j] >= 0.3 * self.marker_area]
            if big:
                pts = [(cents[1 + j][0] * sx, cents[1 + j][1] * sy) for j in big]
                # follow the marker: the blob nearest to where it was (the largest at first)
                main = 0 if last_xy is None else int(np.argmin(
                    [math.hypot(p[0] - last_xy[0], p[1] - last_xy[1]) for p in pts]))
                xy = pts[main]
                dup = any(areas[j] >= 0.4 * self.marker_area and
                          math.hypot(pts[q][0] - xy[0], pts[q][1] - xy[1]) > 2 * MARKER_R
                          for q, j in enumerate(big) if q != main)
        return mask, xy, dup

    def _select(self, xy) -> int:
        # below the box (as the oracle points) or over the box itself: both select that option
        if not STRIP[0] <= xy[1] <= LANE_Y + MARKER_R * 1.2:
            return -1
        dx = np.abs(self.targets[:, 0] - xy[0])
        k = int(np.argmin(dx))
        return k if dx[k] <= 0.35 * self.pitch else -1

    def _decide(self, events, xys, sels, n, fps, dwell, moved, max_step) -> Verdict:
        runs = _runs(sels)
        final, final_len = runs[-1] if runs else (-1, 0)
        held = [v for v, ln in runs if v >= 0 and ln >= dwell]
        best = self.answer in held
        last_ok = final == self.answer and final_len >= dwell
        proc = [e for e in in_order(events) if e.code in PROCESS_CODES]
        failure, first_err, msg = None, None, ""
        if proc:
            failure, first_err, msg = proc[0].code, proc[0].frame, proc[0].detail
        elif last_ok:
            pass
        elif final >= 0 and final_len >= dwell:
            failure, first_err = "WRONG_ANSWER", n - final_len
            msg = f"the marker selects option {final} ({self.spec.options[final]}), not the answer"
        elif moved < 0.25 * self.pitch:
            failure, first_err, msg = "STATIC", 0, "the marker never leaves its start"
        elif best:
            failure, msg = "GOAL_NOT_HELD", "the answer was selected and then left"
        else:
            failure, msg = "GOAL_NOT_REACHED", "the marker does not come to rest on any option"
        passed = failure is None
        metrics = {"success": float(passed), "selected_last": float(last_ok), "selected_best": float(best),
                   "final_choice": final if final_len >= dwell else -1, "answer": self.answer,
                   "max_step_px": round(max_step, 1), "frames": n}
        evidence = {"xy": [None if p is None else [round(p[0] / W, 4), round(p[1] / H, 4)] for p in xys],
                    "selected": sels, "fps": fps}
        return make_verdict(self.name, self.version, events, passed, failure, first_err, metrics, evidence, msg)


def _runs(seq) -> list[tuple[int, int]]:
    """Run-length encoding: (value, length) per run."""
    out: list[list[int]] = []
    for v in seq:
        if out and out[-1][0] == v:
            out[-1][1] += 1
        else:
            out.append([v, 1])
    return [(a, b) for a, b in out]
