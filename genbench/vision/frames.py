"""The one frame source of every checker: a video file → frames, and the fit that maps those frames
onto the task canvas.

The file is opened once (probing it separately cost a second open and parse: ~10% of decoding a
short clip). Frames come in one of two forms:
- RGB, converted by one reused swscale context; a checker that works at a reduced size
  (``working_size``) gets them resampled (area average) inside that conversion, with the fit rescaled
  to match;
- planes (``planes=True``): the decoder's own Y, U, V planes (``video.YuvFrame``) at full size, no
  conversion at all, for checkers that map frames with ``vision.mapping.FrameMapper``, which samples
  the planes at its working grid and converts only those samples. swscale's resampling to the
  working size costs 2–4× the decode itself; sampling the planes costs a fraction of it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .. import geometry
from ..schema import Fit
from ..video import YuvFrame, decode_planes, decode_rgb, open_video, stream_info


@dataclass
class CheckerFrames:
    frames: Iterator[np.ndarray] | Iterator[YuvFrame]  # decoded lazily; closes the file when exhausted
    fit: Fit  # canvas → these frames (at the decode size; planes: the full frame size)
    fps: float  # from the container; 0 when it does not say
    _container: object = None

    def close(self) -> None:
        """Close the file now (a checker that stopped reading early leaves it open until then)."""
        if self._container is not None:
            self._container.close()


def checker_frames(path: str | os.PathLike, canvas_size: tuple[int, int], work_size: tuple[int, int] | None,
                   fit: Fit | None = None, fit_mode: str = "letterbox", planes: bool = False) -> CheckerFrames:
    """Open ``path`` for a checker of a ``canvas_size`` task working at ``work_size`` (None: full frames).

    ``fit``: how the request placed the canvas in the frame; rebuilt with ``fit_mode`` when missing or
    made for another frame size. ``planes``: yield ``YuvFrame``s (full size; ``work_size`` is then the
    mapper's business) instead of RGB. Raises VideoError for a missing, empty or unreadable file.
    """
    container = open_video(path)
    try:
        info = stream_info(container)
        if fit is None or (fit.frame_w, fit.frame_h) != (info.width, info.height):
            fit = geometry.make_fit(fit_mode, *canvas_size, info.width, info.height)
        size = geometry.decode_size(fit, *work_size) if work_size and not planes else None
        if size:
            fit = geometry.rescale(fit, *size)
    except BaseException:
        container.close()
        raise
    frames = decode_planes(container, path) if planes else decode_rgb(container, path, size=size)
    return CheckerFrames(frames, fit, info.fps, container)
