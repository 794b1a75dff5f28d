"""Early-plan screening: stop seeds whose plan looks hopeless early, spend the saved steps on new seeds.

A video model commits to its plan (where the agent goes) in the first denoising steps. At step k
(``screen_at`` × steps, default 20%) ``callback_on_step_end`` takes the scheduler's prediction of the
clean video (x0), decodes it at low resolution, and the selector scores that preview. A seed whose
preview scores below the best preview seen so far (minus ``margin``) is stopped through the pipeline's
own ``_interrupt`` flag: its remaining steps never run the transformer. New seeds are started while
the budget — ``n`` full generations' worth of transformer rows, the NFE of best-of-n — allows one
more complete generation. The final video is the selector's best among the seeds that ran to the end.

The selector is the same kind as everywhere (selectors.py): deployable by default, an oracle only when
the caller passes one (then labelled). Previews come from ``preview_frames``: the pipeline's own
``preview`` method if it has one (the simulated solver), else the Wan decode path (UniPC's x0, Wan VAE
normalisation). Other pipeline families are refused with a clear message rather than guessed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .pipecall import Compute, Slot, as_uint8
from .selectors import ORACLE
from .videotpo import Candidate, Result, _Search, selector_label


def preview_frames(pipe, latents, downscale: int = 2) -> np.ndarray:
    """The predicted clean video at this step, decoded at 1/``downscale`` resolution: (F, H, W, 3) uint8
    for the first video of the batch."""
    if hasattr(pipe, "preview"):
        return pipe.preview(downscale)
    import torch

    x0 = _wan_x0(pipe)
    if downscale > 1 and min(x0.shape[-2:]) >= 2 * downscale:
        x0 = torch.nn.functional.interpolate(x0[:1].float(), scale_factor=(1, 1 / downscale, 1 / downscale),
                                             mode="trilinear")
    vae = pipe.vae
    x0 = x0[:1].to(vae.device, vae.dtype)
    mean = torch.tensor(vae.config.latents_mean).view(1, vae.config.z_dim, 1, 1, 1).to(x0)
    std = torch.tensor(vae.config.latents_std).view(1, vae.config.z_dim, 1, 1, 1).to(x0)
    with torch.no_grad():
        video = vae.decode(x0 * std + mean, return_dict=False)[0]
    return as_uint8(pipe.video_processor.postprocess_video(video, output_type="np")[0])


def _wan_x0(pipe):
    name, sched = type(pipe).__name__, pipe.scheduler
    outs = getattr(sched, "model_outputs", None)
    if not name.startswith("Wan") or not getattr(sched.config, "predict_x0", False) or not outs or outs[-1] is None:
        raise ValueError(f"--tpo screen decodes x0 previews of Wan pipelines (UniPC x0 prediction); "
                         f"{name} with {type(sched).__name__} is not supported yet")
    return outs[-1]


@dataclass
class _Seed:
    index: int
    preview_score: float | None = None
    stopped: bool = False
    nfe: int = 0


class Screen(_Search):
    """``Screen(pipe, n=…, selector=…)(prompt=…, **pipe_kwargs)`` → pipeline output with ``.trace``."""

    def __init__(self, pipe, n: int, selector, *, screen_at: float = 0.2, margin: float = 0.0,
                 preview_downscale: int = 2, seed: int = 0, max_seeds: int | None = None):
        if selector is None:
            raise ValueError("screening needs a selector to score the early previews (a deployable one, or "
                             "the task's checker as a labelled oracle)")
        if not 0 < screen_at < 1:
            raise ValueError(f"screen_at={screen_at}: a fraction of the steps, between 0 and 1")
        super().__init__(pipe, selector, seed, batch=1)  # one seed per call: _interrupt stops a whole call
        self.n, self.screen_at, self.margin = int(n), float(screen_at), float(margin)
        self.downscale = int(preview_downscale)
        self.max_seeds = max_seeds or 4 * self.n

    def _search(self, slot: Slot) -> Result:
        compute = self.caller.compute = Compute()
        t0 = time.perf_counter()
        steps = int(slot.extra.get("num_inference_steps") or self.caller.defaults.get("num_inference_steps") or 50)
        k = max(1, min(steps - 2, round(self.screen_at * steps)))  # the step whose x0 is previewed
        budget = None  # rows of one full generation × n, known after the first (full) seed
        best_preview = -np.inf
        seeds: list[_Seed] = []
        done: list[Candidate] = []
        while len(seeds) < self.max_seeds:
            if budget is not None and compute.nfe + budget // self.n > budget:
                break  # not enough left for one more complete generation
            s = _Seed(len(seeds))
            seeds.append(s)
            nfe0 = compute.nfe

            def screen(pipe, i, t, kw, s=s):
                if i == k:
                    t1 = time.perf_counter()
                    s.preview_score = float(self.selector(preview_frames(pipe, kw.get("latents"), self.downscale)).score)
                    compute.selector_seconds += time.perf_counter() - t1
                    if s.preview_score < best_preview - self.margin:
                        pipe._interrupt = True  # the remaining steps skip the transformer
                        s.stopped = True
                return kw

            [(frames, video, seed)] = self.caller.render(slot, slot.prompt, s.index, 1,
                                                         extra={"callback_on_step_end": screen})
            s.nfe = compute.nfe - nfe0
            best_preview = max(best_preview, s.preview_score if s.preview_score is not None else -np.inf)
            if budget is None:
                budget = (compute.nfe - nfe0) * self.n  # best-of-n's NFE
            if not s.stopped:
                c = Candidate(0, s.index, seed, slot.prompt, video, frames)
                c.score = self.selector(video)
                done.append(c)
                self._keep_only(self._choose(done), done)
        chosen = self._choose(done)
        compute.wall_seconds = time.perf_counter() - t0
        full = (budget or 0) // self.n
        trace = {"mode": "screen", "n": self.n, "screen_at_step": k, "steps": steps, "nfe_budget": budget,
                 "nfe_used": compute.nfe,
                 # NFE the stopped seeds did not spend, re-spent on new seeds within the same budget
                 "nfe_saved_by_stopping": sum(full - s.nfe for s in seeds if s.stopped),
                 "seeds": [{"index": s.index, "preview_score": s.preview_score, "stopped": s.stopped, "nfe": s.nfe}
                           for s in seeds],
                 "seeds_started": len(seeds), "seeds_stopped": sum(s.stopped for s in seeds),
                 "candidates": [c.to_json() for c in done],
                 "selected": {"candidate": chosen.index, "seed": chosen.seed, "selector": selector_label(self.selector),
                              "oracle_selected": self.selector.kind == ORACLE},
                 "compute": compute.to_json()}
        return Result(chosen, done, trace, compute)
