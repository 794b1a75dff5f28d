"""Tiny, RANDOMLY-INITIALISED diffusers video pipelines, built entirely offline.

!!! THESE ARE RANDOM WEIGHTS. The videos they produce are noise. !!!
They exist to prove the *code path* (real diffusers pipeline classes, real
schedulers, real VAEs / transformers / text encoders, batching, generators,
image conditioning, output post-processing) on a CPU in about a second.
They say nothing about reasoning, quality or any real model's behaviour.

Each kind mirrors the *architecture family and wiring* of a real checkpoint
(same pipeline class, same VAE family, same latent channel count and
compression ratios, same conditioning mechanism) with widths/depths shrunk
to 0.17-0.35 M parameters per pipeline:

* ``wan2``        Wan 2.2 TI2V-5B style. One set of weights (Wan2.2 VAE:
                  ``AutoencoderKLWan`` with z_dim=48, patch_size=2, residual,
                  16x spatial compression; 48-channel transformer; UMT5 text
                  encoder) used by ``WanPipeline`` (t2v) and
                  ``WanImageToVideoPipeline`` (i2v), both with
                  ``expand_timesteps=True``. In diffusers 0.42.1
                  ``WanPipeline.__call__`` has no ``image`` argument: TI2V-5B
                  image-to-video is ``WanImageToVideoPipeline`` built from the
                  same components with no CLIP image encoder (the first latent
                  frame is replaced by the encoded image and gets timestep 0).
* ``wan2.1-i2v``  Wan 2.1 I2V-14B style: ``WanImageToVideoPipeline`` with a
                  tiny ``CLIPVisionModel`` + ``CLIPImageProcessor``, 36-channel
                  transformer input (16 noise + 4 mask + 16 image latents),
                  ``image_dim``/``added_kv_proj_dim`` set. t2v uses
                  ``WanPipeline`` with a Wan 2.1 T2V-style 16-channel
                  transformer (Wan2.1 VAE shared).
* ``wan2.2-a14b`` Wan 2.2 A14B style: two experts (``transformer`` high
                  noise, ``transformer_2`` low noise, ``boundary_ratio`` 0.875
                  t2v / 0.9 i2v), Wan2.1 VAE, i2v by 36-channel latent
                  concatenation without a CLIP image encoder.
* ``hunyuan``     HunyuanVideo (t2v, ``HunyuanVideoPipeline``: Llama + CLIP
                  text encoders) and HunyuanVideo-I2V (i2v,
                  ``HunyuanVideoImageToVideoPipeline``: a LLaVA text encoder
                  that sees the image as 576 tokens, ``token_replace``
                  conditioning, embedded guidance); the Llama-3 chat markers
                  of its prompt templates are special tokens.
* ``cogvideox``   CogVideoX-5B(-I2V) style: ``CogVideoXImageToVideoPipeline``
                  (32-channel input, rotary + learned positional embeddings)
                  / ``CogVideoXPipeline`` (16-channel, rotary), 8x spatial /
                  4x temporal ``AutoencoderKLCogVideoX``, ``CogVideoXDPMScheduler``.
* ``ltx``         LTX-Video 0.9.0 style: ``LTXImageToVideoPipeline`` /
                  ``LTXPipeline``, 32x spatial / 8x temporal
                  ``AutoencoderKLLTXVideo`` (no decoder timestep conditioning),
                  flow-matching scheduler with dynamic shifting.

Text encoders are tiny ``T5EncoderModel`` / ``UMT5EncoderModel`` models and the
tokenizer is a word-level ``tokenizers`` model (lower-cased words, digits and
punctuation; any unknown word -> ``<unk>``; ``</s>`` appended; ``<pad>`` = 0)
wrapped in ``transformers.PreTrainedTokenizerFast``. Nothing touches the
network or the Hugging Face hub.

Weights are deterministic given ``seed``: ``torch.manual_seed(seed + k)`` is
called right before constructing the k-th module, so the same (kind, mode,
seed) always gives bit-identical weights, and ``wan2`` i2v/t2v share weights.

torch / diffusers / transformers are imported only inside functions, so
importing this module (and ``genbench``) stays cheap.

Traps verified against diffusers 0.42.1 (source read AND run on these tiny
pipelines; CPU, torch 2.13, transformers 5.23). The real-model generator
relies on these:

1. "Wan needs ftfy": FALSE for WanPipeline / WanImageToVideoPipeline.
   ``basic_clean`` calls ``ftfy.fix_text`` only if ``is_ftfy_available()``;
   without ftfy they run fine, but mojibake in prompts (UTF-8 read as
   cp1252, e.g. a curly quote shown as three junk characters) is not
   repaired, so prompts can differ from the reference. TRUE for
   WanAnimatePipeline (unguarded ``ftfy.fix_text`` -> NameError). Keep ftfy
   installed anyway.
2. "Wan 2.1 I2V crashes with num_videos_per_prompt > 1": TRUE.
   RuntimeError "Sizes of tensors must match except in dimension 1": CLIP
   ``image_embeds`` are repeated ``len(prompts)`` times, not
   ``len(prompts) * num_videos_per_prompt``. Workaround works: ``prompt=[p]*N``
   plus ``generator=[g_1, ..., g_N]``. The Wan 2.2 TI2V path
   (expand_timesteps, no CLIP) and WanPipeline do NOT crash.
   Also: WanImageToVideoPipeline takes exactly ONE image per call (a list
   raises ValueError); it is shared by every prompt in the batch.
3. "CogVideoX I2V silently forces one video per prompt": TRUE, and
   CogVideoXPipeline (t2v) does the same: ``num_videos_per_prompt = 1`` is
   hard-coded in ``__call__``, no warning (asking for 2 returns 1 video).
   Batch with ``prompt=[p]*N`` + N generators instead. For I2V with a LIST of
   generators, CogVideoX and LTX encode ``image[i]`` per sample, so pass one
   image per prompt (a list of N PIL images); one image + N>1 generators ->
   IndexError. CogVideoX with one image, one generator and N>1 prompts ->
   RuntimeError (LTX broadcasts the single image instead). CogVideoX/LTX I2V
   *sample* the image latent with each sample's generator.
4. "export_to_video pads sizes to multiples of 16 unless macro_block_size=1":
   TRUE in effect, but it RESCALES (not pads): with the default
   ``macro_block_size=16`` imageio-ffmpeg upscales e.g. 50x40 -> 64x48 (with
   a warning); ``macro_block_size=1`` keeps 50x40 (checked with
   imageio-ffmpeg 0.8.1). In THIS environment imageio is installed but
   imageio-ffmpeg is not, so ``export_to_video`` raises AttributeError
   ("Unable to find a compatible ffmpeg installation") instead of using the
   OpenCV fallback. Write videos with PyAV. (It also does
   ``(frame * 255).astype(uint8)`` without clipping.)

Further findings:

5. CogVideoX-5B-I2V-style transformers (``use_learned_positional_embeddings``)
   raise ValueError at any height/width other than ``sample_height/width * 8``
   (480x720 for the real model; TINY_DEFAULTS size for the tiny one). The
   t2v model (rotary only) accepts other sizes.
6. LTXImageToVideoPipeline with an LTX >= 0.9.1-style VAE
   (``timestep_conditioning=True``) calls ``torch.randn(shape,
   generator=generator)`` before decoding -> TypeError for a LIST of
   generators (a single generator works). LTXPipeline (t2v) uses
   ``randn_tensor`` and handles lists. The tiny ``ltx`` kind mirrors 0.9.0
   (no timestep conditioning), so lists work with it.
7. LTX with the LTX scheduler config (``shift_terminal=0.1``) cannot run
   ``num_inference_steps=1``: the terminal stretch divides 0/0 -> NaN
   timesteps -> IndexError. Use >= 2 steps.
8. Batched vs. alone is NOT bit-identical on CPU for any pipeline here
   (max |diff| ~1e-6 on the [0, 1] scale): oneDNN Conv3d and MKL sgemm pick
   batch-size-dependent kernels. Not prompt padding (all these pipelines pad
   prompts to a fixed max_sequence_length), not cross-sample leakage (two
   identical samples in one batch are bit-identical). Likewise a pipeline
   saved with ``save_pretrained`` and reloaded can differ by ~1e-6 from the
   in-memory one (mmap'd safetensors weights are not 64-byte aligned, which
   changes MKL's code path). Same seed + same construction path -> identical.

Modules: ``tiny_common`` (kinds, default sizes, tokenizer, text encoder) and one builder module per
pipeline family (``tiny_wan``, ``tiny_hunyuan``, ``tiny_cogvideox``, ``tiny_ltx``); this one picks
the builder and casts dtypes.
"""

from __future__ import annotations

from typing import Any

from .tiny_cogvideox import build_cogvideox
from .tiny_common import TINY_DEFAULTS, TINY_KINDS, TINY_MODES, build_tiny_tokenizer  # noqa: F401
from .tiny_hunyuan import build_hunyuan
from .tiny_ltx import build_ltx
from .tiny_wan import build_wan2, build_wan21, build_wan22_a14b


def _require_torch():
    try:
        import torch  # noqa: F401
        import diffusers  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on env
        raise ImportError(
            "genbench tiny pipelines need torch, diffusers and transformers "
            "(pip install 'genbench[models]')"
        ) from exc


def _cast_keep_fp32(module, dtype) -> None:
    """Cast a module's floating-point params/buffers to ``dtype`` like
    ``from_pretrained(torch_dtype=...)`` does: names listed in the model's
    ``_keep_in_fp32_modules`` (diffusers and transformers both use it) stay
    float32. (``ModelMixin.to(dtype)`` would cast those too, with a warning.)"""
    import torch

    if not isinstance(module, torch.nn.Module):
        return
    keep = set(getattr(module, "_keep_in_fp32_modules", None) or ())

    def target(name: str):
        return torch.float32 if keep.intersection(name.split(".")) else dtype

    for name, param in module.named_parameters():
        if param.is_floating_point():
            param.data = param.data.to(target(name))
    for name, buf in list(module.named_buffers()):
        if buf.is_floating_point() and buf.dtype != torch.float64:  # float64 rope tables stay
            owner_name, _, attr = name.rpartition(".")
            owner = module.get_submodule(owner_name) if owner_name else module
            owner._buffers[attr] = buf.to(target(name))


_BUILDERS = {
    "wan2": build_wan2,
    "wan2.1-i2v": build_wan21,
    "wan2.2-a14b": build_wan22_a14b,
    "hunyuan": build_hunyuan,
    "cogvideox": build_cogvideox,
    "ltx": build_ltx,
}


def tiny_call_kwargs(kind: str) -> dict[str, Any]:
    """Pipeline call arguments that work for a tiny pipeline of ``kind``: ``TINY_DEFAULTS[kind]``
    without ``fps`` (the frame rate a video is encoded at, not a pipeline argument), e.g.
    ``pipe(prompt=…, image=…, **tiny_call_kwargs("wan2"))``."""
    return {k: v for k, v in TINY_DEFAULTS[kind].items() if k != "fps"}


def build_tiny_pipeline(kind: str, mode: str, *, seed: int = 0, torch_dtype=None):
    """Build a real diffusers pipeline with tiny RANDOM weights, on CPU, offline.

    kind: one of ``TINY_KINDS``; mode: ``"i2v"`` or ``"t2v"``. The same
    (kind, mode, seed) always yields identical weights. ``torch_dtype`` (e.g.
    ``torch.bfloat16``) casts the text/image encoders and transformer, and the
    VAE except for Wan (whose VAE stays float32, as in the Wan examples);
    ``_keep_in_fp32_modules`` stay float32. Default: everything float32. The
    progress bar is disabled. Call it with ``tiny_call_kwargs(kind)`` (sizes and steps that work).
    The output is noise: this proves the code path, not reasoning.
    """
    if kind not in _BUILDERS:
        raise ValueError(f"unknown tiny kind {kind!r}; expected one of {TINY_KINDS}")
    if mode not in TINY_MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {TINY_MODES}")
    _require_torch()
    pipe = _BUILDERS[kind](mode, int(seed))
    if torch_dtype is not None:
        from .families import family_of_tiny_kind

        keep = family_of_tiny_kind(kind).tiny_fp32  # e.g. Wan's VAE, float32 as its examples load it
        for name, component in pipe.components.items():
            if name not in keep:
                _cast_keep_fp32(component, torch_dtype)
    pipe.to("cpu")
    pipe.set_progress_bar_config(disable=True)
    return pipe
