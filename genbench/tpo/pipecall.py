"""Calling any diffusers video pipeline on a strategy's behalf, as the user would have called it.

A strategy is called like the pipeline (``prompt``, ``image``, ``generator``, ``output_type``,
``num_videos_per_prompt``, any other argument the pipeline takes). ``PipelineCaller.slots`` splits
that call into the videos the user asked for (prompts × num_videos_per_prompt), each with its own
generator; ``render`` makes candidates for one video in one pipeline call; ``assemble`` puts the
chosen candidates back into the pipeline's own output object.

Candidate 0 of every video uses the user's generator as given, with the user's arguments, so one
candidate is exactly ``pipe(**same_kwargs)`` (tests/test_parity.py). Further candidates get seeds
derived from it. Prompt encodings are memoised and NFE counted by generators/pipecalls.py, installed
for the call and removed on return.
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..generators.diffusers import to_uint8
from ..generators.pipecalls import PromptCache, counting_rows


@dataclass
class Compute:
    """What a strategy spent."""

    generations: int = 0
    nfe: int = 0  # transformer rows (videos × guidance branches × steps), summed over videos
    forward_calls: int = 0  # transformer forward calls as made (a batched call counts once)
    pipeline_calls: int = 0
    prompt_encodings: int = 0  # text-encoder runs (cache misses)
    critic_calls: int = 0
    critic_tokens: int = 0
    pipeline_seconds: float = 0.0
    critic_seconds: float = 0.0
    selector_seconds: float = 0.0
    wall_seconds: float = 0.0

    def to_json(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}

    def add(self, other: "Compute") -> None:
        for k, v in other.__dict__.items():
            setattr(self, k, getattr(self, k) + v)


def derive_seed(seed: int, *path: int) -> int:
    """A seed for candidate/video ``path`` of a base seed; distinct bases never share derived seeds
    the way ``seed + k`` would (user seeds 0 and 1 with 4 candidates each)."""
    return int(np.random.SeedSequence([int(seed), *path]).generate_state(1)[0])


@dataclass
class Slot:
    """One video the user asked for: its prompt, image, negative prompt and generator."""

    prompt: Any
    generator: Any  # torch.Generator
    seed: int  # the generator's initial seed (candidates derive theirs from it)
    image: Any = None
    negative: Any = None
    extra: dict = field(default_factory=dict)  # every other pipeline argument, as given


def as_uint8(frames) -> np.ndarray:
    """One video as the pipeline returned it (float array, list of PIL images, (F, C, H, W) tensor)
    → (F, H, W, 3) uint8 for selectors and critics."""
    if isinstance(frames, list):
        return np.stack([np.asarray(f.convert("RGB")) for f in frames])
    if hasattr(frames, "detach"):  # output_type="pt": (F, C, H, W) in [0, 1]
        frames = frames.detach().float().cpu().permute(0, 2, 3, 1).numpy()
    arr = np.asarray(frames)
    return arr if arr.dtype == np.uint8 else to_uint8(arr)


def per_sample_images(pipe) -> bool:
    """CogVideoX and LTX image-to-video index ``image[i]`` per generator of a list (generators/tiny.py
    trap 3): N candidates need N copies of the image; Wan takes one image for the whole batch."""
    name = type(pipe).__name__
    return "CogVideoX" in name or "LTX" in name


class PipelineCaller:
    def __init__(self, pipe, compute: Compute | None = None):
        self.pipe = pipe
        self.compute = compute or Compute()
        sig = inspect.signature(pipe.__call__)
        self.params = {n for n, p in sig.parameters.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
        self.accepts_any = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
        self.defaults = {n: p.default for n, p in sig.parameters.items() if p.default is not p.empty}
        self.prompts = PromptCache()

    def check_kwargs(self, kwargs: dict) -> None:
        if self.accepts_any:
            return
        unknown = sorted(set(kwargs) - self.params)
        if unknown:
            raise TypeError(f"{type(self.pipe).__name__} does not take {', '.join(unknown)}; "
                            f"it takes: {', '.join(sorted(self.params))}")

    def slots(self, kwargs: dict, seed: int) -> list[Slot]:
        """The videos a ``pipe(**kwargs)`` call would return, one Slot each."""
        import torch

        kw = dict(kwargs)
        self.check_kwargs(kw)
        if kw.get("return_dict") is False:
            raise ValueError("return_dict=False is not supported: the search trace rides on the output object")
        if kw.get("output_type") == "latent":
            raise ValueError("output_type='latent' cannot be scored: selectors and critics need pixels")
        for k in ("latents", "prompt_embeds"):
            if kw.get(k) is not None:
                raise ValueError(f"{k}= is not supported by test-time search: pass prompt= (candidates differ "
                                 f"by seed and the critic rewrites the prompt)")
        prompt = kw.pop("prompt", None)
        if prompt is None:
            raise ValueError("pass prompt= (the critic rewrites it; the candidates are drawn from it)")
        prompts = list(prompt) if isinstance(prompt, (list, tuple)) else [prompt]
        per = int(kw.pop("num_videos_per_prompt", None) or 1)
        image, negative, gen = kw.pop("image", None), kw.pop("negative_prompt", None), kw.pop("generator", None)
        total = len(prompts) * per
        if isinstance(gen, (list, tuple)):
            if len(gen) != total:
                raise ValueError(f"{len(gen)} generators for {total} videos ({len(prompts)} prompts × "
                                 f"num_videos_per_prompt={per}): pass one per video")
            gens = list(gen)
        else:
            first = gen if gen is not None else torch.Generator("cpu").manual_seed(int(seed))
            base = first.initial_seed()
            gens = [first] + [torch.Generator(first.device).manual_seed(derive_seed(base, 2, j))
                              for j in range(1, total)]
        out = []
        for j, g in enumerate(gens):
            p = j // per
            out.append(Slot(prompts[p], g, int(g.initial_seed()),
                            image=image[p] if isinstance(image, list) and len(image) == len(prompts) else image,
                            negative=negative[p] if isinstance(negative, (list, tuple)) else negative, extra=kw))
        return out

    def render(self, slot: Slot, prompt: str, index0: int, count: int,
               extra: dict | None = None) -> list[tuple[Any, np.ndarray, int]]:
        """Candidates ``index0 … index0+count-1`` of a slot, in one pipeline call: (frames as the
        pipeline returned them, uint8 frames, seed) each. Candidate 0 uses the slot's generator."""
        import torch

        gens, seeds = [], []
        for i in range(index0, index0 + count):
            if i == 0:
                gens.append(slot.generator)
                seeds.append(slot.seed)
            else:
                s = derive_seed(slot.seed, 1, i)
                gens.append(torch.Generator(slot.generator.device).manual_seed(s))
                seeds.append(s)
        call = {**slot.extra, **(extra or {})}
        one = count == 1  # a single candidate is called exactly as the user would: no lists
        call["prompt"] = prompt if one else [prompt] * count
        call["generator"] = gens[0] if one else gens
        if slot.negative is not None:
            call["negative_prompt"] = slot.negative
        if slot.image is not None:
            call["image"] = [slot.image] * count if not one and per_sample_images(self.pipe) else slot.image
        t0 = time.perf_counter()
        misses = self.prompts.misses
        with self.prompts.installed(self.pipe), counting_rows(self.pipe) as rows:
            out = self.pipe(**call)
        c = self.compute
        c.pipeline_seconds += time.perf_counter() - t0
        c.pipeline_calls += 1
        c.generations += count
        c.prompt_encodings += self.prompts.misses - misses
        c.forward_calls += rows.calls
        c.nfe += rows.rows if rows.calls else int(getattr(out, "nfe", 0))  # no transformer: the simulated solver
        frames = out.frames
        self._template = out
        return [(frames[i], as_uint8(frames[i]), s) for i, s in enumerate(seeds)]

    def assemble(self, chosen: list) -> Any:
        """The pipeline's own output object holding the chosen videos (one per slot), in its output type."""
        import torch

        if isinstance(chosen[0], list):
            frames = list(chosen)
        elif isinstance(chosen[0], torch.Tensor):
            frames = torch.stack(chosen)
        else:
            frames = np.stack(chosen)
        return replace(self._template, frames=frames)
