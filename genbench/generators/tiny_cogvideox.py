"""A tiny CogVideoX-5B(-I2V) style pipeline (see ``tiny.py``)."""

from __future__ import annotations

from .tiny_common import MAX_TEXT_LEN, TEXT_DIM, TINY_DEFAULTS, build_tiny_tokenizer, t5_encoder


def build_cogvideox(mode: str, seed: int):
    import torch
    from diffusers import (
        AutoencoderKLCogVideoX,
        CogVideoXDPMScheduler,
        CogVideoXImageToVideoPipeline,
        CogVideoXPipeline,
        CogVideoXTransformer3DModel,
    )

    d = TINY_DEFAULTS["cogvideox"]
    tokenizer = build_tiny_tokenizer(MAX_TEXT_LEN["cogvideox"])
    text_encoder = t5_encoder(seed, umt5=False)
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
        text_embed_dim=TEXT_DIM,
        num_layers=2,
        sample_width=d["width"] // 8,
        sample_height=d["height"] // 8,
        sample_frames=d["num_frames"],
        patch_size=2,
        temporal_compression_ratio=4,
        max_text_seq_length=MAX_TEXT_LEN["cogvideox"],
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
