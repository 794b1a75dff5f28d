"""Frame → task canvas at a working size: the request's fit, the working scale and a camera
alignment folded into one crop and one resize (of RGB frames, or of a decoded frame's Y, U, V planes,
converting only the working pixels)."""

from __future__ import annotations

import hashlib

import cv2
import numpy as np

from ..geometry import to_canvas
from ..schema import Fit
from ..video import YuvFrame
from .align import ecc_affine, grey


class FrameMapper:
    """Frame → working pixels: the fit, the working scale and a global alignment in one resize.

    The mapping is axis-aligned (scale and offset per axis: letterbox, stretch, zoom, shift), so it
    is a crop of the frame (rounded to whole pixels: < 1/3 working px off) and one bilinear
    ``cv2.resize``, the cheapest resampling cv2 has. Frames over 4× the working size are first
    halved with area averaging (cv2's fast 2×2 path) so that no pixel is skipped.

    A ``YuvFrame`` (planes straight from the decoder) is sampled plane by plane instead — see
    ``_sample_planes`` — and only the working pixels are converted to RGB. With ``planes="exact"`` a
    ``YuvFrame`` gives what its swscale RGB conversion would (``_sample_exact``): the same pixels, bit
    for bit, for a checker validated on RGB frames, at the cost of converting only the working pixels.
    With ``planes="aligned"`` each plane is sampled at the exact centres of the working pixels
    (``_sample_aligned``): "area" crops chroma to whole chroma pixels and upsamples it by nearest,
    which shifts colour edges by up to two frame pixels against luma — a thin bar's top row then reads
    dark grey (its luma under the background's chroma).
    """

    def __init__(self, fit: Fit, width: int, height: int, interpolation: int = cv2.INTER_NEAREST,
                 planes: str = "area"):
        if planes not in ("area", "exact", "aligned"):
            raise ValueError(f"planes must be 'area', 'exact' or 'aligned', not {planes!r}")
        self.planes = planes
        self.fit, self.W, self.H = fit, int(width), int(height)
        # working x (continuous) → frame x = ax · x + bx; same for y
        self.ax, self.bx = fit.canvas_w / self.W * fit.scale_x, fit.offset_x
        self.ay, self.by = fit.canvas_h / self.H * fit.scale_y, fit.offset_y
        self.alignment = np.eye(2, 3)
        self.interpolation = interpolation
        self._ecc_memo = {}  # (inputs' digests, settings) → (reference, ECC estimate): see _estimate
        self._plan()

    def _plan(self) -> None:
        fit = self.fit
        x0, x1 = int(round(self.bx)), int(round(self.bx + self.ax * self.W))
        y0, y1 = int(round(self.by)), int(round(self.by + self.ay * self.H))
        self.pad = (max(0, -y0), max(0, y1 - fit.frame_h), max(0, -x0), max(0, x1 - fit.frame_w))
        self.rect = (max(x0, 0), max(y0, 0), min(x1, fit.frame_w), min(y1, fit.frame_h))
        self.halvings = 0
        # halve (area average) only far-oversized frames: flat-coloured layouts survive sampling
        # every few pixels, but not every tenth
        while min(x1 - x0, y1 - y0) >> self.halvings >= 8 * min(self.W, self.H) and self.halvings < 4:
            self.halvings += 1
        self._exact = None  # the SwscaleSamples of this plan, made on first use
        self._aligned = None  # (plane shapes, per-plane sampling plans) of this plan, made on first use

    def __call__(self, frame: np.ndarray | YuvFrame) -> np.ndarray:
        fit = self.fit
        if frame.shape[1] != fit.frame_w or frame.shape[0] != fit.frame_h:
            raise ValueError(
                f"frame is {frame.shape[1]}x{frame.shape[0]} but the fit expects {fit.frame_w}x{fit.frame_h}")
        if isinstance(frame, YuvFrame):
            if self.planes == "aligned":
                return self._sample_aligned(frame)
            return self._sample_exact(frame) if self.planes == "exact" else self._sample_planes(frame)
        x0, y0, x1, y1 = self.rect
        img = frame[y0:y1, x0:x1]
        if any(self.pad):  # the aligned canvas reaches past the frame edge (a zoom out or shift)
            img = cv2.copyMakeBorder(img, *self.pad, cv2.BORDER_REPLICATE)
        for _ in range(self.halvings):
            h, w = img.shape[0] // 2, img.shape[1] // 2
            img = cv2.resize(img[:2 * h, :2 * w], (w, h), interpolation=cv2.INTER_AREA)
        return cv2.resize(img, (self.W, self.H), interpolation=self.interpolation)

    def _sample_exact(self, frame: YuvFrame) -> np.ndarray:
        """The working pixels of the frame's swscale RGB conversion, bit-identical to mapping that
        conversion: a nearest resize reads one frame pixel per working pixel, and swscale converts
        just those (``SwscaleSamples``). Area halvings (far-oversized frames), other interpolations
        and pixel formats convert the whole frame, as the RGB frame source would."""
        if self.halvings or self.interpolation != cv2.INTER_NEAREST or not frame.samples_exactly:
            return self(frame.swscale_rgb())
        if self._exact is None:
            x0, y0, x1, y1 = self.rect
            top, bottom, left, right = self.pad
            # the frame pixels a nearest resize of the (edge-replicated) crop reads
            rows = y0 + np.clip(_nearest_index(top + (y1 - y0) + bottom, self.H) - top, 0, y1 - y0 - 1)
            cols = x0 + np.clip(_nearest_index(left + (x1 - x0) + right, self.W) - left, 0, x1 - x0 - 1)
            self._exact = SwscaleSamples(rows, cols)
        return self._exact(frame)

    def _sample_planes(self, frame: YuvFrame) -> np.ndarray:
        """Area-like samples of each plane at the working grid, then RGB of those samples only.

        Per plane: its share of the crop (chroma planes are smaller by the format's subsampling), 2×2
        area halvings (cv2's vectorised path) while it is twice the working size or more, then the
        factor left (under 2×) by bilinear weights, or nearest when the crop is smaller than the
        working grid. Exact area averaging at a fractional factor (swscale's, cv2's general path)
        costs more than decoding the frame; this counts every pixel down to a factor of 2, at a tenth.
        """
        x0, y0, x1, y1 = self.rect
        top, bottom, left, right = self.pad
        out = []
        for plane in (frame.y, frame.u, frame.v):
            sy, sx = frame.y.shape[0] / plane.shape[0], frame.y.shape[1] / plane.shape[1]
            img = plane[int(y0 / sy):int(np.ceil(y1 / sy)), int(x0 / sx):int(np.ceil(x1 / sx))]
            if top or bottom or left or right:
                img = cv2.copyMakeBorder(img, int(np.ceil(top / sy)), int(np.ceil(bottom / sy)),
                                         int(np.ceil(left / sx)), int(np.ceil(right / sx)), cv2.BORDER_REPLICATE)
            out.append(_shrink(img, self.W, self.H))
        return frame.to_rgb(*out)

    def _sample_aligned(self, frame: YuvFrame) -> np.ndarray:
        """Each plane sampled at the working pixels' own centres (its subsampling taken into account),
        then RGB of those samples only: 2×2 area halvings while a plane is twice the working size or
        more, then one bilinear warp, edges replicated where the canvas reaches past the frame."""
        shapes = (frame.y.shape, frame.u.shape)
        if self._aligned is None or self._aligned[0] != shapes:  # one plan per mapping and frame format
            plans = []
            for plane in (frame.y, frame.u):  # u and v share one shape
                sy, sx = frame.y.shape[0] / plane.shape[0], frame.y.shape[1] / plane.shape[1]
                plans.append(_plane_plan(plane.shape, self.ax / sx, self.bx / sx, self.ay / sy, self.by / sy,
                                         self.W, self.H))
            self._aligned = (shapes, plans)
        luma, chroma = self._aligned[1]
        return frame.to_rgb(*(_warp_plane(p, plan, self.W, self.H)
                              for p, plan in ((frame.y, luma), (frame.u, chroma), (frame.v, chroma))))

    def align(self, frame: np.ndarray, reference: np.ndarray, max_shift: float = 0.06,
              max_zoom: float = 0.08) -> np.ndarray:
        """Estimate the global zoom / shift of ``frame`` against the expected first frame (ECC on grey
        levels, so colour shifts do not matter) and fold it into the mapping. Implausible or unhelpful
        estimates are dropped: alignment may only absorb camera drift, never re-place the maze.
        Returns the frame mapped with the final mapping."""
        self._fit_only = (self.ax, self.bx, self.ay, self.by)
        self._bounds = (max_shift, max_zoom)
        img = self(frame)
        w = self._estimate(img, reference, None, 40, 1e-4, 0.01)
        if w is None or not self._plausible(w, self._fit_only):
            return img  # no gain, or not a camera drift (rotation / shear are not modelled)
        self._fold(w)
        return self(frame)

    def track(self, frame: np.ndarray, reference: np.ndarray, ignore=(), keep: np.ndarray | None = None) -> bool:
        """Re-estimate the alignment on a later frame, for a camera that keeps drifting (a zoom or pan
        growing over the clip). ``ignore``: working-pixel boxes (x, y, w, h) not to match on (the agent
        now and where it started); ``keep``: a bool mask (H, W) of the pixels that may be matched on (a
        drawn line is no box). Bounded like ``align``: the whole mapping may only differ from the
        fit by a drift, and a step must improve the match; a global zoom / shift cannot hide a wall
        erased or a goal moved, which stay wrong after it. Returns whether the mapping changed."""
        if not hasattr(self, "_fit_only"):
            return False
        img = self(frame)
        mask = np.full((self.H, self.W), 255, np.uint8)
        for x, y, w, h in ignore:
            mask[max(y - 2, 0):y + h + 2, max(x - 2, 0):x + w + 2] = 0
        if keep is not None:
            mask[~keep] = 0
        w = self._estimate(img, reference, mask, 25, 1e-4, 0.002)
        if w is None or not self._plausible(w, self._fit_only):
            return False
        self._fold(w)
        return True

    def _estimate(self, img, reference, mask, iters: int, eps: float, min_gain: float):
        """ECC affine warp (reference coords → img coords), or None when it fails or gains nothing.

        Memoised per mapper on the exact inputs: a held last frame re-tracked every few frames gives the
        same pixels and mask again, and ECC (deterministic) costs more than the rest of that frame."""
        key = (id(reference), _digest(img), None if mask is None else _digest(mask), iters, eps, min_gain)
        if key not in self._ecc_memo:  # the entry holds the reference, so its id stays its own
            self._ecc_memo[key] = (reference, self._ecc(img, reference, mask, iters, eps, min_gain))
        w = self._ecc_memo[key][1]
        return None if w is None else w.copy()

    def _ecc(self, img, reference, mask, iters: int, eps: float, min_gain: float):
        ref, got = grey(reference), grey(img)
        if ref.std() < 1 or got.std() < 1:
            return None
        est = ecc_affine(ref, got, iters, eps, 3, mask, with_gain=True)
        if est is None:
            return None
        warp, before, after = est
        return warp.astype(np.float64) if after > before + min_gain else None

    def _plausible(self, w: np.ndarray, base) -> bool:
        """Would folding ``w`` in keep the mapping within a camera drift of ``base`` (the fit)?"""
        max_shift, max_zoom = self._bounds
        if abs(w[0, 1]) > 0.01 or abs(w[1, 0]) > 0.01:
            return False  # rotation / shear are not modelled
        ax, bx, ay, by = self._folded(w)
        ax0, bx0, ay0, by0 = base
        return (abs(ax / ax0 - 1) <= max_zoom and abs(ay / ay0 - 1) <= max_zoom
                and abs(bx - bx0) <= max_shift * ax0 * self.W and abs(by - by0) <= max_shift * ay0 * self.H)

    def _folded(self, w: np.ndarray) -> tuple[float, float, float, float]:
        # aligned working x → unaligned working x' = w00·x + w02 (pixel indices) → frame
        return (self.ax * w[0, 0], self.bx + self.ax * (w[0, 2] + 0.5 - 0.5 * w[0, 0]),
                self.ay * w[1, 1], self.by + self.ay * (w[1, 2] + 0.5 - 0.5 * w[1, 1]))

    def _fold(self, w: np.ndarray) -> None:
        self.alignment = w
        self.ax, self.bx, self.ay, self.by = self._folded(w)
        self._plan()

    def inside(self) -> np.ndarray:
        """Working pixels that show the canvas area of the frame (a zoom or shift pushes some of the
        layout out of view, and padding is not the layout: those pixels cannot be judged)."""
        fit = self.fit
        u = np.arange(self.W) + 0.5
        v = np.arange(self.H) + 0.5
        cx0, cx1 = max(fit.offset_x, 0), min(fit.offset_x + fit.canvas_w * fit.scale_x, fit.frame_w)
        cy0, cy1 = max(fit.offset_y, 0), min(fit.offset_y + fit.canvas_h * fit.scale_y, fit.frame_h)
        fx, fy = self.bx + self.ax * u, self.by + self.ay * v
        okx = (fx - self.ax >= cx0) & (fx + self.ax <= cx1)
        oky = (fy - self.ay >= cy0) & (fy + self.ay <= cy1)
        return oky[:, None] & okx[None, :]


def _digest(a: np.ndarray) -> tuple:
    """An array's identity by value: shape, dtype and a hash of its bytes."""
    return a.shape, a.dtype.str, hashlib.blake2b(np.ascontiguousarray(a)).digest()


class CanvasSampler:
    """Frame → the task canvas at (w, h), for checkers that read a canvas-shaped image each frame.

    An RGB frame (decoded by swscale at about the working size) is cropped and area-resized as
    before (``geometry.to_canvas``); a ``YuvFrame`` (the decoder's planes, ``frames_as_planes``) is
    sampled by a ``FrameMapper`` at the working grid, converting only those pixels: swscale's own
    resize to the working size costs 2–5× the decode of a puzzle clip."""

    def __init__(self, fit: Fit, width: int, height: int, planes: str = "area"):
        self.fit, self.W, self.H = fit, int(width), int(height)
        self.planes = planes  # how the mapper samples planes (FrameMapper)
        self.mapper: FrameMapper | None = None  # made on the first YuvFrame

    def __call__(self, frame: np.ndarray | YuvFrame) -> np.ndarray:
        if not isinstance(frame, YuvFrame):
            return to_canvas(self.fit, frame, self.W, self.H)
        if self.mapper is None:
            self.mapper = FrameMapper(self.fit, self.W, self.H, planes=self.planes)
        return self.mapper(frame)


class SwscaleSamples:
    """RGB of a frame's pixels at ``rows`` × ``cols`` exactly as swscale converts the whole frame to
    rgb24 (``video.decode_rgb``), converting only those pixels.

    The samples are laid out as a small yuv422p frame (a yuv420p frame's conversion, with one chroma
    row per luma row), one per pair of pixels (its left one) under the sample's own chroma: swscale's
    unscaled yuv420p / yuv422p → rgb24 conversion gives a pixel the colour of its Y, U and V alone, so
    the pair's left pixel comes out as the sample's colour in the whole frame (a 2×2 block of yuv420p
    converted twice the pixels; checked bit for bit against full conversions at every preset canvas:
    tests/test_vision_frames.py). The first frame is also converted whole and compared: a swscale
    build that converted differently would show there, and its frames are then converted whole."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray):
        self.rows, self.cols = rows, cols
        self.w, self.h = len(cols), len(rows)
        self._chroma_rows, self._chroma_cols = rows >> 1, cols >> 1  # yuv420p: a chroma sample per 2×2 pixels
        self._block = None
        self.exact = None  # None until the first frame is checked; False: convert whole frames

    def __call__(self, frame: YuvFrame) -> np.ndarray:
        if self.exact is False:
            return self._whole(frame)
        got = self._samples(frame)
        if self.exact is None:
            self.exact = np.array_equal(got, self._whole(frame))
            if not self.exact:
                return self._whole(frame)
        return got

    def _whole(self, frame: YuvFrame) -> np.ndarray:
        return frame.swscale_rgb().take(self.rows, 0).take(self.cols, 1)

    def _samples(self, frame: YuvFrame) -> np.ndarray:
        import av

        w, h, src = self.w, self.h, frame.source
        name = src.format.name.replace("420p", "422p")
        if self._block is None or self._block.format.name != name:
            # reused: written in place; an even height, which swscale's unscaled conversion needs
            self._block = av.VideoFrame(2 * w, h + (h & 1), name)
            self._planes = [_plane(self._block, i) for i in range(3)]
            for p in self._planes:
                p[:] = 0
        y, u, v = self._planes
        # rows, then columns: each gather reads whole rows (a flat gather of every sample reads its
        # indices and scattered pixels, twice the time)
        y[:h, 0:2 * w:2] = _plane(src, 0).take(self.rows, 0).take(self.cols, 1)
        u[:h, :w] = _plane(src, 1).take(self._chroma_rows, 0).take(self._chroma_cols, 1)
        v[:h, :w] = _plane(src, 2).take(self._chroma_rows, 0).take(self._chroma_cols, 1)
        self._block.colorspace, self._block.color_range = src.colorspace, src.color_range
        # one thread: swscale's slice threads cost more than converting a block this small
        rgb = frame.reformatter.reformat(self._block, format="rgb24", threads=1).to_ndarray()
        return cv2.resize(rgb[:h], (w, h), interpolation=cv2.INTER_NEAREST)  # the left pixels: rgb[:h, ::2]


def _plane(frame, i: int) -> np.ndarray:
    """Plane ``i`` of a PyAV frame as a 2-D view (rows of its line size)."""
    p = frame.planes[i]
    return np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)


def _nearest_index(n_src: int, n_dst: int) -> np.ndarray:
    """Source index of each of ``n_dst`` outputs of cv2's nearest resize from ``n_src`` (exact: a float32
    ramp of indices < 2**24, resized)."""
    ramp = np.arange(n_src, dtype=np.float32)[None, :]
    return cv2.resize(ramp, (n_dst, 1), interpolation=cv2.INTER_NEAREST)[0].astype(np.intp)


def _plane_plan(shape, ax: float, bx: float, ay: float, by: float, w: int, h: int):
    """How to sample a plane of ``shape`` on a (w, h) grid whose pixel u is centred at plane coordinate
    ax·(u + ½) + bx (pixel i of the plane spans [i, i + 1]), likewise in y: its crop, the 2×2 area
    halvings while the crop is at least twice the grid (so that the bilinear step, < 2×, reads every
    pixel), and the warp matrix from the grid into the halved crop."""
    ph, pw = shape
    x0 = min(max(int(np.floor(bx)), 0), pw - 1)
    y0 = min(max(int(np.floor(by)), 0), ph - 1)
    x1 = min(max(int(np.ceil(bx + ax * w)), x0 + 1), pw)
    y1 = min(max(int(np.ceil(by + ay * h)), y0 + 1), ph)
    cw, ch, halvings = x1 - x0, y1 - y0, 0
    while cw >= 2 * w and ch >= 2 * h:
        cw, ch, halvings = cw // 2, ch // 2, halvings + 1
    step = 1 << halvings
    # grid u → index into the halved crop (sample q centred at (q + ½)·step from the crop's corner)
    m = np.array([[ax / step, 0.0, (ax / 2 + bx - x0) / step - 0.5],
                  [0.0, ay / step, (ay / 2 + by - y0) / step - 0.5]])
    return (slice(y0, y1), slice(x0, x1)), halvings, m


def _warp_plane(plane: np.ndarray, plan, w: int, h: int) -> np.ndarray:
    """A plane sampled by its ``_plane_plan``."""
    crop, halvings, m = plan
    img = plane[crop]
    for _ in range(halvings):
        hh, hw = img.shape[0] // 2, img.shape[1] // 2
        img = cv2.resize(img[:2 * hh, :2 * hw], (hw, hh), interpolation=cv2.INTER_AREA)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)


def _shrink(img: np.ndarray, w: int, h: int) -> np.ndarray:
    """One plane to (w, h): 2× area halvings while both sides are at least twice the target, then the
    remaining (< 2×) factor by bilinear weights, or nearest where the plane is smaller (see FrameMapper)."""
    while img.shape[1] >= 2 * w and img.shape[0] >= 2 * h:
        hh, hw = img.shape[0] // 2, img.shape[1] // 2
        img = cv2.resize(img[:2 * hh, :2 * hw], (hw, hh), interpolation=cv2.INTER_AREA)
    if img.shape[1] == w and img.shape[0] == h:
        return img
    smaller = img.shape[1] > w or img.shape[0] > h
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR if smaller else cv2.INTER_NEAREST)
