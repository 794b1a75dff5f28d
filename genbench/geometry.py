"""Fit a task canvas into a model's frame (scale + pad) and map frames back onto the canvas.

A model renders at its own size (832×480, 1280×704, …). The request records the exact mapping and a
checker inverts it, so a square maze judged inside a wide frame decides the same as at native size.
"""

from __future__ import annotations

import cv2
import numpy as np

from .schema import Fit


def letterbox(canvas_w: int, canvas_h: int, frame_w: int, frame_h: int) -> Fit:
    """Largest aspect-preserving scale that fits, centred; the rest is padding."""
    s = min(frame_w / canvas_w, frame_h / canvas_h)
    w, h = round(canvas_w * s), round(canvas_h * s)
    ox, oy = (frame_w - w) // 2, (frame_h - h) // 2
    return Fit(canvas_w, canvas_h, frame_w, frame_h, w / canvas_w, h / canvas_h, ox, oy, "letterbox")


def stretch(canvas_w: int, canvas_h: int, frame_w: int, frame_h: int) -> Fit:
    """Independent x/y scale onto the whole frame (what many pipelines do to a conditioning image)."""
    return Fit(canvas_w, canvas_h, frame_w, frame_h, frame_w / canvas_w, frame_h / canvas_h, 0, 0, "stretch")


def identity(canvas_w: int, canvas_h: int) -> Fit:
    return Fit(canvas_w, canvas_h, canvas_w, canvas_h, 1.0, 1.0, 0, 0, "identity")


def make_fit(mode: str, canvas_w: int, canvas_h: int, frame_w: int, frame_h: int) -> Fit:
    if (canvas_w, canvas_h) == (frame_w, frame_h):
        return identity(canvas_w, canvas_h)
    if mode == "letterbox":
        return letterbox(canvas_w, canvas_h, frame_w, frame_h)
    if mode == "stretch":
        return stretch(canvas_w, canvas_h, frame_w, frame_h)
    raise ValueError(f"unknown fit mode {mode!r}; use 'letterbox' or 'stretch'")


def content_rect(fit: Fit) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the canvas inside the frame, in frame pixels."""
    x0, y0 = int(round(fit.offset_x)), int(round(fit.offset_y))
    x1 = int(round(fit.offset_x + fit.canvas_w * fit.scale_x))
    y1 = int(round(fit.offset_y + fit.canvas_h * fit.scale_y))
    return x0, y0, min(x1, fit.frame_w), min(y1, fit.frame_h)


def border_colour(img: np.ndarray) -> np.ndarray:
    """Median colour of the image border: padding in it looks like part of the scene."""
    edge = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    return np.median(edge, axis=0).astype(np.uint8)


def apply(fit: Fit, canvas: np.ndarray, pad: np.ndarray | None = None) -> np.ndarray:
    """Place a canvas image into a frame of the fit's size."""
    if fit.mode == "identity":
        return canvas
    x0, y0, x1, y1 = content_rect(fit)
    out = np.empty((fit.frame_h, fit.frame_w, 3), np.uint8)
    out[:] = border_colour(canvas) if pad is None else pad
    interp = cv2.INTER_AREA if fit.scale_x < 1 else cv2.INTER_LINEAR
    out[y0:y1, x0:x1] = cv2.resize(canvas, (x1 - x0, y1 - y0), interpolation=interp)
    return out


def to_canvas(fit: Fit, frame: np.ndarray, out_w: int, out_h: int) -> np.ndarray:
    """Crop the canvas region out of a frame and resample it to (out_w, out_h)."""
    if frame.shape[1] != fit.frame_w or frame.shape[0] != fit.frame_h:
        raise ValueError(
            f"frame is {frame.shape[1]}x{frame.shape[0]} but the fit expects {fit.frame_w}x{fit.frame_h}")
    x0, y0, x1, y1 = content_rect(fit)
    crop = frame[y0:y1, x0:x1]
    if crop.shape[1] == out_w and crop.shape[0] == out_h:
        return crop
    interp = cv2.INTER_AREA if crop.shape[1] >= out_w else cv2.INTER_LINEAR
    return cv2.resize(crop, (out_w, out_h), interpolation=interp)


def rescale(fit: Fit, frame_w: int, frame_h: int) -> Fit:
    """The same placement for frames resampled to (frame_w, frame_h)."""
    sx, sy = frame_w / fit.frame_w, frame_h / fit.frame_h
    return Fit(fit.canvas_w, fit.canvas_h, frame_w, frame_h, fit.scale_x * sx, fit.scale_y * sy,
               fit.offset_x * sx, fit.offset_y * sy, fit.mode if fit.mode != "identity" else "letterbox")


def decode_size(fit: Fit, work_w: int, work_h: int) -> tuple[int, int] | None:
    """Frame size at which the canvas region comes out at about (work_w, work_h), or None when
    that would not shrink the frame."""
    w = round(fit.frame_w * work_w / (fit.canvas_w * fit.scale_x))
    h = round(fit.frame_h * work_h / (fit.canvas_h * fit.scale_y))
    if w >= fit.frame_w or h >= fit.frame_h:
        return None
    return max(2, w), max(2, h)


# --- polylines (paths, routes, tracks) -------------------------------------------------------------------

def segment_lengths(pts) -> np.ndarray:
    """Lengths of a polyline's segments ((N, 2) → (N-1,))."""
    pts = np.asarray(pts, np.float64).reshape(-1, 2)
    return np.hypot(*np.diff(pts, axis=0).T)


def cumulative_length(pts) -> np.ndarray:
    """Arc length from the first point to each point of a polyline ((N, 2) → (N,))."""
    return np.concatenate([[0], np.cumsum(segment_lengths(pts))])


def arclength(pts) -> float:
    """Length of a polyline (0 for fewer than two points)."""
    return float(segment_lengths(pts).sum())


def resample(pts, k: int) -> np.ndarray:
    """k points equally spaced by arc length along a polyline, first to last."""
    pts = np.asarray(pts, np.float64).reshape(-1, 2)
    if len(pts) < 2:
        return np.repeat(pts[:1], k, axis=0)
    s = cumulative_length(pts)
    t = np.linspace(0, s[-1], k)
    return np.stack([np.interp(t, s, pts[:, 0]), np.interp(t, s, pts[:, 1])], 1)


# --- many polylines at once (the same floats as one call per line, without numpy's per-call overhead) ---

def linspaces(counts, stops) -> np.ndarray:
    """``np.linspace(0, stops[i], counts[i])`` for every i, concatenated; each ``counts[i] >= 2``. The same
    floats: numpy computes ``index * (stop / (count - 1)) + 0`` and sets the end point exactly."""
    counts = np.asarray(counts, np.int64)
    ends = np.cumsum(counts)
    index = np.arange(ends[-1] if len(ends) else 0, dtype=np.float64) - np.repeat(ends - counts, counts)
    t = index * np.repeat(np.asarray(stops, np.float64) / (counts - 1), counts) + 0.0
    t[ends - 1] = stops
    return t
