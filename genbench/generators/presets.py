"""One preset per video model: its own recommended resolution, frames, fps, steps, guidance and
negative prompt (from the model cards and diffusers' examples). Adding a model = adding a Preset;
its ``family`` names the pipeline-family adapter (families.py) that knows how the pipeline is called.

The tiny-* models are the real diffusers pipeline classes with tiny RANDOM weights built locally
(genbench/generators/tiny.py): their videos are noise. They prove the code path, not reasoning.

Data only: the generator (diffusers.py) registers one model per preset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RANDOM_WEIGHTS_NOTE = "RANDOM WEIGHTS: this video is noise; it proves the code path, not reasoning"


@dataclass(frozen=True, kw_only=True)
class Preset:
    """One model's recommended settings. ``family`` names its pipeline-family adapter (families.py)."""

    name: str
    repo: str | None  # hub id or local dir; None for the tiny random-weight models
    description: str
    family: str  # a registered pipeline family: wan | wan-a14b | cogvideox | ltx | hunyuan
    pipelines: dict  # mode → diffusers pipeline class name
    width: int
    height: int
    num_frames: int
    fps: float
    steps: int
    guidance: float
    negative_prompt: str = ""
    size_multiple: int = 16  # VAE spatial factor × transformer patch
    frame_step: int = 4  # frames must be frame_step·k + 1 (VAE temporal factor)
    fixed_size_modes: tuple = ()  # modes whose transformer only runs at exactly width × height
    dtype: str = "bf16"
    dtypes: dict = field(default_factory=dict)  # component → dtype where the docs differ from ``dtype``
    vae_tiling: bool = False  # the docs' examples enable it (HunyuanVideo)
    flow_shift: float | None = None  # set on the scheduler when the model card says so
    call_kwargs: dict = field(default_factory=dict)  # e.g. guidance_scale_2, use_dynamic_cfg
    max_batch: int = 1  # candidates per pipeline call (memory); model-arg batch=N
    tiny_kind: str | None = None  # build_tiny_pipeline kind (random weights, offline)
    min_gpu_gb: int = 0  # for the "no GPU" message
    group: str = ""


# Wan's own negative prompt (the English form diffusers' Wan examples use).
WAN_NEGATIVE = ("Bright tones, overexposed, static, blurred details, subtitles, style, works, paintings, images, "
                "static, overall gray, worst quality, low quality, JPEG compression residue, ugly, incomplete, "
                "extra fingers, poorly drawn hands, poorly drawn faces, deformed, disfigured, misshapen limbs, "
                "fused fingers, still picture, messy background, three legs, many people in the background, "
                "walking backwards")
LTX_NEGATIVE = "worst quality, inconsistent motion, blurry, jittery, distorted"

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
    Preset(name="wan2", repo="Wan-AI/Wan2.2-TI2V-5B-Diffusers",
           description="Wan 2.2 TI2V-5B (i2v and t2v; the base of public maze-reasoner LoRAs), 1280x704, "
                       "121 f @ 24 fps",
           family="wan", pipelines=WAN, width=1280, height=704, num_frames=121, fps=24, steps=50, guidance=5.0,
           negative_prompt=WAN_NEGATIVE, size_multiple=32, dtypes={"vae": "fp32"}, flow_shift=5.0, min_gpu_gb=24,
           group="wan"),
    # [diffusers-ex] pipeline_wan.py: 81 frames, guidance 5.0, flow_shift "5.0 for 720P, 3.0 for 480P"; 16 fps
    Preset(name="wan2.1-t2v-1.3b", repo="Wan-AI/Wan2.1-T2V-1.3B-Diffusers",
           description="Wan 2.1 T2V-1.3B (t2v), 832x480, 81 f @ 16 fps", family="wan",
           pipelines={"t2v": "WanPipeline"}, width=832, height=480, num_frames=81, fps=16, steps=50, guidance=5.0,
           negative_prompt=WAN_NEGATIVE, dtypes={"vae": "fp32"}, flow_shift=3.0, min_gpu_gb=10, group="wan"),
    # [diffusers-ex] pipeline_wan_i2v.py: 480*832 area, 81 frames, guidance 5.0, image encoder + VAE fp32
    Preset(name="wan2.1-i2v-14b-480p", repo="Wan-AI/Wan2.1-I2V-14B-480P-Diffusers",
           description="Wan 2.1 I2V-14B 480P (i2v), 832x480, 81 f @ 16 fps", family="wan",
           pipelines={"i2v": "WanImageToVideoPipeline"}, width=832, height=480, num_frames=81, fps=16, steps=50,
           guidance=5.0, negative_prompt=WAN_NEGATIVE, dtypes=WAN_FP32, flow_shift=3.0, min_gpu_gb=40, group="wan"),
    Preset(name="wan2.1-i2v-14b-720p", repo="Wan-AI/Wan2.1-I2V-14B-720P-Diffusers",
           description="Wan 2.1 I2V-14B 720P (i2v), 1280x720, 81 f @ 16 fps", family="wan",
           pipelines={"i2v": "WanImageToVideoPipeline"}, width=1280, height=720, num_frames=81, fps=16, steps=50,
           guidance=5.0, negative_prompt=WAN_NEGATIVE, dtypes=WAN_FP32, flow_shift=5.0, min_gpu_gb=48, group="wan"),
    # [wan2.2-cfg] wan_i2v_A14B: shift 5.0, 40 steps, guide (3.5, 3.5), boundary 0.900, 16 fps
    Preset(name="wan2.2-i2v-a14b", repo="Wan-AI/Wan2.2-I2V-A14B-Diffusers",
           description="Wan 2.2 I2V-A14B (two experts; i2v), 1280x720, 81 f @ 16 fps, 40 steps", family="wan-a14b",
           pipelines={"i2v": "WanImageToVideoPipeline"}, width=1280, height=720, num_frames=81, fps=16, steps=40,
           guidance=3.5, negative_prompt=WAN_NEGATIVE, dtypes={"vae": "fp32"}, flow_shift=5.0,
           call_kwargs={"guidance_scale_2": 3.5}, min_gpu_gb=80, group="wan"),
    # [wan2.2-cfg] wan_t2v_A14B: shift 12.0, 40 steps, guide (3.0 low-noise, 4.0 high-noise), boundary 0.875
    Preset(name="wan2.2-t2v-a14b", repo="Wan-AI/Wan2.2-T2V-A14B-Diffusers",
           description="Wan 2.2 T2V-A14B (two experts; t2v), 1280x720, 81 f @ 16 fps, 40 steps", family="wan-a14b",
           pipelines={"t2v": "WanPipeline"}, width=1280, height=720, num_frames=81, fps=16, steps=40, guidance=4.0,
           negative_prompt=WAN_NEGATIVE, dtypes={"vae": "fp32"}, flow_shift=12.0,
           call_kwargs={"guidance_scale_2": 3.0}, min_gpu_gb=80, group="wan"),
    # [diffusers-ex] pipeline_cogvideox_image2video.py: pipe(image, prompt, use_dynamic_cfg=True) with the
    # defaults 720x480, 49 frames, 50 steps, guidance 6; CogVideoX renders 8 fps
    Preset(name="cogvideox-5b-i2v", repo="THUDM/CogVideoX-5b-I2V",
           description="CogVideoX-5B-I2V (i2v only, fixed 720x480), 49 f @ 8 fps, dynamic CFG", family="cogvideox",
           pipelines={"i2v": "CogVideoXImageToVideoPipeline"}, width=720, height=480, num_frames=49, fps=8,
           steps=50, guidance=6.0, negative_prompt="", size_multiple=8, fixed_size_modes=("i2v",),
           call_kwargs={"use_dynamic_cfg": True}, min_gpu_gb=24, group="cogvideox"),
    # [ltx-docs] 768x512 @ 24 fps, guidance 5.0, decode settings of timestep-aware VAEs; 161 frames and the
    # negative prompt as in [diffusers-ex] pipeline_ltx.py
    Preset(name="ltx-video", repo="Lightricks/LTX-Video",
           description="LTX-Video (i2v and t2v), 768x512, 161 f @ 24 fps", family="ltx", pipelines=LTX, width=768,
           height=512, num_frames=161, fps=24, steps=50, guidance=5.0, negative_prompt=LTX_NEGATIVE,
           size_multiple=32, frame_step=8, call_kwargs={"decode_timestep": 0.03, "decode_noise_scale": 0.025},
           min_gpu_gb=16, group="ltx"),
    # [diffusers-ex] pipeline_hunyuan_video_image2video.py: guidance_scale=6.0 (embedded) with the defaults
    # 1280x720, 129 frames, 50 steps; vae.enable_tiling(); transformer bf16, the rest fp16
    Preset(name="hunyuanvideo-i2v", repo="hunyuanvideo-community/HunyuanVideo-I2V",
           description="HunyuanVideo-I2V (i2v), 1280x720, 129 f @ 24 fps, embedded guidance 6", family="hunyuan",
           pipelines={"i2v": "HunyuanVideoImageToVideoPipeline"}, width=1280, height=720, num_frames=129, fps=24,
           steps=50, guidance=6.0, negative_prompt="", dtype="fp16", dtypes=HUNYUAN_DTYPES, vae_tiling=True,
           size_multiple=16, min_gpu_gb=60, group="hunyuan"),
    # [diffusers-ex] pipeline_hunyuan_video.py: the pipeline's defaults 1280x720, 129 frames, 50 steps,
    # guidance 6.0 (embedded); vae.enable_tiling(); transformer bf16, the rest fp16
    Preset(name="hunyuanvideo", repo="hunyuanvideo-community/HunyuanVideo",
           description="HunyuanVideo (t2v), 1280x720, 129 f @ 24 fps, embedded guidance 6", family="hunyuan",
           pipelines={"t2v": "HunyuanVideoPipeline"}, width=1280, height=720, num_frames=129, fps=24, steps=50,
           guidance=6.0, negative_prompt="", dtype="fp16", dtypes=HUNYUAN_DTYPES, vae_tiling=True,
           size_multiple=16, min_gpu_gb=60, group="hunyuan"),
]

_TINY_NOTE = f"{RANDOM_WEIGHTS_NOTE.split(':')[0]} (noise; proves the path)"
_TINY = [
    Preset(name="tiny-wan2", repo=None,
           description=f"Tiny Wan 2.2 TI2V-style pipeline, i2v+t2v, 64x64x9 @ 24 fps, 2 steps. {_TINY_NOTE}",
           family="wan", pipelines=WAN, width=64, height=64, num_frames=9, fps=24, steps=2, guidance=5.0,
           negative_prompt="static, blurry", size_multiple=32, dtype="fp32", max_batch=4, tiny_kind="wan2",
           group="tiny"),
    Preset(name="tiny-wan2.1-i2v", repo=None,
           description=f"Tiny Wan 2.1 I2V-style pipeline (CLIP image encoder), i2v+t2v, 64x64x9 @ 16 fps. "
                       f"{_TINY_NOTE}",
           family="wan", pipelines=WAN, width=64, height=64, num_frames=9, fps=16, steps=2, guidance=5.0,
           negative_prompt="static, blurry", size_multiple=16, dtype="fp32", max_batch=4, tiny_kind="wan2.1-i2v",
           group="tiny"),
    Preset(name="tiny-cogvideox", repo=None,
           description=f"Tiny CogVideoX-style pipeline, i2v (fixed 64x64) + t2v, 9 f @ 8 fps. {_TINY_NOTE}",
           family="cogvideox", pipelines=COG, width=64, height=64, num_frames=9, fps=8, steps=2, guidance=6.0,
           negative_prompt="", size_multiple=8, fixed_size_modes=("i2v",), dtype="fp32", max_batch=4,
           tiny_kind="cogvideox", group="tiny"),
    Preset(name="tiny-ltx", repo=None,
           description=f"Tiny LTX-Video-style pipeline, i2v+t2v, 64x64x9 @ 24 fps. {_TINY_NOTE}",
           family="ltx", pipelines=LTX, width=64, height=64, num_frames=9, fps=24, steps=2, guidance=3.0,
           negative_prompt=LTX_NEGATIVE, size_multiple=32, frame_step=8, dtype="fp32", max_batch=4,
           tiny_kind="ltx", group="tiny"),
    Preset(name="tiny-wan2.2-a14b", repo=None,
           description=f"Tiny Wan 2.2 A14B-style pipeline: two experts (high/low noise), i2v+t2v, 64x64x9 @ 16 fps. "
                       f"{_TINY_NOTE}",
           family="wan-a14b", pipelines=WAN, width=64, height=64, num_frames=9, fps=16, steps=3, guidance=4.0,
           negative_prompt="static, blurry", dtype="fp32", max_batch=4, call_kwargs={"guidance_scale_2": 3.0},
           tiny_kind="wan2.2-a14b", group="tiny"),
    Preset(name="tiny-hunyuanvideo", repo=None,
           description=f"Tiny HunyuanVideo-style pipelines: t2v (Llama) and i2v (HunyuanVideo-I2V: LLaVA, "
                       f"token_replace), 32x32x5 @ 24 fps. {_TINY_NOTE}",
           family="hunyuan", pipelines=HUNYUAN, width=32, height=32, num_frames=5, fps=24, steps=2, guidance=6.0,
           negative_prompt="", dtype="fp32", tiny_kind="hunyuan", group="tiny"),
]

PRESETS: dict[str, Preset] = {p.name: p for p in _REAL + _TINY}
