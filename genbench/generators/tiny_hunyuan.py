"""A tiny HunyuanVideo (t2v) / HunyuanVideo-I2V (i2v) pipeline (see ``tiny.py``)."""

from __future__ import annotations

from .tiny_common import MAX_TEXT_LEN, TEXT_DIM, build_tiny_tokenizer, tiny_vocab_size

# Llama-3 chat markers of Hunyuan's prompt templates: special tokens, so the pipeline finds them
_HUNYUAN_SPECIAL = ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<image>"]
_HUNYUAN_IMAGE = 48  # CLIP vision input; patch 2 -> 24 x 24 = 576 image tokens, as the template expects


def build_hunyuan(mode: str, seed: int):
    """HunyuanVideo (t2v: ``HunyuanVideoPipeline``, Llama text encoder) and HunyuanVideo-I2V (i2v:
    ``HunyuanVideoImageToVideoPipeline``, LLaVA text encoder that sees the image, ``token_replace``
    image conditioning, embedded guidance), both with a CLIP text encoder for the pooled prompt."""
    import torch
    from diffusers import (AutoencoderKLHunyuanVideo, FlowMatchEulerDiscreteScheduler,
                           HunyuanVideoImageToVideoPipeline, HunyuanVideoPipeline, HunyuanVideoTransformer3DModel)
    from transformers import (CLIPImageProcessor, CLIPTextConfig, CLIPTextModel, CLIPVisionConfig, LlamaConfig,
                              LlamaModel, LlavaConfig, LlavaForConditionalGeneration)

    tokenizer = build_tiny_tokenizer(MAX_TEXT_LEN["hunyuan"] + 512)
    tokenizer.add_special_tokens({"additional_special_tokens": _HUNYUAN_SPECIAL})
    vocab = tiny_vocab_size()
    llama = dict(vocab_size=vocab, hidden_size=TEXT_DIM, intermediate_size=64, num_hidden_layers=3,
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
        text_embed_dim=TEXT_DIM, pooled_projection_dim=16, rope_axes_dim=(2, 4, 4),
        image_condition_type="token_replace" if mode == "i2v" else None).eval()
    comps = dict(text_encoder=text_encoder, tokenizer=tokenizer, transformer=transformer, vae=vae,
                 scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0), text_encoder_2=text_encoder_2,
                 tokenizer_2=build_tiny_tokenizer(77))
    if mode == "t2v":
        return HunyuanVideoPipeline(**comps)
    proc = CLIPImageProcessor(do_resize=True, size={"shortest_edge": _HUNYUAN_IMAGE}, do_center_crop=True,
                              crop_size={"height": _HUNYUAN_IMAGE, "width": _HUNYUAN_IMAGE})
    return HunyuanVideoImageToVideoPipeline(**comps, image_processor=proc)
