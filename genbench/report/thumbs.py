"""Thumbnails for the report: a few frames of a video, decoded small, as base64 JPEG data URIs.

Like ``genbench.video.read_frames`` (PyAV, scaling inside the colour conversion) but only the picked
frames are converted to RGB: conversion, not decoding, is most of read_frames' cost for a strip of five.
A long video costs one streaming pass and little memory.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Strip:
    frames: dict[int, str] = field(default_factory=dict)  # frame index → data URI
    n_decoded: int = 0
    size: tuple[int, int] = (0, 0)
    error: str | None = None  # why the video (or part of it) is unavailable


def jpeg_uri(rgb: np.ndarray, quality: int = 80) -> str:
    import cv2

    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(rgb[:, :, ::-1]), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


def resize_to_width(rgb: np.ndarray, width: int) -> np.ndarray:
    import cv2

    h, w = rgb.shape[:2]
    height = max(2, round(h * width / w))
    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)


def thumb_size(w: int, h: int, width: int) -> tuple[int, int]:
    width = min(width, w)
    return width, max(2, round(h * width / w))


def pick_frames(n: int, error_frame: int | None, count: int) -> list[int]:
    """``count`` frame indices of an ``n``-frame video: the first, the last, the first error frame and
    the one before it (so a cut or a jump is visible as a pair), then evenly spaced ones."""
    if n <= 0:
        return []
    want = {0, n - 1}
    if error_frame is not None and 0 <= error_frame < n:
        want |= {error_frame, max(0, error_frame - 1)}
    for t in np.linspace(0, n - 1, count):
        if len(want) >= count:
            break
        want.add(int(round(t)))
    return sorted(want)


def _decode_selected(path: str | Path, want: set[int], size: tuple[int, int], keep_all: bool):
    """Decode every frame but convert to RGB only the wanted ones (conversion costs more than decoding
    at these sizes); the last frame is always returned too. Yields (index, rgb); raises VideoError."""
    from ..video import VideoError, open_video

    kw = {"width": size[0], "height": size[1], "interpolation": "AREA"}
    container = open_video(path)  # same clear errors as the checkers get for missing or damaged files
    n, last = 0, None
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        try:
            for frame in container.decode(stream):
                if n in want or keep_all:
                    yield n, frame.to_ndarray(format="rgb24", **kw)
                last = frame
                n += 1
        except Exception as e:
            if last is not None and n - 1 not in want and not keep_all:
                yield n - 1, last.to_ndarray(format="rgb24", **kw)
            raise VideoError(f"{path}: decode failed after {n} frames ({type(e).__name__}: {e})") from None
        if n == 0:
            raise VideoError(f"{path}: no decodable frames")
        if n - 1 not in want and not keep_all:
            yield n - 1, last.to_ndarray(format="rgb24", **kw)
    finally:
        container.close()


def video_strip(path: str | Path, n_hint: int | None, error_frame: int | None, count: int = 5,
                width: int = 160) -> Strip:
    """Decode the picked frames of one video. Never raises for a bad video: the strip says why."""
    from ..video import VideoError, probe

    strip = Strip()
    kept: dict[int, np.ndarray] = {}
    try:
        info = probe(path)
        n = info.num_frames or n_hint or 0
        strip.size = thumb_size(info.width, info.height, width)
        # an unknown length keeps every (small) frame and picks at the end
        for i, rgb in _decode_selected(path, set(pick_frames(n, error_frame, count)), strip.size, keep_all=not n):
            kept[i] = rgb
            strip.n_decoded = max(strip.n_decoded, i + 1)
    except VideoError as e:
        strip.error = str(e)
    except Exception as e:  # a damaged file can fail in odd places; one bad sample never ends the report
        strip.error = f"{type(e).__name__}: {e}"
    if kept:  # the container's count can be wrong: pick again on the true length
        for i in pick_frames(strip.n_decoded, error_frame, count):
            if i in kept:
                strip.frames[i] = jpeg_uri(kept[i])
    return strip
