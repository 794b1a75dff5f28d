"""Video models through diffusers: one generator for every preset (presets.py) and any repo id.

``--model wan2`` picks a preset (the model's own resolution, frames, fps, steps, guidance and
negative prompt); ``--model diffusers:ORG/REPO`` loads any diffusers video pipeline, with defaults
taken from the preset of the same pipeline family (diffusers_repo.py). ``--model-args`` overrides any
of it. What differs between pipeline families is in their adapters (families.py).

What this module guarantees (and tests/test_diffusers_gen.py checks on tiny random pipelines):
- the pipeline loads once, lazily on the first ``generate``, and is reused for every item;
- a video is bit-identical to the plain ``pipe(**pipe_kwargs(reqs), generator=…)`` call
  (tests/test_parity.py, every pipeline family);
- a prompt goes through the text encoder once (the pipeline's own ``encode_prompt`` memoised for
  the call, pipecalls.py), never once per candidate;
- one CPU ``torch.Generator`` per sample: a seed gives the same video batched or alone (up to the
  ~1e-6 float noise of batch-size-dependent CPU/GPU kernels, see tiny.py trap 8);
- sizes obey each pipeline's rules (multiples of 16/32, 4k+1 or 8k+1 frames) and every adjustment
  is written into the sample's meta;
- every sample records seed, steps, guidance, dtype, repo + revision, library versions and NFE.

torch / diffusers are imported inside methods: importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np

from ..deps import require
from ..registry import add
from ..schema import GenRequest, VideoRecord
from ..video import write_video
from .base import GeneratorSetupError, VideoGenerator
from .families import PipelineFamily, pipeline_family
from .pipecalls import PromptCache, counting_rows
from .presets import PRESETS, RANDOM_WEIGHTS_NOTE, Preset

_DTYPES = {"bf16": "bfloat16", "bfloat16": "bfloat16", "fp16": "float16", "float16": "float16",
           "half": "float16", "fp32": "float32", "float32": "float32"}
# model-args this generator understands (anything else is an error, not silently ignored)
_ARGS = {"dtype", "steps", "guidance", "frames", "num_frames", "fps", "width", "height", "offload",
         "vae_tiling", "vae_slicing", "compile", "lora", "negative_prompt", "batch", "device", "fit",
         "revision", "crf", "seed_weights", "flow_shift", "pipeline", "guidance_2", "max_sequence_length",
         "parallel"}


def parse_lora(spec: str) -> list[tuple[str, float]]:
    """'path/or/org-repo[:scale]' (several joined by '+') → [(source, scale)]."""
    out = []
    for part in [p.strip() for p in str(spec).split("+") if p.strip()]:
        src, sep, tail = part.rpartition(":")
        try:
            scale = float(tail) if sep else 1.0
        except ValueError:
            src, scale = part, 1.0
        out.append((src if sep and src else part, scale))
    return out


def _fingerprint(src: str) -> str:
    """Content hash of a local LoRA (so a retrained file is a new resume key); the id for hub repos."""
    p = Path(src)
    if not p.exists():
        return src
    h = hashlib.sha256()
    for f in sorted([p] if p.is_file() else p.rglob("*.safetensors")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return "sha256:" + h.hexdigest()[:16]


def to_uint8(frames: np.ndarray) -> np.ndarray:
    """Float frames in [0, 1] → uint8 (clipped: VAEs overshoot slightly)."""
    return (np.clip(frames, 0.0, 1.0) * 255.0).round().astype(np.uint8)


def _flag(v) -> bool:
    return v not in (False, None, "", "false", "False", "no", "0", 0)


def _round_down(x: int, m: int) -> int:
    return max(m, (int(x) // m) * m)


class DiffusersGenerator(VideoGenerator):
    kind = "diffusers"

    def __init__(self, preset: Preset, **args):
        unknown = set(args) - _ARGS
        if unknown:
            raise GeneratorSetupError(f"{preset.name}: unknown model-args {', '.join(sorted(unknown))}; "
                                      f"known: {', '.join(sorted(_ARGS))}")
        self.preset = preset
        self.name = preset.name
        self.random_weights = preset.tiny_kind is not None
        self.adjusted: list[str] = []
        self.width, self.height = self._size(args)
        self.num_frames = self._frames(int(args.get("num_frames", args.get("frames", preset.num_frames))))
        self.fps = float(args.get("fps", preset.fps))
        self.steps = int(args.get("steps", preset.steps))
        self.guidance = float(args.get("guidance", preset.guidance))
        self.call_kwargs = dict(preset.call_kwargs)
        if "guidance_2" in args:  # Wan 2.2 A14B: guidance of the low-noise expert
            self.call_kwargs["guidance_scale_2"] = float(args["guidance_2"])
        if "max_sequence_length" in args:
            self.call_kwargs["max_sequence_length"] = int(args["max_sequence_length"])
        self.negative_prompt = str(args.get("negative_prompt", preset.negative_prompt))
        self.flow_shift = args.get("flow_shift", preset.flow_shift)
        self.revision = args.get("revision")
        self.fit_mode = str(args.get("fit", "letterbox"))
        self.crf = int(args.get("crf", 18))
        self.adapter: PipelineFamily = pipeline_family(preset.family)  # what differs per pipeline family
        self.max_batch = max(1, int(args.get("batch", preset.max_batch)))
        cap = self.adapter.max_batch
        if cap is not None and self.max_batch > cap:
            self.adjusted.append(f"batch {self.max_batch} -> {cap} ({self.adapter.max_batch_reason})")
            self.max_batch = cap
        if self.fit_mode not in ("letterbox", "stretch"):
            raise GeneratorSetupError(f"fit={self.fit_mode!r}: use letterbox or stretch")
        self.lora = parse_lora(args["lora"]) if args.get("lora") else []
        self.offload = self._offload(args.get("offload", False))
        self.vae_tiling = _flag(args.get("vae_tiling", preset.vae_tiling))
        self.vae_slicing = bool(args.get("vae_slicing", False))
        self.compile = args.get("compile", False)
        self.weights_seed = int(args.get("seed_weights", 0))
        self.pipeline_override = args.get("pipeline")
        self.parallel = args.get("parallel")  # context parallelism, e.g. cp:4 (generators.parallel)
        if self.parallel:
            from .parallel import parse

            parse(self.parallel)
            refusal = self.adapter.context_parallel_refusal(preset.name, self.parallel)
            if refusal:
                raise GeneratorSetupError(refusal)
        self.device = self._device(args.get("device"))
        default_dtype = "fp32" if self.device == "cpu" and self.random_weights else preset.dtype
        dt = str(args.get("dtype", default_dtype)).lower()
        if dt not in _DTYPES:
            raise GeneratorSetupError(f"dtype {dt!r}: use one of bf16, fp16, fp32")
        self.dtype = _DTYPES[dt]
        self.modes = tuple(preset.pipelines)
        self._pipes: dict = {}  # mode → loaded pipeline (loaded lazily, reused for every item)
        self._load_error: Exception | None = None
        self._prompts = PromptCache()  # encode_prompt results, reused across candidates and items
        self._resolved_revision: str | None = None

    # ------------------------------------------------------------------ settings
    def _size(self, args) -> tuple[int, int]:
        p = self.preset
        w, h = int(args.get("width", p.width)), int(args.get("height", p.height))
        fixed = [m for m in p.fixed_size_modes]
        if fixed and (w, h) != (p.width, p.height):
            raise GeneratorSetupError(
                f"{p.name} renders {'/'.join(fixed)} only at {p.width}x{p.height} (its transformer has "
                f"learned position embeddings for that size); drop width/height from --model-args")
        m = p.size_multiple
        W, H = _round_down(w, m), _round_down(h, m)
        if (W, H) != (w, h):
            self.adjusted.append(f"size {w}x{h} -> {W}x{H} (multiples of {m})")
        return W, H

    def _frames(self, n: int) -> int:
        k = self.preset.frame_step
        out = max(1, ((max(1, n) - 1) // k) * k + 1)
        if out != n:
            self.adjusted.append(f"frames {n} -> {out} ({k}k+1)")
        return out

    @staticmethod
    def _offload(v) -> str | None:
        if v in (False, None, "", "false", "none", "no", 0):
            return None
        if v in (True, "true", "model", 1):
            return "model"
        if v in ("sequential", "group"):
            return v
        raise GeneratorSetupError(f"offload={v!r}: use true (model CPU offload), group (diffusers group offloading: "
                                  f"leaf level, overlapped with compute on CUDA; for 14B models), sequential, or false")

    def _device(self, asked) -> str:
        import torch

        if asked:
            return str(asked)
        if torch.cuda.is_available():
            return "cuda"
        if self.random_weights:
            return "cpu"
        raise GeneratorSetupError(
            f"{self.name} ({self.preset.repo}) needs a CUDA GPU (about {self.preset.min_gpu_gb} GB, less with "
            f"offload=true), and torch sees none. Run on a GPU node, pass device=cpu to force a (very slow) CPU "
            f"run, or try the path with a tiny model: --model tiny-wan2")

    def config(self) -> dict:
        """Everything that changes the pixels (offload / compile / slicing do not)."""
        return {"name": self.name, "repo": self.preset.repo, "revision": self.revision,
                "pipelines": self.preset.pipelines, "width": self.width, "height": self.height,
                "num_frames": self.num_frames, "fps": self.fps, "steps": self.steps, "guidance": self.guidance,
                "call_kwargs": self.call_kwargs, "negative_prompt": self.negative_prompt, "dtype": self.dtype,
                "flow_shift": self.flow_shift, "fit": self.fit_mode, "crf": self.crf,
                "vae_tiling": self.vae_tiling, "pipeline": self.pipeline_override,
                "lora": [(src, scale, _fingerprint(src)) for src, scale in self.lora],
                "weights_seed": self.weights_seed if self.random_weights else None,
                # split attention sums in another order: not bit-identical to one device
                **({"parallel": self.parallel} if self.parallel else {})}

    def frame_size(self, item):
        return self.width, self.height

    def timing(self, item, family):
        return self.num_frames, self.fps

    # ------------------------------------------------------------------ loading
    def pipeline(self, mode: str):
        """The pipeline for ``mode``, loaded on first use and kept for the whole run."""
        if mode in self._pipes:
            return self._pipes[mode]
        if self._load_error is not None:  # do not retry a failed download for every item
            raise self._load_error
        if mode not in self.preset.pipelines:
            raise GeneratorSetupError(f"{self.name} cannot do {mode} (it has {', '.join(self.preset.pipelines)}); "
                                      f"use --mode {'/'.join(self.preset.pipelines)} or another model")
        try:
            pipe = self._load(mode)
        except GeneratorSetupError as e:
            self._load_error = e
            raise
        except Exception as e:
            self._load_error = RuntimeError(self._load_message(e))
            raise self._load_error from e
        self._pipes[mode] = pipe
        return pipe

    def _load_message(self, e: Exception) -> str:
        text = f"{type(e).__name__}: {e}"
        where = self.preset.repo
        if any(s in text for s in ("RepositoryNotFound", "404", "not a valid model identifier", "does not appear",
                                   "Cannot reach", "ConnectionError", "offline", "LocalEntryNotFound")):
            return (f"cannot load {where!r}: the repo id does not exist or the hub cannot be reached ({text}). "
                    f"Check the id (`genbench ls models` lists presets), log in with `huggingface-cli login` for "
                    f"gated repos, or pass a local directory: --model diffusers:/path/to/pipeline")
        return f"cannot load {where!r}: {text}"

    def _load(self, mode: str):
        torch = require("torch", f"the diffusers model {self.name}", "models")
        require("diffusers", f"the diffusers model {self.name}", "models")

        dtype = getattr(torch, self.dtype)
        cls_name = self.pipeline_override or self.preset.pipelines[mode]
        if self.random_weights:
            from .tiny import build_tiny_pipeline

            pipe = build_tiny_pipeline(self.preset.tiny_kind, mode, seed=self.weights_seed,
                                       torch_dtype=None if self.dtype == "float32" else dtype)
        elif self._pipes:  # the other mode of the same checkpoint (Wan TI2V, LTX): share the weights
            import diffusers

            pipe = getattr(diffusers, cls_name).from_pipe(next(iter(self._pipes.values())))
        else:
            import diffusers

            # per-component dtypes as the docs load them (e.g. Wan's VAE and CLIP image encoder in fp32)
            per = {name: getattr(torch, _DTYPES[d]) for name, d in self.preset.dtypes.items()}
            kw = {_dtype_kwarg(): {"default": dtype, **per} if per else dtype}
            if self.revision:
                kw["revision"] = self.revision
            pipe = getattr(diffusers, cls_name).from_pretrained(self.preset.repo, **kw)
        if self.flow_shift is not None and "flow_shift" in pipe.scheduler.config:
            pipe.scheduler = type(pipe.scheduler).from_config(pipe.scheduler.config, flow_shift=float(self.flow_shift))
        experts = [{}] + ([{"load_into_transformer_2": True}] if getattr(pipe, "transformer_2", None) is not None else [])
        for i, (src, scale) in enumerate(self.lora):
            try:
                for expert in experts:  # Wan 2.2 A14B: into the high-noise and the low-noise expert
                    pipe.load_lora_weights(src, adapter_name=f"lora{i}", **expert)
            except Exception as e:
                raise GeneratorSetupError(f"cannot load LoRA {src!r} into {self.name}: {type(e).__name__}: {e} "
                                          f"(LoRAs need `pip install peft` and must match the base model)") from e
        if self.lora:
            pipe.set_adapters([f"lora{i}" for i in range(len(self.lora))], [s for _, s in self.lora])
        if self.vae_tiling:
            pipe.vae.enable_tiling()
        if self.vae_slicing and hasattr(pipe.vae, "enable_slicing"):
            pipe.vae.enable_slicing()
        if self.offload == "model":
            pipe.enable_model_cpu_offload(device=self.device)
        elif self.offload == "sequential":
            pipe.enable_sequential_cpu_offload(device=self.device)
        elif self.offload == "group":
            pipe.enable_group_offload(onload_device=torch.device(self.device), offload_device=torch.device("cpu"),
                                      offload_type="leaf_level", use_stream=self.device.startswith("cuda"))
        else:
            pipe.to(self.device)
        if self.parallel:
            from .parallel import enable

            enable(pipe, self.parallel)
        pipe.set_progress_bar_config(disable=True)
        for name in ("transformer", "transformer_2"):
            net = getattr(pipe, name, None)
            if net is not None and self.compile:
                # forward only: the per-call NFE hooks (pipecalls.counting_rows) stay outside the graph
                mode_ = self.compile if isinstance(self.compile, str) and self.compile != "true" else None
                net.forward = torch.compile(net.forward, mode=mode_)
        cap = self.adapter.batch_cap(pipe, mode)
        if cap is not None:
            self.max_batch = min(self.max_batch, cap)
        self._resolved_revision = self._revision()
        return pipe

    def _revision(self) -> str | None:
        if self.random_weights:
            return f"random-weights-seed{self.weights_seed}"
        repo = self.preset.repo
        if repo and Path(repo).exists():
            return f"local:{Path(repo).resolve()}"
        try:  # the commit of the downloaded snapshot, read from the cache (no network)
            from huggingface_hub import snapshot_download

            return Path(snapshot_download(repo, revision=self.revision, local_files_only=True,
                                          allow_patterns=["model_index.json"])).name
        except Exception:
            return self.revision

    # ------------------------------------------------------------------ generation
    @property
    def prompt_encodes(self) -> int:
        """How many times a prompt went through the text encoder."""
        return self._prompts.misses

    def pipe_kwargs(self, reqs: list[GenRequest]) -> dict:
        """The plain pipeline call that renders these candidates of one item, all but ``generator``:
        what a user would pass to ``pipe(...)`` by hand (the parity tests call exactly this)."""
        import inspect

        from PIL import Image

        n, mode = len(reqs), reqs[0].mode
        pipe = self.pipeline(mode)
        negative = reqs[0].negative_prompt if reqs[0].negative_prompt is not None else self.negative_prompt
        kw = dict(prompt=reqs[0].prompt if n == 1 else [reqs[0].prompt] * n, height=self.height, width=self.width,
                  num_frames=self.num_frames, num_inference_steps=self.steps, guidance_scale=self.guidance,
                  output_type="np", **self.call_kwargs)
        if negative and "negative_prompt" in inspect.signature(pipe.__call__).parameters:
            kw["negative_prompt"] = negative if n == 1 else [negative] * n
        kw.update(self.adapter.call_extras(self.fps))
        if mode == "i2v":
            if reqs[0].image is None:
                raise ValueError("an i2v request without an image")
            img = Image.fromarray(np.ascontiguousarray(reqs[0].image))
            if img.size != (self.width, self.height):
                raise ValueError(f"request image is {img.size[0]}x{img.size[1]}, the model frame "
                                 f"{self.width}x{self.height}")
            kw["image"] = self.adapter.image_arg(img, n)  # one for the batch (Wan), or one per video
        return kw

    def generate(self, requests: list[GenRequest], paths: list[Path]) -> list[VideoRecord]:
        out: list[VideoRecord] = []
        # one pipeline call per group of candidates that share prompt, mode and image
        groups: list[list[int]] = []
        for i, r in enumerate(requests):
            for g in groups:
                q = requests[g[0]]
                if (len(g) < self.max_batch and q.mode == r.mode and q.prompt == r.prompt
                        and q.negative_prompt == r.negative_prompt and q.item_id == r.item_id):
                    g.append(i)
                    break
            else:
                groups.append([i])
        records: dict[int, VideoRecord] = {}
        for g in groups:
            for i, rec in zip(g, self._render([requests[i] for i in g], [paths[i] for i in g])):
                records[i] = rec
        out = [records[i] for i in range(len(requests))]
        return out

    def render_arrays(self, reqs: list[GenRequest]) -> tuple[np.ndarray, dict]:
        """One pipeline call for candidates of one item: float frames (N, F, H, W, 3) in [0, 1] and
        the meta they share."""
        import torch

        t0 = time.perf_counter()
        mode = reqs[0].mode
        pipe = self.pipeline(mode)
        for r in reqs:
            if (r.width, r.height) != (self.width, self.height):
                raise ValueError(f"request is {r.width}x{r.height}, {self.name} renders {self.width}x{self.height}")
        kw = self.pipe_kwargs(reqs)
        gens = [torch.Generator("cpu").manual_seed(int(r.seed)) for r in reqs]  # one per sample, on CPU
        kw["generator"] = gens if len(gens) > 1 else gens[0]
        t1 = time.perf_counter()
        try:
            with torch.inference_mode(), self._prompts.installed(pipe), counting_rows(pipe) as count:
                video = pipe(**kw).frames
        except torch.OutOfMemoryError as e:
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            raise RuntimeError(
                f"out of GPU memory rendering {len(reqs)} video(s) of {self.width}x{self.height}x{self.num_frames} "
                f"with {self.name}: try batch=1, offload=true, vae_tiling=true, or smaller width/height/frames "
                f"in --model-args") from e
        pipe_s = time.perf_counter() - t1
        video = np.asarray(video)
        if video.ndim != 5 or video.shape[0] != len(reqs):
            raise RuntimeError(f"{type(pipe).__name__} returned {video.shape}, expected "
                               f"({len(reqs)}, frames, H, W, 3): the pipeline ignored the batch")
        meta = self._meta(pipe, mode, len(reqs), pipe_s, count.calls, count.rows)
        meta["prepare_seconds"] = round(t1 - t0, 4)
        return video, meta

    def _render(self, reqs: list[GenRequest], paths: list[Path]) -> list[VideoRecord]:
        video, common = self.render_arrays(reqs)
        n = len(reqs)
        records = []
        for b, (r, path) in enumerate(zip(reqs, paths)):
            tw = time.perf_counter()
            # frame by frame: a 121-frame 720p video is 1.3 GB as float32
            written = write_video(path, (to_uint8(f) for f in video[b]), self.fps, crf=self.crf)
            write_s = time.perf_counter() - tw
            meta = {**common, "seed": int(r.seed), "candidate": r.candidate, "batch_index": b,
                    "write_seconds": round(write_s, 4)}
            records.append(VideoRecord(str(path), self.width, self.height, written, self.fps,
                                       seconds=(common["prepare_seconds"] + common["pipeline_seconds"]) / n + write_s,
                                       nfe=int(round(common["transformer_rows"] / n)), meta=meta))
        return records

    def _meta(self, pipe, mode, n, pipe_s, calls, rows) -> dict:
        import sys

        versions = {m: getattr(sys.modules[m], "__version__", "?")
                    for m in ("torch", "diffusers", "transformers", "accelerate", "peft") if m in sys.modules}
        meta = {"model": self.name, "repo": self.preset.repo, "revision": self._resolved_revision,
                "pipeline": type(pipe).__name__, "mode": mode, "random_weights": self.random_weights,
                "steps": self.steps, "guidance": self.guidance, "call_kwargs": self.call_kwargs,
                "dtype": self.dtype, "device": self.device, "width": self.width, "height": self.height,
                "num_frames": self.num_frames, "fps": self.fps, "negative_prompt": self.negative_prompt,
                "lora": [{"source": s, "scale": sc} for s, sc in self.lora], "adjusted": list(self.adjusted),
                "offload": self.offload, "vae_tiling": self.vae_tiling, "vae_slicing": self.vae_slicing,
                "compile": bool(self.compile), "flow_shift": self.flow_shift, "batch_size": n,
                "pipeline_seconds": round(pipe_s, 4), "transformer_calls": calls, "transformer_rows": rows,
                "versions": versions}
        if self.random_weights:
            meta["warning"] = RANDOM_WEIGHTS_NOTE
        return meta

    def close(self) -> None:
        self._pipes.clear()
        self._prompts.clear()
        try:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except ImportError:
            pass


def _dtype_kwarg() -> str:
    """diffusers >= 0.42 renamed from_pretrained's torch_dtype to dtype (the old name warns)."""
    from diffusers.utils import deprecation_utils

    return "dtype" if hasattr(deprecation_utils, "_TORCH_DTYPE_DEPRECATION_MESSAGE") else "torch_dtype"


# ---------------------------------------------------------------------- one model per preset


def _preset_factory(preset: Preset):
    def make(**args) -> DiffusersGenerator:
        return DiffusersGenerator(preset, **args)

    make.accepts = _ARGS  # so plain --model-args reach only the models that take them
    return make


for _p in PRESETS.values():
    add("generator", _p.name, _preset_factory(_p), _p.description, group=_p.group)
