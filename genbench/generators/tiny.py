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
"""

from __future__ import annotations

from typing import Any

TINY_KINDS: tuple[str, ...] = ("wan2", "wan2.1-i2v", "wan2.2-a14b", "cogvideox", "ltx", "hunyuan")
TINY_MODES: tuple[str, ...] = ("i2v", "t2v")

# Sizes respect each pipeline's rules: Wan 2.2 -> multiples of 32 (16x VAE * patch 2),
# 4k+1 frames; Wan 2.1 -> multiples of 16, 4k+1 frames; CogVideoX -> multiples of 8
# (tiny I2V transformer is fixed to exactly this size), 4k+1 frames; LTX -> multiples
# of 32, 8k+1 frames. fps mirror the real models' native frame rates.
TINY_DEFAULTS: dict[str, dict[str, Any]] = {
    "wan2": dict(width=64, height=64, num_frames=9, fps=24, num_inference_steps=2, guidance_scale=5.0),
    "wan2.1-i2v": dict(width=64, height=64, num_frames=9, fps=16, num_inference_steps=2, guidance_scale=5.0),
    "wan2.2-a14b": dict(width=64, height=64, num_frames=9, fps=16, num_inference_steps=2, guidance_scale=4.0),
    "hunyuan": dict(width=32, height=32, num_frames=5, fps=24, num_inference_steps=2, guidance_scale=6.0),
    "cogvideox": dict(width=64, height=64, num_frames=9, fps=8, num_inference_steps=2, guidance_scale=6.0),
    "ltx": dict(width=64, height=64, num_frames=9, fps=24, num_inference_steps=2, guidance_scale=3.0),
}

# Maximum prompt lengths the real pipelines use (tokenizer model_max_length).
_MAX_TEXT_LEN = {"wan2": 512, "wan2.1-i2v": 512, "wan2.2-a14b": 512, "cogvideox": 226, "ltx": 128, "hunyuan": 256}

_TEXT_DIM = 32  # d_model of every tiny text encoder == transformer text dim

# Small vocabulary. Anything else becomes <unk>; that is enough for the code path.
_WORDS = """
a an the and or of to in on at by for with from into onto through over under
is are be it its this that these those there here then than not no yes
red green blue yellow black white gray grey orange purple pink brown
dot dots ball circle square cell cells grid wall walls maze path route line
start goal end exit entrance agent marker arrow block blocks tile tiles
move moves moving moved go goes going slide slides walk walks travel travels
up down left right top bottom center corner north south east west
one two three four five six seven eight nine ten first last next step steps
shortest solve solves solved solution reach reaches reaching follow follows
open closed empty filled video frame frames camera static still smooth
show shows showing appear appears draw draws drawn trace traces background
without do does stay stays never only each every all until while after before
""".split()
_PUNCT = list(".,;:!?'\"()[]{}-_/+*=<>#&%@")


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


def build_tiny_tokenizer(model_max_length: int = 512):
    """Word-level fast tokenizer over a small vocabulary, built in memory.

    ``<pad>`` = 0, ``</s>`` = 1, ``<unk>`` = 2 (T5 conventions); input is NFKC
    normalised and lower-cased, split on whitespace/punctuation; ``</s>`` is
    appended to every sequence. Unknown words map to ``<unk>``, so any prompt
    tokenizes.
    """
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    vocab: dict[str, int] = {"<pad>": 0, "</s>": 1, "<unk>": 2}
    for tok in _WORDS + [str(d) for d in range(10)] + _PUNCT:
        vocab.setdefault(tok, len(vocab))
    tk = Tokenizer(WordLevel(vocab=vocab, unk_token="<unk>"))
    tk.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tk.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Whitespace(), pre_tokenizers.Digits(individual_digits=True)]
    )
    tk.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tk,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        model_max_length=model_max_length,
        padding_side="right",
    )


def _vocab_size() -> int:
    # specials + words + digits + punctuation, rounded up (room to spare).
    n = 3 + len(set(_WORDS)) + 10 + len(_PUNCT)
    return ((n + 63) // 64) * 64


def _t5_encoder(seed: int, umt5: bool):
    import torch
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    common = dict(
        vocab_size=_vocab_size(),
        d_model=_TEXT_DIM,
        d_kv=8,
        d_ff=64,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        relative_attention_max_distance=32,
        dropout_rate=0.0,
        feed_forward_proj="gated-gelu",
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    torch.manual_seed(seed)
    if umt5:
        return UMT5EncoderModel(UMT5Config(**common)).eval()
    return T5EncoderModel(T5Config(**common)).eval()


# ----------------------------------------------------------------------------- Wan


def _wan_vae(seed: int, v22: bool):
    import torch
    from diffusers import AutoencoderKLWan

    torch.manual_seed(seed)
    if v22:
        # Wan2.2 VAE: residual, 2x2 pixel-unshuffle patching (12 = 3*2*2 channels),
        # z_dim 48, 16x spatial / 4x temporal compression.
        vae = AutoencoderKLWan(
            base_dim=8,
            decoder_base_dim=8,
            z_dim=48,
            dim_mult=[1, 2, 2, 2],
            num_res_blocks=1,
            temperal_downsample=[False, True, True],
            is_residual=True,
            in_channels=12,
            out_channels=12,
            patch_size=2,
            scale_factor_temporal=4,
            scale_factor_spatial=16,
            latents_mean=[0.0] * 48,
            latents_std=[1.0] * 48,
        )
    else:
        # Wan2.1 VAE: z_dim 16, 8x spatial / 4x temporal compression.
        vae = AutoencoderKLWan(
            base_dim=8,
            z_dim=16,
            dim_mult=[1, 2, 2, 2],
            num_res_blocks=1,
            temperal_downsample=[False, True, True],
            scale_factor_temporal=4,
            scale_factor_spatial=8,
        )
    return vae.eval()


def _wan_transformer(seed: int, in_channels: int, out_channels: int, image_dim: int | None = None):
    import torch
    from diffusers import WanTransformer3DModel

    heads, head_dim = 2, 12
    torch.manual_seed(seed)
    return WanTransformer3DModel(
        patch_size=(1, 2, 2),
        num_attention_heads=heads,
        attention_head_dim=head_dim,
        in_channels=in_channels,
        out_channels=out_channels,
        text_dim=_TEXT_DIM,
        freq_dim=32,
        ffn_dim=48,
        num_layers=2,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        eps=1e-6,
        image_dim=image_dim,
        added_kv_proj_dim=heads * head_dim if image_dim is not None else None,
        rope_max_seq_len=64,
    ).eval()


def _wan_scheduler(flow_shift: float):
    from diffusers import UniPCMultistepScheduler

    # What the Wan-AI diffusers repos ship: UniPC in flow-prediction mode.
    return UniPCMultistepScheduler(
        num_train_timesteps=1000,
        prediction_type="flow_prediction",
        use_flow_sigmas=True,
        flow_shift=flow_shift,
    )


def _clip_vision(seed: int):
    import torch
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    torch.manual_seed(seed)
    enc = CLIPVisionModel(
        CLIPVisionConfig(
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=32,
            patch_size=8,
            projection_dim=16,
        )
    ).eval()
    proc = CLIPImageProcessor(
        do_resize=True,
        size={"shortest_edge": 32},
        do_center_crop=True,
        crop_size={"height": 32, "width": 32},
        do_normalize=True,
        image_mean=[0.48145466, 0.4578275, 0.40821073],
        image_std=[0.26862954, 0.26130258, 0.27577711],
    )
    return enc, proc


def _build_wan2(mode: str, seed: int):
    from diffusers import WanImageToVideoPipeline, WanPipeline

    comps = dict(
        tokenizer=build_tiny_tokenizer(_MAX_TEXT_LEN["wan2"]),
        text_encoder=_t5_encoder(seed, umt5=True),
        vae=_wan_vae(seed + 1, v22=True),
        transformer=_wan_transformer(seed + 2, in_channels=48, out_channels=48),
        scheduler=_wan_scheduler(flow_shift=5.0),
        expand_timesteps=True,
    )
    if mode == "t2v":
        return WanPipeline(**comps)
    return WanImageToVideoPipeline(**comps, image_encoder=None, image_processor=None)


def _build_wan21(mode: str, seed: int):
    from diffusers import WanImageToVideoPipeline, WanPipeline

    comps = dict(
        tokenizer=build_tiny_tokenizer(_MAX_TEXT_LEN["wan2.1-i2v"]),
        text_encoder=_t5_encoder(seed, umt5=True),
        vae=_wan_vae(seed + 1, v22=False),
        scheduler=_wan_scheduler(flow_shift=3.0),
    )
    if mode == "t2v":
        return WanPipeline(**comps, transformer=_wan_transformer(seed + 2, 16, 16))
    enc, proc = _clip_vision(seed + 3)
    return WanImageToVideoPipeline(
        **comps,
        transformer=_wan_transformer(seed + 2, in_channels=36, out_channels=16, image_dim=16),
        image_encoder=enc,
        image_processor=proc,
    )


def _build_wan22_a14b(mode: str, seed: int):
    """Wan 2.2 A14B style: two experts (``transformer`` for high noise, ``transformer_2`` for low
    noise, switched at ``boundary_ratio``), Wan 2.1 VAE, no CLIP image encoder (i2v concatenates the
    image latents: 36 input channels)."""
    from diffusers import WanImageToVideoPipeline, WanPipeline

    cin = 36 if mode == "i2v" else 16
    comps = dict(
        tokenizer=build_tiny_tokenizer(_MAX_TEXT_LEN["wan2.2-a14b"]),
        text_encoder=_t5_encoder(seed, umt5=True),
        vae=_wan_vae(seed + 1, v22=False),
        scheduler=_wan_scheduler(flow_shift=12.0 if mode == "t2v" else 5.0),
        transformer=_wan_transformer(seed + 2, in_channels=cin, out_channels=16),
        transformer_2=_wan_transformer(seed + 3, in_channels=cin, out_channels=16),
        # the real repos' model_index.json: 0.875 (T2V), 0.9 (I2V)
        boundary_ratio=0.875 if mode == "t2v" else 0.9,
    )
    if mode == "t2v":
        return WanPipeline(**comps)
    return WanImageToVideoPipeline(**comps, image_encoder=None, image_processor=None)


# ----------------------------------------------------------------------- HunyuanVideo

# Llama-3 chat markers of Hunyuan's prompt templates: special tokens, so the pipeline finds them
_HUNYUAN_SPECIAL = ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<image>"]
_HUNYUAN_IMAGE = 48  # CLIP vision input; patch 2 -> 24 x 24 = 576 image tokens, as the template expects


def _build_hunyuan(mode: str, seed: int):
    """HunyuanVideo (t2v: ``HunyuanVideoPipeline``, Llama text encoder) and HunyuanVideo-I2V (i2v:
    ``HunyuanVideoImageToVideoPipeline``, LLaVA text encoder that sees the image, ``token_replace``
    image conditioning, embedded guidance), both with a CLIP text encoder for the pooled prompt."""
    import torch
    from diffusers import (AutoencoderKLHunyuanVideo, FlowMatchEulerDiscreteScheduler,
                           HunyuanVideoImageToVideoPipeline, HunyuanVideoPipeline, HunyuanVideoTransformer3DModel)
    from transformers import (CLIPImageProcessor, CLIPTextConfig, CLIPTextModel, CLIPVisionConfig, LlamaConfig,
                              LlamaModel, LlavaConfig, LlavaForConditionalGeneration)

    tokenizer = build_tiny_tokenizer(_MAX_TEXT_LEN["hunyuan"] + 512)
    tokenizer.add_special_tokens({"additional_special_tokens": _HUNYUAN_SPECIAL})
    vocab = _vocab_size()
    llama = dict(vocab_size=vocab, hidden_size=_TEXT_DIM, intermediate_size=64, num_hidden_layers=3,
                 num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=2048, pad_token_id=0,
                 bos_token_id=1, eos_token_id=1)
    torch.manual_seed(seed)
    if mode == "i2v":
        text_encoder = LlavaForConditionalGeneration(LlavaConfig(
            text_config=LlamaConfig(**llama),
            vision_config=CLIPVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                                           num_attention_heads=2, image_size=_HUNYUAN_IMAGE, patch_size=2,
                                           projection_dim=16),
            image_token_index=tokenizer.convert_tokens_to_ids("<image>"), pad_token_id=0,
            vision_feature_select_strategy="default", vision_feature_layer=-2)).eval()
    else:
        text_encoder = LlamaModel(LlamaConfig(**llama)).eval()
    torch.manual_seed(seed + 1)
    text_encoder_2 = CLIPTextModel(CLIPTextConfig(vocab_size=vocab, hidden_size=16, intermediate_size=32,
                                                  num_hidden_layers=2, num_attention_heads=2,
                                                  max_position_embeddings=77, projection_dim=16,
                                                  pad_token_id=0, bos_token_id=1, eos_token_id=1)).eval()
    torch.manual_seed(seed + 2)
    vae = AutoencoderKLHunyuanVideo(
        latent_channels=4, down_block_types=("HunyuanVideoDownBlock3D",) * 4,
        up_block_types=("HunyuanVideoUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8), layers_per_block=1,
        norm_num_groups=4, scaling_factor=0.476986, spatial_compression_ratio=8, temporal_compression_ratio=4,
        mid_block_add_attention=True).eval()
    torch.manual_seed(seed + 3)
    transformer = HunyuanVideoTransformer3DModel(
        in_channels=4, out_channels=4, num_attention_heads=2, attention_head_dim=10, num_layers=1,
        num_single_layers=1, num_refiner_layers=1, patch_size=1, patch_size_t=1, guidance_embeds=True,
        text_embed_dim=_TEXT_DIM, pooled_projection_dim=16, rope_axes_dim=(2, 4, 4),
        image_condition_type="token_replace" if mode == "i2v" else None).eval()
    comps = dict(text_encoder=text_encoder, tokenizer=tokenizer, transformer=transformer, vae=vae,
                 scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0), text_encoder_2=text_encoder_2,
                 tokenizer_2=build_tiny_tokenizer(77))
    if mode == "t2v":
        return HunyuanVideoPipeline(**comps)
    proc = CLIPImageProcessor(do_resize=True, size={"shortest_edge": _HUNYUAN_IMAGE}, do_center_crop=True,
                              crop_size={"height": _HUNYUAN_IMAGE, "width": _HUNYUAN_IMAGE})
    return HunyuanVideoImageToVideoPipeline(**comps, image_processor=proc)


# ----------------------------------------------------------------------- CogVideoX


def _build_cogvideox(mode: str, seed: int):
    import torch
    from diffusers import (
        AutoencoderKLCogVideoX,
        CogVideoXDPMScheduler,
        CogVideoXImageToVideoPipeline,
        CogVideoXPipeline,
        CogVideoXTransformer3DModel,
    )

    d = TINY_DEFAULTS["cogvideox"]
    tokenizer = build_tiny_tokenizer(_MAX_TEXT_LEN["cogvideox"])
    text_encoder = _t5_encoder(seed, umt5=False)
    torch.manual_seed(seed + 1)
    vae = AutoencoderKLCogVideoX(
        block_out_channels=(8, 8, 8, 8),  # 4 levels -> 8x spatial, like the real VAE
        latent_channels=16,
        layers_per_block=1,
        norm_num_groups=4,
        temporal_compression_ratio=4,
        scaling_factor=0.7,
        sample_height=d["height"],
        sample_width=d["width"],
    ).eval()
    i2v = mode == "i2v"
    torch.manual_seed(seed + 2)
    transformer = CogVideoXTransformer3DModel(
        num_attention_heads=2,
        attention_head_dim=16,
        in_channels=32 if i2v else 16,  # I2V: noise latents ++ image latents
        out_channels=16,
        time_embed_dim=32,
        text_embed_dim=_TEXT_DIM,
        num_layers=2,
        sample_width=d["width"] // 8,
        sample_height=d["height"] // 8,
        sample_frames=d["num_frames"],
        patch_size=2,
        temporal_compression_ratio=4,
        max_text_seq_length=_MAX_TEXT_LEN["cogvideox"],
        use_rotary_positional_embeddings=True,
        use_learned_positional_embeddings=i2v,  # as CogVideoX-5B-I2V
    ).eval()
    # CogVideoX-5B scheduler settings.
    scheduler = CogVideoXDPMScheduler(
        beta_schedule="scaled_linear",
        beta_start=0.00085,
        beta_end=0.012,
        clip_sample=False,
        prediction_type="v_prediction",
        rescale_betas_zero_snr=True,
        set_alpha_to_one=True,
        snr_shift_scale=1.0,
        timestep_spacing="trailing",
    )
    cls = CogVideoXImageToVideoPipeline if i2v else CogVideoXPipeline
    return cls(tokenizer=tokenizer, text_encoder=text_encoder, vae=vae, transformer=transformer, scheduler=scheduler)


# ----------------------------------------------------------------------------- LTX


def _build_ltx(mode: str, seed: int):
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXImageToVideoPipeline,
        LTXPipeline,
        LTXVideoTransformer3DModel,
    )

    latent_channels = 16
    tokenizer = build_tiny_tokenizer(_MAX_TEXT_LEN["ltx"])
    text_encoder = _t5_encoder(seed, umt5=False)
    torch.manual_seed(seed + 1)
    vae = AutoencoderKLLTXVideo(
        latent_channels=latent_channels,
        block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, True, False),
        decoder_spatio_temporal_scaling=(True, True, True, False),
        patch_size=4,  # 4 * 2**3 = 32x spatial, 2**3 = 8x temporal
        patch_size_t=1,
        timestep_conditioning=False,  # LTX-Video 0.9.0
    ).eval()
    torch.manual_seed(seed + 2)
    transformer = LTXVideoTransformer3DModel(
        in_channels=latent_channels,
        out_channels=latent_channels,
        patch_size=1,
        patch_size_t=1,
        num_attention_heads=2,
        attention_head_dim=16,
        cross_attention_dim=32,
        num_layers=2,
        caption_channels=_TEXT_DIM,
    ).eval()
    scheduler = FlowMatchEulerDiscreteScheduler(
        num_train_timesteps=1000,
        shift=1.0,
        use_dynamic_shifting=True,
        base_shift=0.95,
        max_shift=2.05,
        base_image_seq_len=1024,
        max_image_seq_len=4096,
        shift_terminal=0.1,
    )
    cls = LTXImageToVideoPipeline if mode == "i2v" else LTXPipeline
    return cls(tokenizer=tokenizer, text_encoder=text_encoder, vae=vae, transformer=transformer, scheduler=scheduler)


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
    "wan2": _build_wan2,
    "wan2.1-i2v": _build_wan21,
    "wan2.2-a14b": _build_wan22_a14b,
    "hunyuan": _build_hunyuan,
    "cogvideox": _build_cogvideox,
    "ltx": _build_ltx,
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
