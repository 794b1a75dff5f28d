"""Frame sampling for VLM judges: a few small frames that cover the whole video, each with its time.

Defaults follow RULER-Bench (2 fps, long side ≤ 512) with a cap on the count so a long video costs
a bounded number of image tokens. Decoding streams (``genbench.video.read_frames``) and keeps only
the chosen frames, already downscaled by the decoder, so a video is never held in memory.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field

import numpy as np

from ..video import VideoError, probe, read_frames


@dataclass(frozen=True)
class FrameSampling:
    """How a judge looks at a video.

    ``fps``: frames per second of video to show; ``max_frames``: cap (frames are then spread evenly
    over the whole video, first and last included); ``long_side``: downscale so the longer side is
    at most this many pixels. ``first_reference`` adds the task's starting image and
    ``final_reference`` the expected solved frame (``family.final_frame``) as labelled references;
    the latter shows the judge the answer, so it is off by default.
    """

    fps: float = 2.0
    max_frames: int = 16
    long_side: int = 512
    first_reference: bool = False
    final_reference: bool = False

    def __post_init__(self) -> None:
        if self.fps <= 0 or self.max_frames < 2 or self.long_side < 16:
            raise ValueError(f"bad frame sampling {self}: need fps > 0, max_frames >= 2, long_side >= 16")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_args(cls, args: dict) -> "FrameSampling":
        """Pick this class's fields out of a ``--judge-args`` dict (other keys are ignored)."""
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in args.items() if k in names})


@dataclass
class SampledFrame:
    index: int  # frame number in the decoded video, from 0
    time: float  # seconds
    image: np.ndarray = field(repr=False)


@dataclass
class SampledVideo:
    frames: list[SampledFrame]
    fps: float
    num_frames: int  # frames actually decoded
    width: int  # source size
    height: int

    @property
    def duration(self) -> float:
        return self.num_frames / self.fps if self.fps else 0.0


def scaled_size(width: int, height: int, long_side: int) -> tuple[int, int]:
    s = min(1.0, long_side / max(width, height))
    return max(1, int(round(width * s))), max(1, int(round(height * s)))


def plan_indices(n_frames: int, src_fps: float, sampling: FrameSampling) -> list[int]:
    """Frame numbers to keep from an ``n_frames`` video: every 1/fps seconds, capped, last included."""
    if n_frames <= 0:
        return []
    step = max(1.0, src_fps / sampling.fps) if src_fps > 0 else 1.0
    idx = sorted({min(n_frames - 1, int(round(i * step))) for i in range(int(math.ceil(n_frames / step)))})
    if idx[-1] != n_frames - 1:
        idx.append(n_frames - 1)  # the end state is what most questions are about
    if len(idx) > sampling.max_frames:
        idx = sorted({int(round(x)) for x in np.linspace(0, n_frames - 1, sampling.max_frames)})
    return idx


def sample_video(path: str | os.PathLike, sampling: FrameSampling = FrameSampling()) -> SampledVideo:
    """Decode ``path`` once and keep the planned frames. Raises ``VideoError`` on damage.

    The plan uses the container's frame count; if the container does not say (or says wrong), the
    frames are thinned on the fly instead (keep every ``stride``-th; double ``stride`` when over the
    cap), which still covers the whole video evenly. The last decoded frame is always kept.
    """
    info = probe(path)
    fps = info.fps or 24.0
    size = scaled_size(info.width, info.height, sampling.long_side)
    planned = set(plan_indices(info.num_frames, fps, sampling))
    stride = max(1, int(round(fps / sampling.fps)))
    kept: list[SampledFrame] = []
    last: SampledFrame | None = None
    n = 0
    for n, img in enumerate(read_frames(path, size=size), start=1):
        i = n - 1
        last = SampledFrame(i, i / fps, img)
        if planned:
            if i in planned:
                kept.append(last)
        elif i % stride == 0:
            kept.append(last)
            if len(kept) > sampling.max_frames - 1:  # leave room for the last frame
                stride *= 2
                kept = [f for f in kept if f.index % stride == 0]
    if last is None:
        raise VideoError(f"{path}: no decodable frames")
    if not kept or kept[-1].index != last.index:
        if len(kept) >= sampling.max_frames:
            kept.pop()
        kept.append(last)
    return SampledVideo(kept, fps, n, info.width, info.height)


def fit_image(image: np.ndarray, long_side: int) -> np.ndarray:
    """Downscale a reference image (first or final frame) like the video frames."""
    import cv2

    h, w = image.shape[:2]
    tw, th = scaled_size(w, h, long_side)
    if (tw, th) == (w, h):
        return image
    return cv2.resize(image, (tw, th), interpolation=cv2.INTER_AREA)
