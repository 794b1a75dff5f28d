"""Tiny Wan pipelines (see ``tiny.py``): Wan 2.2 TI2V-5B (``wan2``), Wan 2.1 I2V-14B (``wan2.1-i2v``) and
Wan 2.2 A14B (``wan2.2-a14b``) style, with their VAEs, transformers, scheduler and CLIP image encoder."""

from __future__ import annotations

from .tiny_common import MAX_TEXT_LEN, TEXT_DIM, build_tiny_tokenizer, t5_encoder


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
        text_dim=TEXT_DIM,
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


def build_wan2(mode: str, seed: int):
    from diffusers import WanImageToVideoPipeline, WanPipeline

    comps = dict(
        tokenizer=build_tiny_tokenizer(MAX_TEXT_LEN["wan2"]),
        text_encoder=t5_encoder(seed, umt5=True),
        vae=_wan_vae(seed + 1, v22=True),
        transformer=_wan_transformer(seed + 2, in_channels=48, out_channels=48),
        scheduler=_wan_scheduler(flow_shift=5.0),
        expand_timesteps=True,
    )
    if mode == "t2v":
        return WanPipeline(**comps)
    return WanImageToVideoPipeline(**comps, image_encoder=None, image_processor=None)


def build_wan21(mode: str, seed: int):
    from diffusers import WanImageToVideoPipeline, WanPipeline

    comps = dict(
        tokenizer=build_tiny_tokenizer(MAX_TEXT_LEN["wan2.1-i2v"]),
        text_encoder=t5_encoder(seed, umt5=True),
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


def build_wan22_a14b(mode: str, seed: int):
    """Wan 2.2 A14B style: two experts (``transformer`` for high noise, ``transformer_2`` for low
    noise, switched at ``boundary_ratio``), Wan 2.1 VAE, no CLIP image encoder (i2v concatenates the
    image latents: 36 input channels)."""
    from diffusers import WanImageToVideoPipeline, WanPipeline

    cin = 36 if mode == "i2v" else 16
    comps = dict(
        tokenizer=build_tiny_tokenizer(MAX_TEXT_LEN["wan2.2-a14b"]),
        text_encoder=t5_encoder(seed, umt5=True),
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
