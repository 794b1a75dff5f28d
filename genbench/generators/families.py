"""Diffusers pipeline families: one small adapter per family holds what differs between them (how a
first frame is passed in a batch, extra call arguments, batching limits, context-parallel support,
the settings ``diffusers:ORG/REPO`` starts from, the tiny random-weight builders). A preset names its
family; a new family is one class here (registered under the registry's ``pipeline`` kind) and one
preset. Verified against diffusers 0.42.1 (see tiny.py's traps).

Nothing here imports torch or diffusers.
"""

from __future__ import annotations

from typing import Any

from ..registry import REGISTRIES, register


class PipelineFamily:
    name = ""
    class_prefix = ""  # diffusers pipeline class names of the family start with it
    generic_preset = ""  # the preset whose settings `diffusers:ORG/REPO` of this family starts from
    t2v_to_i2v: dict[str, str] = {}  # text-to-video classes whose weights also drive an image-to-video class
    image_per_sample = False  # a batched i2v call takes one image per video (else one image for all)
    context_parallel = False  # diffusers 0.42 ships a context-parallel plan (``_cp_plan``) for its transformer
    max_batch: int | None = None  # a hard cap on videos per pipeline call
    max_batch_reason = ""
    tiny_kinds: tuple[str, ...] = ()  # genbench.generators.tiny kinds built like this family
    tiny_fp32: tuple[str, ...] = ()  # tiny-pipeline components kept float32 when cast (as the docs load them)

    def image_arg(self, image, n: int):
        """The ``image`` argument of a call rendering ``n`` videos of one item."""
        return [image] * n if n > 1 and self.image_per_sample else image

    def call_extras(self, fps: float) -> dict[str, Any]:
        """Pipeline call arguments the family needs beyond the common ones."""
        return {}

    def batch_cap(self, pipe, mode: str) -> int | None:
        """A cap that depends on the loaded pipeline (None: no cap)."""
        return None

    def context_parallel_refusal(self, preset_name: str, spec: str) -> str | None:
        if self.context_parallel:
            return None
        return (f"{preset_name}: parallel={spec}: diffusers has no context-parallel plan for {self.name} "
                f"transformers; use data parallelism (accelerate launch --num_processes N -m genbench run …, "
                f"one model per GPU) for this family")

    def generic_base(self, index: dict) -> str:
        """The preset ``diffusers:ORG/REPO`` starts from, given the repo's model_index.json."""
        return self.generic_preset

    def generic_settings(self, cls: str, index: dict, base) -> dict[str, Any]:
        """Preset fields for ``diffusers:ORG/REPO`` whose model_index names pipeline ``cls`` (``base``
        is the family's preset): the pipelines by mode, per-component dtypes, call kwargs."""
        if "ImageToVideo" in cls:
            pipelines = {"i2v": cls}
        elif cls in self.t2v_to_i2v:  # the same weights drive the image-to-video class
            pipelines = {"i2v": self.t2v_to_i2v[cls], "t2v": cls}
        else:  # text-to-video weights cannot take a first frame
            pipelines = {"t2v": cls}
        return {"pipelines": pipelines, "dtypes": dict(base.dtypes), "call_kwargs": {}}


def pipeline_family(name: str) -> PipelineFamily:
    """The adapter registered for pipeline family ``name``."""
    if name not in _CACHE:
        _CACHE[name] = REGISTRIES["pipeline"].get(name).factory()
    return _CACHE[name]


_CACHE: dict[str, PipelineFamily] = {}


@register("pipeline", "wan", "Wan 2.1 / 2.2 (TI2V-5B, T2V-1.3B, I2V-14B): one image shared by a batch", group="wan")
class Wan(PipelineFamily):
    name = "wan"
    class_prefix = "Wan"
    generic_preset = "wan2.1-t2v-1.3b"
    context_parallel = True
    tiny_kinds = ("wan2", "wan2.1-i2v")
    tiny_fp32 = ("vae",)  # Wan examples load the VAE in float32; the Wan pipelines support it

    def generic_settings(self, cls, index, base):
        ti2v = bool(index.get("expand_timesteps"))  # Wan 2.2 TI2V: one model, both modes
        out = super().generic_settings(cls, index, base)
        if ti2v and cls == "WanPipeline":
            out["pipelines"] = {"i2v": "WanImageToVideoPipeline", "t2v": cls}
        # VAE and any CLIP image encoder in fp32, as the Wan examples load them
        out["dtypes"] = {**base.dtypes, "image_encoder": "fp32"}
        return out

    def generic_base(self, index):
        return "wan2" if index.get("expand_timesteps") else self.generic_preset


@register("pipeline", "wan-a14b", "Wan 2.2 A14B: two experts (high / low noise), guidance_2 for the second",
          group="wan")
class WanA14B(Wan):
    name = "wan-a14b"
    class_prefix = ""  # diffusers:ORG/REPO of an A14B repo is read as wan (its LoRAs still reach both experts)
    tiny_kinds = ("wan2.2-a14b",)


@register("pipeline", "cogvideox", "CogVideoX: one image per video in a batch; no context parallelism",
          group="cogvideox")
class CogVideoX(PipelineFamily):
    name = "cogvideox"
    class_prefix = "CogVideoX"
    generic_preset = "cogvideox-5b-i2v"
    image_per_sample = True  # image[i] is encoded with generator[i] (tiny.py trap 3)
    tiny_kinds = ("cogvideox",)


@register("pipeline", "ltx", "LTX-Video: frame_rate conditioning, one image per video in a batch", group="ltx")
class LTX(PipelineFamily):
    name = "ltx"
    class_prefix = "LTX"
    generic_preset = "ltx-video"
    t2v_to_i2v = {"LTXPipeline": "LTXImageToVideoPipeline"}
    image_per_sample = True
    context_parallel = True
    tiny_kinds = ("ltx",)

    def call_extras(self, fps):
        return {"frame_rate": fps}  # LTX conditions its positions on the frame rate

    def batch_cap(self, pipe, mode):
        # LTX >= 0.9.1 i2v (a timestep-aware VAE): a list of generators crashes (tiny.py trap 6)
        if mode == "i2v" and getattr(pipe.vae.config, "timestep_conditioning", False):
            return 1
        return None

    def generic_settings(self, cls, index, base):
        # decode settings kept (ignored by VAEs without timestep conditioning)
        return {**super().generic_settings(cls, index, base), "call_kwargs": dict(base.call_kwargs)}


@register("pipeline", "hunyuan", "HunyuanVideo (t2v) and HunyuanVideo-I2V: one video per call", group="hunyuan")
class Hunyuan(PipelineFamily):
    name = "hunyuan"
    class_prefix = "HunyuanVideo"
    generic_preset = "hunyuanvideo-i2v"
    max_batch = 1
    max_batch_reason = "HunyuanVideo: one video per call"  # its batching is untested here: stay safe
    tiny_kinds = ("hunyuan",)


def families() -> list[PipelineFamily]:
    return [pipeline_family(name) for name in REGISTRIES["pipeline"].entries()]


def family_of_class(cls: str) -> PipelineFamily | None:
    """The family whose pipeline classes ``cls`` belongs to (by class-name prefix), or None."""
    return next((f for f in families() if f.class_prefix and cls.startswith(f.class_prefix)), None)


def family_of_tiny_kind(kind: str) -> PipelineFamily:
    return next(f for f in families() if kind in f.tiny_kinds)
