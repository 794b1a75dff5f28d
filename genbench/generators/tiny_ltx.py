"""A tiny LTX-Video 0.9.0 style pipeline (see ``tiny.py``)."""

from __future__ import annotations

from .tiny_common import MAX_TEXT_LEN, TEXT_DIM, build_tiny_tokenizer, t5_encoder


def build_ltx(mode: str, seed: int):
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXImageToVideoPipeline,
        LTXPipeline,
        LTXVideoTransformer3DModel,
    )

    latent_channels = 16
    tokenizer = build_tiny_tokenizer(MAX_TEXT_LEN["ltx"])
    text_encoder = t5_encoder(seed, umt5=False)
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
        caption_channels=TEXT_DIM,
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
