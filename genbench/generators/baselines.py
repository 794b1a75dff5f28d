"""Reference generators that calibrate every checker and report: they need no model.

oracle       the ground truth played as a process (candidate k plays accepted solution k)
static       the first frame, held for as long as the oracle runs
jumpcut      the first frame, then a cut straight to the solved final frame
random-walk  legal but aimless play, seeded per sample
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import numpy as np

from .. import geometry
from ..registry import register, task_family
from ..schema import GenRequest, VideoRecord
from ..video import write_video
from .base import GeneratorSetupError, VideoGenerator


class ReferenceGenerator(VideoGenerator):
    kind = "reference"
    accepts = ("width", "height", "num_frames", "fps", "fit", "crf")  # its --model-args (registry.accepted_args)

    def __init__(self, width: int | None = None, height: int | None = None, num_frames: int | None = None,
                 fps: float | None = None, fit: str = "letterbox", crf: int = 18, **unknown):
        if unknown:
            raise GeneratorSetupError(f"{self.name}: unknown model-args {', '.join(sorted(unknown))}; known: "
                                      f"{', '.join(self.accepts)}")
        self.width, self.height = width, height
        self.num_frames, self.fps = num_frames, fps
        self.fit_mode, self.crf = fit, int(crf)

    def config(self) -> dict:
        return {"name": self.name, "width": self.width, "height": self.height, "num_frames": self.num_frames,
                "fps": self.fps, "fit": self.fit_mode, "crf": self.crf}

    def frame_size(self, item):
        if self.width and self.height:
            return int(self.width), int(self.height)
        return item.canvas_size

    def timing(self, item, family):
        return self.num_frames, float(self.fps or family.default_fps)

    def canvas_frames(self, req: GenRequest, family) -> Iterator[np.ndarray]:
        raise NotImplementedError

    def generate(self, requests: list[GenRequest], paths: list[Path]) -> list[VideoRecord]:
        out = []
        for req, path in zip(requests, paths):
            t0 = time.perf_counter()
            family = task_family(req.item.family)
            pad = geometry.border_colour(req.item.first_frame)
            frames = (geometry.apply(req.fit, f, pad) for f in self.canvas_frames(req, family))
            n = write_video(path, frames, req.fps, crf=self.crf)
            out.append(VideoRecord(str(path), req.width, req.height, n, req.fps, time.perf_counter() - t0))
        return out


@register("generator", "oracle", "Ground truth: plays an accepted solution step by step, then holds.", group="reference")
class Oracle(ReferenceGenerator):
    name = "oracle"

    def canvas_frames(self, req, family):
        return family.solution_frames(req.item, solution=req.candidate, fps=req.fps, num_frames=req.num_frames)


def _oracle_length(req, family) -> int:
    return req.num_frames or sum(1 for _ in family.solution_frames(req.item, fps=req.fps))


@register("generator", "static", "Control: the first frame repeated (must fail every checker).", group="reference")
class Static(ReferenceGenerator):
    name = "static"

    def canvas_frames(self, req, family):
        n = _oracle_length(req, family)
        return (req.item.first_frame for _ in range(n))


@register("generator", "jumpcut", "Control: the first frame, then a cut to the solved final frame.", group="reference")
class JumpCut(ReferenceGenerator):
    name = "jumpcut"

    def canvas_frames(self, req, family):
        n = _oracle_length(req, family)
        final = family.final_frame(req.item)
        return (req.item.first_frame if i < n // 2 else final for i in range(n))


@register("generator", "random-walk", "Control: legal random moves from the start, seeded per sample.", group="reference")
class RandomWalk(ReferenceGenerator):
    name = "random-walk"

    def canvas_frames(self, req, family):
        rng = np.random.default_rng(req.seed)
        return family.random_frames(req.item, rng, fps=req.fps, num_frames=req.num_frames)
