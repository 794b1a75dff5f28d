"""Test-time strategies as a run's model: ``genbench run --model wan2 --tpo videotpo …``.

Wraps a diffusers generator: for every item it calls the strategy like the plain pipeline (the
generator's own ``pipe_kwargs`` and a generator seeded with the sample's seed, so candidate 0 is the
video a plain run makes) and stores the chosen video. Unless turned off, it also spends the same
generations on the compute-matched baselines (best-of-N with the same selector, pass@N over those N
samples, and the single first sample) so results always show what the extra compute bought.

The selector is deployable by default (a VLM when a critic is given). The task's checker selects
only with ``--tpo-selector oracle``, and then every strategy it picked is named ``… [oracle-selected]``
(model name, strategy rows, sample meta): an upper bound, never a deployable result. Successes are
always the checker's verdicts on the chosen videos, whoever chose them.
"""

from __future__ import annotations

import time
from pathlib import Path

from ..generators.base import VideoGenerator
from ..metrics import pass_at_k
from ..registry import task_family
from ..schema import GenRequest, VideoRecord
from ..video import write_video
from .selectors import ORACLE_LABEL, CheckerSelector, VLMSelector, maze_self_verifier
from .screen import Screen
from .videotpo import BestOfN, VideoTPO

STRATEGIES = ("videotpo", "videotpo-faithful", "best-of-n", "screen")
SELECTORS = {"vlm": "deployable: the --critic VLM rates each candidate",
             "self-verify": "deployable: rebuild the maze from the video's own first frame, check the moves",
             "oracle": "the task's checker, which knows the solution: an upper bound, labelled oracle-selected"}


def selector_help() -> str:
    return "; ".join(f"{k} ({v})" for k, v in SELECTORS.items())


class TPOGenerator(VideoGenerator):
    kind = "tpo"
    max_batch = 1

    def __init__(self, inner, strategy: str, width: int = 2, depth: int = 3, n: int = 6,
                 critic: str | None = None, selector: str | None = None, baselines: bool = True,
                 screen_at: float = 0.2):
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown --tpo {strategy!r}; use one of: {', '.join(STRATEGIES)}")
        if not hasattr(inner, "pipeline"):
            raise ValueError(f"--tpo needs a diffusers model (e.g. wan2, tiny-wan2, diffusers:ORG/REPO); "
                             f"{inner.name} is not one")
        if strategy.startswith("videotpo") and not critic:
            raise ValueError("--tpo videotpo needs a critic: --critic openai:MODEL (or hf:REPO)")
        if selector is None and critic:
            selector = "vlm"  # the deployable default when a VLM is at hand
        if selector is None:
            raise ValueError(f"--tpo {strategy} needs a selector to pick the final video: --tpo-selector "
                             f"{' | '.join(SELECTORS)} — {selector_help()}")
        if selector not in SELECTORS:
            raise ValueError(f"unknown --tpo-selector {selector!r}; use one of: {selector_help()}")
        if selector == "vlm" and not critic:
            raise ValueError("--tpo-selector vlm needs --critic (the VLM that rates candidates)")
        if selector == "self-verify":
            maze_self_verifier()  # fail now, not after the first generation, if the reader is missing
        if strategy == "videotpo-faithful":
            width, depth = 2, 3
        self.inner, self.strategy = inner, strategy
        self.width, self.depth, self.n = int(width), int(depth), int(n)
        self.critic_spec, self.selector_kind, self.baselines = critic, selector, baselines
        self.screen_at = float(screen_at)
        self.oracle = selector == "oracle"
        self.label = f"{strategy}[{ORACLE_LABEL}]" if self.oracle and strategy != "videotpo-faithful" else strategy
        self.name = f"{inner.name}+{self.label}"
        self.fit_mode = inner.fit_mode
        self.modes = getattr(inner, "modes", ("i2v", "t2v"))
        self._critic = None

    @property
    def budget(self) -> int:
        return self.width * self.depth if self.strategy.startswith("videotpo") else self.n

    def config(self) -> dict:
        return {"inner": self.inner.config(), "strategy": self.strategy, "width": self.width,
                "depth": self.depth, "n": self.n, "critic": self.critic_spec, "selector": self.selector_kind,
                "baselines": self.baselines, **({"screen_at": self.screen_at} if self.strategy == "screen" else {})}

    def frame_size(self, item):
        return self.inner.frame_size(item)

    def timing(self, item, family):
        return self.inner.timing(item, family)

    def critic(self):
        if self._critic is None and self.critic_spec:
            from ..judges.backends import make_backend

            self._critic = make_backend(self.critic_spec)
        return self._critic

    def _selector(self, req: GenRequest, checker: CheckerSelector):
        if self.selector_kind == "oracle":
            return checker
        if self.selector_kind == "vlm":
            return VLMSelector(self.critic(), req.item.prompt_i2v)
        return maze_self_verifier(req.prompt)

    def _named(self, name: str) -> str:
        return f"{name}[{ORACLE_LABEL}]" if self.oracle else name

    def generate(self, requests: list[GenRequest], paths: list[Path]) -> list[VideoRecord]:
        import torch

        out = []
        for req, path in zip(requests, paths):
            t0 = time.perf_counter()
            family = task_family(req.item.family)
            pipe = self.inner.pipeline(req.mode)
            # the reported success is always the checker's verdict, whoever selects
            checker = CheckerSelector(family, req.item, fit=req.fit, fps=self.inner.fps)
            selector = self._selector(req, checker)
            kw = self.inner.pipe_kwargs([req])
            batch = self.inner.max_batch

            def seeded():
                return torch.Generator("cpu").manual_seed(int(req.seed))

            task = f"{family.description} Rules: {req.item.prompt_i2v}"
            if self.strategy in ("best-of-n", "screen"):
                bon = BestOfN(pipe, self.n, selector, batch=batch)(**kw, generator=seeded()).results[0] \
                    if self.strategy == "best-of-n" or self.baselines else None
                # screening spends at most best-of-n's NFE (n complete generations)
                res = bon if self.strategy == "best-of-n" else Screen(pipe, self.n, selector, screen_at=self.screen_at)(
                    **kw, generator=seeded()).results[0]
            else:
                mode = "faithful" if self.strategy == "videotpo-faithful" else "genbench"
                res = VideoTPO(pipe, self.critic(), mode=mode, width=self.width, depth=self.depth, selector=selector,
                               task_definition=task, batch=batch)(**kw, generator=seeded()).results[0]
                bon = BestOfN(pipe, self.budget, selector, batch=batch)(**kw, generator=seeded()).results[0] \
                    if self.baselines else None
            n = write_video(path, iter(res.video), self.inner.fps, crf=self.inner.crf)
            strategies = {self.label: {"passed": bool(checker(res.video).passed),
                                       "generations": res.trace.get("seeds_started", self.budget),
                                       "nfe": res.compute.nfe}}
            if bon is not None:
                truth = [bool(checker(c.video).passed) for c in bon.candidates]
                best = bon.candidates.index(bon.selected)
                c = sum(truth)
                strategies.update({
                    "single": {"passed": truth[0], "generations": 1},
                    self._named(f"best-of-{self.budget}"): {"passed": truth[best], "generations": self.budget,
                                                            "nfe": bon.compute.nfe},
                    f"pass@{self.budget}": {"passed": c > 0, "generations": self.budget,
                                            "value": pass_at_k(len(truth), c, self.budget)},
                })
            compute = res.compute.to_json()
            if bon is not None and bon is not res:
                compute["baselines"] = bon.compute.to_json()
            meta = {"strategy": self.strategy, "trace": res.trace, "compute": compute, "strategies": strategies,
                    "selector": res.trace["selected"]["selector"], "selector_kind": selector.kind,
                    "oracle_selected": bool(res.trace["selected"]["oracle_selected"]), "model": self.inner.name}
            out.append(VideoRecord(str(path), self.inner.width, self.inner.height, n, self.inner.fps,
                                   seconds=time.perf_counter() - t0, nfe=res.compute.nfe, meta=meta))
        return out

    def close(self) -> None:
        self.inner.close()
