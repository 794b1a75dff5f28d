"""Calling any diffusers video pipeline the same way: argument pass-through checked against its
signature, one CPU generator per sample, prompt encodings cached across calls, NFE counted.

Test-time strategies (VideoTPO, best-of-N) generate many candidates from few distinct prompts, so
encoding each distinct prompt once and reusing the embeddings is a real saving on large text
encoders (UMT5-XXL for Wan).
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Compute:
    """What a strategy spent."""

    generations: int = 0
    nfe: int = 0  # transformer forward passes per video, summed over videos (batch rows count)
    forward_calls: int = 0  # transformer forward calls as made (a batched call counts once)
    pipeline_calls: int = 0
    prompt_encodings: int = 0  # distinct prompts encoded (cache misses)
    critic_calls: int = 0
    critic_tokens: int = 0
    pipeline_seconds: float = 0.0
    critic_seconds: float = 0.0
    selector_seconds: float = 0.0
    wall_seconds: float = 0.0

    def to_json(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def to_uint8_video(frames: Any) -> np.ndarray:
    """One video from a pipeline's output → (F, H, W, 3) uint8."""
    arr = np.asarray(frames)
    if arr.dtype != np.uint8:
        arr = np.clip(np.round(arr.astype(np.float32) * 255.0), 0, 255).astype(np.uint8)
    return arr


class PipelineCaller:
    """Wraps a pipeline object; ``generate(prompt, seeds, image, **kw)`` → list of uint8 videos."""

    def __init__(self, pipe, compute: Compute | None = None, cache_prompts: bool = True):
        self.pipe = pipe
        self.compute = compute or Compute()
        sig = inspect.signature(pipe.__call__)
        self.params = {n for n, p in sig.parameters.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
        self.accepts_any = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
        self._cache: dict[tuple, tuple] = {}
        self.cache_prompts = cache_prompts and hasattr(pipe, "encode_prompt") and "prompt_embeds" in self.params
        self._nfe = 0
        self._hooks = []
        for name in ("transformer", "transformer_2"):  # Wan 2.2 A14B has two experts
            module = getattr(pipe, name, None)
            if module is not None and hasattr(module, "register_forward_pre_hook"):
                self._hooks.append(module.register_forward_pre_hook(self._count))

    def _count(self, *_):
        self._nfe += 1

    def check_kwargs(self, kwargs: dict) -> None:
        if self.accepts_any:
            return
        unknown = sorted(set(kwargs) - self.params)
        if unknown:
            raise TypeError(f"{type(self.pipe).__name__} does not take {', '.join(unknown)}; "
                            f"it takes: {', '.join(sorted(self.params))}")

    def _embeddings(self, prompt: str, negative: str | None, guidance: float | None, kw: dict) -> dict:
        """prompt_embeds (and negatives / masks) for one prompt, encoded once per distinct input."""
        enc = self.pipe.encode_prompt
        eparams = inspect.signature(enc).parameters
        cfg = guidance is None or guidance > 1.0
        key = (prompt, negative, cfg, kw.get("max_sequence_length"))
        if key not in self._cache:
            args = {"prompt": prompt, "negative_prompt": negative, "do_classifier_free_guidance": cfg,
                    "num_videos_per_prompt": 1, "max_sequence_length": kw.get("max_sequence_length")}
            args = {k: v for k, v in args.items() if k in eparams and (v is not None or k == "negative_prompt")}
            if "device" in eparams:
                args["device"] = getattr(self.pipe, "_execution_device", None)
            out = enc(**{k: v for k, v in args.items() if k in eparams})
            self._cache[key] = tuple(out) if isinstance(out, (tuple, list)) else (out,)
            self.compute.prompt_encodings += 1
        out = self._cache[key]
        names = ["prompt_embeds", "negative_prompt_embeds"]
        if len(out) == 4:  # LTX, Hunyuan: embeddings and attention masks
            names = ["prompt_embeds", "prompt_attention_mask", "negative_prompt_embeds",
                     "negative_prompt_attention_mask"]
        return {n: v for n, v in zip(names, out) if v is not None and n in self.params}

    def one_per_call(self, image) -> bool:
        """CogVideoX and LTX image-to-video take one image per prompt and break on a list of
        generators with a single image (see generators/tiny.py): render those one by one."""
        name = type(self.pipe).__name__
        return image is not None and ("CogVideoX" in name or "LTX" in name)

    def generate(self, prompt: str, seeds: list[int], image=None, **kwargs) -> list[np.ndarray]:
        if len(seeds) > 1 and self.one_per_call(image):
            return [v for s in seeds for v in self.generate(prompt, [s], image, **kwargs)]
        import torch

        self.check_kwargs(kwargs)
        n = len(seeds)
        call = dict(kwargs)
        call["generator"] = [torch.Generator("cpu").manual_seed(int(s)) for s in seeds]
        if "output_type" in self.params:
            call["output_type"] = "np"
        if image is not None:
            call["image"] = image
        negative = call.pop("negative_prompt", None)
        t0 = time.perf_counter()  # prompt encoding is the pipeline's own work, moved out of its call
        if self.cache_prompts:
            emb = self._embeddings(prompt, negative, call.get("guidance_scale"), call)
            for k, v in emb.items():  # one row per candidate: the batch shares one encoding
                call[k] = v.repeat_interleave(n, dim=0) if v.shape[0] == 1 else v
        else:
            call["prompt"] = [prompt] * n
            if negative is not None:
                call["negative_prompt"] = [negative] * n
        before = self._nfe
        out = self.pipe(**call)
        self.compute.pipeline_seconds += time.perf_counter() - t0
        self.compute.pipeline_calls += 1
        self.compute.generations += n
        calls = self._nfe - before
        self.compute.forward_calls += calls
        self.compute.nfe += calls * n if calls else int(getattr(out, "nfe", 0))
        frames = out.frames if hasattr(out, "frames") else out[0]
        return [to_uint8_video(frames[i]) for i in range(n)]

    def close(self) -> None:
        for h in self._hooks:
            h.remove()
        self._hooks.clear()
