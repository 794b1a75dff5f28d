"""One preset per video model: its own recommended resolution, frames, fps, steps, guidance and
negative prompt (from the model cards and diffusers' examples). Adding a model = adding a Preset.

The tiny-* models are the real diffusers pipeline classes with tiny RANDOM weights built locally
(genbench/generators/tiny.py): their videos are noise. They prove the code path, not reasoning.
"""

from __future__ import annotations

from ..registry import add
from .diffusers import _ARGS, LTX_NEGATIVE, RANDOM_WEIGHTS_NOTE, WAN_NEGATIVE, DiffusersGenerator, Preset

WAN = {"i2v": "WanImageToVideoPipeline", "t2v": "WanPipeline"}
LTX = {"i2v": "LTXImageToVideoPipeline", "t2v": "LTXPipeline"}
COG = {"i2v": "CogVideoXImageToVideoPipeline", "t2v": "CogVideoXPipeline"}
HUNYUAN = {"i2v": "HunyuanVideoImageToVideoPipeline", "t2v": "HunyuanVideoPipeline"}

# Sources (each preset cites one):
#   [diffusers-ex]  the EXAMPLE_DOC_STRING of the pipeline class in diffusers 0.42.1 (what the diffusers API
#                   docs show), e.g. diffusers/pipelines/wan/pipeline_wan_i2v.py
#   [wan2.2-cfg]    Wan2.2's official configs (github.com/Wan-Video/Wan2.2, wan/configs/wan_{t2v,i2v}_A14B.py,
#                   wan_ti2v_5B.py): sample_shift, sample_steps, sample_guide_scale (low-noise, high-noise), fps
#   [ltx-docs]      https://huggingface.co/docs/diffusers/api/pipelines/ltx_video: "24 FPS videos at a 768x512
#                   resolution"; guidance "higher, like 5.0" for non-distilled models; the 0.9.1 example's
#                   decode_timestep=0.03, decode_noise_scale=0.025 (used only by timestep-aware VAEs, >= 0.9.1)
WAN_FP32 = {"vae": "fp32", "image_encoder": "fp32"}  # [diffusers-ex]: VAE and CLIP image encoder in float32
HUNYUAN_DTYPES = {"transformer": "bf16"}  # [diffusers-ex]: transformer bf16, the rest fp16

_REAL = [
    # [wan2.2-cfg] wan_ti2v_5B: 1280x704, 121 frames @ 24 fps, 50 steps, guide 5.0, shift 5.0
    Preset("wan2", "Wan-AI/Wan2.2-TI2V-5B-Diffusers",
           "Wan 2.2 TI2V-5B (i2v and t2v; the base of public maze-reasoner LoRAs), 1280x704, 121 f @ 24 fps",
           "wan", WAN, 1280, 704, 121, 24, 50, 5.0, WAN_NEGATIVE, size_multiple=32, dtypes={"vae": "fp32"},
           flow_shift=5.0, min_gpu_gb=24, group="wan"),
    # [diffusers-ex] pipeline_wan.py: 81 frames, guidance 5.0, flow_shift "5.0 for 720P, 3.0 for 480P"; 16 fps
    Preset("wan2.1-t2v-1.3b", "Wan-AI/Wan2.1-T2V-1.3B-Diffusers",
           "Wan 2.1 T2V-1.3B (t2v), 832x480, 81 f @ 16 fps", "wan", {"t2v": "WanPipeline"},
           832, 480, 81, 16, 50, 5.0, WAN_NEGATIVE, dtypes={"vae": "fp32"}, flow_shift=3.0, min_gpu_gb=10,
           group="wan"),
    # [diffusers-ex] pipeline_wan_i2v.py: 480*832 area, 81 frames, guidance 5.0, image encoder + VAE fp32
    Preset("wan2.1-i2v-14b-480p", "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers",
           "Wan 2.1 I2V-14B 480P (i2v), 832x480, 81 f @ 16 fps", "wan", {"i2v": "WanImageToVideoPipeline"},
           832, 480, 81, 16, 50, 5.0, WAN_NEGATIVE, dtypes=WAN_FP32, flow_shift=3.0, min_gpu_gb=40, group="wan"),
    Preset("wan2.1-i2v-14b-720p", "Wan-AI/Wan2.1-I2V-14B-720P-Diffusers",
           "Wan 2.1 I2V-14B 720P (i2v), 1280x720, 81 f @ 16 fps", "wan", {"i2v": "WanImageToVideoPipeline"},
           1280, 720, 81, 16, 50, 5.0, WAN_NEGATIVE, dtypes=WAN_FP32, flow_shift=5.0, min_gpu_gb=48, group="wan"),
    # [wan2.2-cfg] wan_i2v_A14B: shift 5.0, 40 steps, guide (3.5, 3.5), boundary 0.900, 16 fps
    Preset("wan2.2-i2v-a14b", "Wan-AI/Wan2.2-I2V-A14B-Diffusers",
           "Wan 2.2 I2V-A14B (two experts; i2v), 1280x720, 81 f @ 16 fps, 40 steps", "wan",
           {"i2v": "WanImageToVideoPipeline"}, 1280, 720, 81, 16, 40, 3.5, WAN_NEGATIVE, dtypes={"vae": "fp32"},
           flow_shift=5.0, call_kwargs={"guidance_scale_2": 3.5}, min_gpu_gb=80, group="wan"),
    # [wan2.2-cfg] wan_t2v_A14B: shift 12.0, 40 steps, guide (3.0 low-noise, 4.0 high-noise), boundary 0.875
    Preset("wan2.2-t2v-a14b", "Wan-AI/Wan2.2-T2V-A14B-Diffusers",
           "Wan 2.2 T2V-A14B (two experts; t2v), 1280x720, 81 f @ 16 fps, 40 steps", "wan",
           {"t2v": "WanPipeline"}, 1280, 720, 81, 16, 40, 4.0, WAN_NEGATIVE, dtypes={"vae": "fp32"},
           flow_shift=12.0, call_kwargs={"guidance_scale_2": 3.0}, min_gpu_gb=80, group="wan"),
    # [diffusers-ex] pipeline_cogvideox_image2video.py: pipe(image, prompt, use_dynamic_cfg=True) with the
    # defaults 720x480, 49 frames, 50 steps, guidance 6; CogVideoX renders 8 fps
    Preset("cogvideox-5b-i2v", "THUDM/CogVideoX-5b-I2V",
           "CogVideoX-5B-I2V (i2v only, fixed 720x480), 49 f @ 8 fps, dynamic CFG", "cogvideox",
           {"i2v": "CogVideoXImageToVideoPipeline"}, 720, 480, 49, 8, 50, 6.0, "", size_multiple=8,
           fixed_size_modes=("i2v",), call_kwargs={"use_dynamic_cfg": True}, min_gpu_gb=24, group="cogvideox"),
    # [ltx-docs] 768x512 @ 24 fps, guidance 5.0, decode settings of timestep-aware VAEs; 161 frames and the
    # negative prompt as in [diffusers-ex] pipeline_ltx.py
    Preset("ltx-video", "Lightricks/LTX-Video",
           "LTX-Video (i2v and t2v), 768x512, 161 f @ 24 fps", "ltx", LTX, 768, 512, 161, 24, 50, 5.0,
           LTX_NEGATIVE, size_multiple=32, frame_step=8,
           call_kwargs={"decode_timestep": 0.03, "decode_noise_scale": 0.025}, min_gpu_gb=16, group="ltx"),
    # [diffusers-ex] pipeline_hunyuan_video_image2video.py: guidance_scale=6.0 (embedded) with the defaults
    # 1280x720, 129 frames, 50 steps; vae.enable_tiling(); transformer bf16, the rest fp16
    Preset("hunyuanvideo-i2v", "hunyuanvideo-community/HunyuanVideo-I2V",
           "HunyuanVideo-I2V (i2v), 1280x720, 129 f @ 24 fps, embedded guidance 6", "hunyuan",
           {"i2v": "HunyuanVideoImageToVideoPipeline"}, 1280, 720, 129, 24, 50, 6.0, "", dtype="fp16",
           dtypes=HUNYUAN_DTYPES, vae_tiling=True, size_multiple=16, min_gpu_gb=60, group="hunyuan"),
    # [diffusers-ex] pipeline_hunyuan_video.py: the pipeline's defaults 1280x720, 129 frames, 50 steps,
    # guidance 6.0 (embedded); vae.enable_tiling(); transformer bf16, the rest fp16
    Preset("hunyuanvideo", "hunyuanvideo-community/HunyuanVideo",
           "HunyuanVideo (t2v), 1280x720, 129 f @ 24 fps, embedded guidance 6", "hunyuan",
           {"t2v": "HunyuanVideoPipeline"}, 1280, 720, 129, 24, 50, 6.0, "", dtype="fp16",
           dtypes=HUNYUAN_DTYPES, vae_tiling=True, size_multiple=16, min_gpu_gb=60, group="hunyuan"),
]

_TINY_NOTE = f"{RANDOM_WEIGHTS_NOTE.split(':')[0]} (noise; proves the path)"
_TINY = [
    Preset("tiny-wan2", None, f"Tiny Wan 2.2 TI2V-style pipeline, i2v+t2v, 64x64x9 @ 24 fps, 2 steps. {_TINY_NOTE}",
           "wan", WAN, 64, 64, 9, 24, 2, 5.0, "static, blurry", size_multiple=32, dtype="fp32",
           max_batch=4, tiny_kind="wan2", group="tiny"),
    Preset("tiny-wan2.1-i2v", None,
           f"Tiny Wan 2.1 I2V-style pipeline (CLIP image encoder), i2v+t2v, 64x64x9 @ 16 fps. {_TINY_NOTE}",
           "wan", WAN, 64, 64, 9, 16, 2, 5.0, "static, blurry", size_multiple=16, dtype="fp32", max_batch=4,
           tiny_kind="wan2.1-i2v", group="tiny"),
    Preset("tiny-cogvideox", None,
           f"Tiny CogVideoX-style pipeline, i2v (fixed 64x64) + t2v, 9 f @ 8 fps. {_TINY_NOTE}",
           "cogvideox", COG, 64, 64, 9, 8, 2, 6.0, "", size_multiple=8, fixed_size_modes=("i2v",),
           dtype="fp32", max_batch=4, tiny_kind="cogvideox", group="tiny"),
    Preset("tiny-ltx", None, f"Tiny LTX-Video-style pipeline, i2v+t2v, 64x64x9 @ 24 fps. {_TINY_NOTE}",
           "ltx", LTX, 64, 64, 9, 24, 2, 3.0, LTX_NEGATIVE, size_multiple=32, frame_step=8, dtype="fp32",
           max_batch=4, tiny_kind="ltx", group="tiny"),
]

_TINY += [
    Preset("tiny-wan2.2-a14b", None,
           f"Tiny Wan 2.2 A14B-style pipeline: two experts (high/low noise), i2v+t2v, 64x64x9 @ 16 fps. {_TINY_NOTE}",
           "wan", WAN, 64, 64, 9, 16, 3, 4.0, "static, blurry", dtype="fp32", max_batch=4,
           call_kwargs={"guidance_scale_2": 3.0}, tiny_kind="wan2.2-a14b", group="tiny"),
    Preset("tiny-hunyuanvideo", None,
           f"Tiny HunyuanVideo-style pipelines: t2v (Llama) and i2v (HunyuanVideo-I2V: LLaVA, token_replace), "
           f"32x32x5 @ 24 fps. {_TINY_NOTE}", "hunyuan", HUNYUAN, 32, 32, 5, 24, 2, 6.0, "", dtype="fp32",
           tiny_kind="hunyuan", group="tiny"),
]

PRESETS: dict[str, Preset] = {p.name: p for p in _REAL + _TINY}


def _factory(preset: Preset):
    def make(**args) -> DiffusersGenerator:
        return DiffusersGenerator(preset, **args)

    make.accepts = _ARGS  # so plain --model-args reach only the models that take them
    return make


for _p in PRESETS.values():
    add("generator", _p.name, _factory(_p), _p.description, group=_p.group)
