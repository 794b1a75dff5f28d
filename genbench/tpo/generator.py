"""Test-time strategies as a run's model: ``genbench run --model wan2 --tpo videotpo …``.

Wraps a diffusers generator: for every item it runs the strategy on the loaded pipeline and stores
the selected video. Unless turned off, it also spends the same generations on the compute-matched
baselines (best-of-N with the same selector, pass@N over those N samples, and the single first
sample) so results always show what the extra compute bought.
"""

from __future__ import annotations

import time
from pathlib import Path

from ..generators.base import VideoGenerator
from ..metrics import pass_at_k
from ..registry import task_family
from ..schema import GenRequest, VideoRecord
from ..video import write_video
from .videotpo import BestOfN, CheckerSelector, VideoTPO, VLMSelector

STRATEGIES = ("videotpo", "videotpo-faithful", "best-of-n")


class TPOGenerator(VideoGenerator):
    kind = "tpo"
    max_batch = 1

    def __init__(self, inner, strategy: str, width: int = 2, depth: int = 3, n: int = 6,
                 critic: str | None = None, selector: str = "checker", baselines: bool = True):
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown --tpo {strategy!r}; use one of: {', '.join(STRATEGIES)}")
        if not hasattr(inner, "pipeline"):
            raise ValueError(f"--tpo needs a diffusers model (e.g. wan2, tiny-wan2, diffusers:ORG/REPO); "
                             f"{inner.name} is not one")
        if strategy.startswith("videotpo") and not critic:
            raise ValueError("--tpo videotpo needs a critic: --critic openai:MODEL (or hf:REPO)")
        if selector not in ("checker", "vlm"):
            raise ValueError(f"unknown --tpo-selector {selector!r}; use checker or vlm")
        if selector == "vlm" and not critic:
            raise ValueError("--tpo-selector vlm needs --critic (the VLM that rates candidates)")
        if strategy == "videotpo-faithful":
            width, depth = 2, 3
        self.inner, self.strategy = inner, strategy
        self.width, self.depth, self.n = int(width), int(depth), int(n)
        self.critic_spec, self.selector_kind, self.baselines = critic, selector, baselines
        self.name = f"{inner.name}+{strategy}"
        self.fit_mode = inner.fit_mode
        self.modes = getattr(inner, "modes", ("i2v", "t2v"))
        self._critic = None

    @property
    def budget(self) -> int:
        return self.width * self.depth if self.strategy.startswith("videotpo") else self.n

    def config(self) -> dict:
        return {"inner": self.inner.config(), "strategy": self.strategy, "width": self.width,
                "depth": self.depth, "n": self.n, "critic": self.critic_spec, "selector": self.selector_kind,
                "baselines": self.baselines}

    def frame_size(self, item):
        return self.inner.frame_size(item)

    def timing(self, item, family):
        return self.inner.timing(item, family)

    def critic(self):
        if self._critic is None and self.critic_spec:
            from ..judges.backends import make_backend

            self._critic = make_backend(self.critic_spec)
        return self._critic

    def _pipe_kwargs(self, req: GenRequest) -> dict:
        g = self.inner
        kw = dict(height=g.height, width=g.width, num_frames=g.num_frames, num_inference_steps=g.steps,
                  guidance_scale=g.guidance, **g.call_kwargs)
        if g.negative_prompt:
            kw["negative_prompt"] = g.negative_prompt
        if getattr(g.preset, "family", "") == "ltx":
            kw["frame_rate"] = g.fps
        return kw

    def generate(self, requests: list[GenRequest], paths: list[Path]) -> list[VideoRecord]:
        from PIL import Image

        out = []
        for req, path in zip(requests, paths):
            t0 = time.perf_counter()
            family = task_family(req.item.family)
            pipe = self.inner.pipeline(req.mode)
            if self.selector_kind == "vlm":
                selector = VLMSelector(self.critic(), req.item.prompt_i2v)
            else:
                selector = CheckerSelector(family, req.item, fit=req.fit, fps=self.inner.fps)
            image = Image.fromarray(req.image) if req.image is not None else None
            kw = self._pipe_kwargs(req)
            seed = req.seed
            task = f"{family.description} Rules: {req.item.prompt_i2v}"
            if self.strategy == "best-of-n":
                res = BestOfN(pipe, self.n, selector, seed=seed)(req.prompt, image=image, **kw)
                bon = res
            else:
                mode = "faithful" if self.strategy == "videotpo-faithful" else "genbench"
                res = VideoTPO(pipe, self.critic(), mode=mode, width=self.width, depth=self.depth,
                               selector=selector, task_definition=task, seed=seed)(req.prompt, image=image, **kw)
                bon = BestOfN(pipe, self.budget, selector, seed=seed + 1)(req.prompt, image=image, **kw) \
                    if self.baselines else None
            n = write_video(path, iter(res.video), self.inner.fps, crf=self.inner.crf)
            strategies = {self.strategy: {"passed": bool(selector(res.video).passed), "generations": self.budget}}
            if bon is not None:
                c = sum(bool(x.score.passed) for x in bon.candidates)
                strategies.update({
                    "single": {"passed": bool(bon.candidates[0].score.passed), "generations": 1},
                    f"best-of-{self.budget}": {"passed": bool(bon.selected.score.passed), "generations": self.budget},
                    f"pass@{self.budget}": {"passed": c > 0, "generations": self.budget,
                                            "value": pass_at_k(len(bon.candidates), c, self.budget)},
                })
            compute = res.compute.to_json()
            if bon is not None and bon is not res:
                compute["baselines"] = bon.compute.to_json()
            meta = {"strategy": self.strategy, "trace": res.trace, "compute": compute, "strategies": strategies,
                    "selector": selector.name, "model": self.inner.name}
            out.append(VideoRecord(str(path), self.inner.width, self.inner.height, n, self.inner.fps,
                                   seconds=time.perf_counter() - t0, nfe=res.compute.nfe, meta=meta))
        return out

    def close(self) -> None:
        self.inner.close()
