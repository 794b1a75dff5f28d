"""The diffusers generator on tiny RANDOM-weight pipelines (real diffusers classes, built offline).

Their videos are noise: these tests prove the path (presets, geometry, batching, seeds, prompt
encoding, NFE, LoRA, from_pretrained, the run loop and resume), not any model's reasoning.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from typer.testing import CliRunner  # noqa: E402

from genbench import geometry  # noqa: E402
from genbench.cli import app  # noqa: E402
from genbench.generators.diffusers import (GeneratorSetupError, RANDOM_WEIGHTS_NOTE, parse_lora,  # noqa: E402
                                           to_uint8)
from genbench.generators.presets import PRESETS  # noqa: E402
from genbench.registry import make_generator, task_family  # noqa: E402
from genbench.runner import build_request, judge_video  # noqa: E402
from genbench.video import probe, read_frames, write_video  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here may touch the network
REAL = {n: p for n, p in PRESETS.items() if p.tiny_kind is None}
# Batched vs alone: float32 kernels pick batch-size-dependent code paths (tiny.py trap 8); measured
# max |diff| ~1e-6 on the [0, 1] scale. After uint8 rounding nearly every value is identical.
BATCH_ATOL = 1e-4
MIN_IDENTICAL_UINT8 = 0.999


@pytest.fixture(scope="module")
def item():
    fam = task_family("maze.grid")
    return fam, fam.generate(0, "easy", 0, None)


@pytest.fixture(scope="module")
def wan(item):
    return make_generator("tiny-wan2", frames=5)  # 5 frames: the Wan VAE decode dominates CPU time


def _reqs(gen, item, cands, mode="i2v", seed=0):
    fam, it = item
    return [build_request(gen, it, fam, mode, seed, c) for c in cands]


# ---------------------------------------------------------------------------- presets and sizes


def test_presets_follow_their_pipelines_rules():
    assert set(REAL) >= {"wan2", "wan2.1-t2v-1.3b", "wan2.1-i2v-14b-480p", "wan2.1-i2v-14b-720p", "wan2.2-i2v-a14b",
                         "wan2.2-t2v-a14b", "cogvideox-5b-i2v", "ltx-video", "hunyuanvideo-i2v"}
    for p in PRESETS.values():
        assert p.width % p.size_multiple == 0 and p.height % p.size_multiple == 0, p.name
        assert (p.num_frames - 1) % p.frame_step == 0, p.name
        assert p.fps > 0 and p.steps > 0 and p.pipelines
        assert (p.repo is None) == p.name.startswith("tiny-")
    assert set(REAL["wan2"].pipelines) == {"i2v", "t2v"} and REAL["wan2"].repo == "Wan-AI/Wan2.2-TI2V-5B-Diffusers"
    for n, p in PRESETS.items():
        if p.tiny_kind:
            assert "RANDOM WEIGHTS" in p.description


def test_listing_models_imports_no_heavy_library():
    code = ("import sys; from genbench.registry import entries; e = entries('generator'); "
            "assert 'tiny-wan2' in e and 'wan2' in e and 'sora-2' in e, list(e); "
            "heavy = [m for m in ('torch', 'diffusers', 'transformers', 'openai') if m in sys.modules]; "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_sizes_and_frames_are_adjusted_and_recorded():
    g = make_generator("tiny-wan2", width=830, height=470, frames=80)
    assert (g.width, g.height, g.num_frames) == (800, 448, 77)
    assert g.adjusted == ["size 830x470 -> 800x448 (multiples of 32)", "frames 80 -> 77 (4k+1)"]
    assert make_generator("tiny-ltx", frames=20).num_frames == 17  # LTX: 8k+1
    assert make_generator("tiny-wan2", width=64, height=96).adjusted == []
    with pytest.raises(GeneratorSetupError, match="only at 64x64"):
        make_generator("tiny-cogvideox", width=96)
    with pytest.raises(GeneratorSetupError, match="unknown model-args stepz"):
        make_generator("tiny-wan2", stepz=3)
    assert parse_lora("org/repo:0.5+/a/b") == [("org/repo", 0.5), ("/a/b", 1.0)]


_SIZES = sorted({(p.width, p.height, p.fps, min(p.num_frames, 81)) for p in REAL.values()})


@pytest.mark.parametrize("w,h,fps,frames", _SIZES, ids=[f"{w}x{h}@{f:g}" for w, h, f, _ in _SIZES])
def test_oracle_through_each_preset_canvas_passes_the_checker(item, tmp_path, w, h, fps, frames):
    """Geometry contract: the square maze letterboxed into each preset's frame (built by the same
    request path a real run uses) judges like at native size. Frames capped at 81 to keep it fast."""
    fam, it = item
    name = next(n for n, p in REAL.items() if (p.width, p.height, p.fps) == (w, h, fps))
    gen = make_generator(name, device="cpu", frames=frames)  # device=cpu: builds without a GPU, loads nothing
    req = build_request(gen, it, fam, "i2v", 0, 0)
    assert (req.width, req.height, req.fps, req.num_frames) == (w, h, fps, frames)
    assert req.image.shape == (h, w, 3) and req.fit.mode == "letterbox"
    frames_it = (geometry.apply(req.fit, f) for f in fam.solution_frames(it, fps=req.fps, num_frames=req.num_frames))
    path = tmp_path / "oracle.mp4"
    assert write_video(path, frames_it, req.fps, preset="ultrafast") == frames
    v = judge_video(fam, it, path, req.fit)
    assert v.status == "ok" and v.passed, (v.failure, v.message)
    if (w, h) == (832, 480):  # the other side: a static video in the same canvas fails
        write_video(path, [req.image] * frames, req.fps, preset="ultrafast")
        assert judge_video(fam, it, path, req.fit).failure == "STATIC"


# ---------------------------------------------------------------------------- seeds, batching, encoding


def test_same_seed_same_video_batched_or_alone(wan, item):
    reqs = _reqs(wan, item, [0, 1])
    batched, meta = wan.render_arrays(reqs)
    alone, meta1 = wan.render_arrays(reqs[1:2])
    assert meta["batch_size"] == 2 and meta1["batch_size"] == 1
    diff = np.abs(batched[1] - alone[0]).max()
    assert diff <= BATCH_ATOL, diff
    same = (to_uint8(batched[1]) == to_uint8(alone[0])).mean()
    assert same >= MIN_IDENTICAL_UINT8, same
    # the other side: another seed in the same batch is a different video
    assert np.abs(batched[0] - batched[1]).max() > 0.05
    # a prompt is encoded once per distinct prompt, across candidates and calls
    assert wan.prompt_encodes == 1


def test_prompt_encoded_once_per_distinct_prompt(wan, item, tmp_path):
    te = wan.pipeline("i2v").text_encoder
    calls = []
    h = te.register_forward_pre_hook(lambda m, a: calls.append(1))
    try:
        reqs = _reqs(wan, item, [3, 4])
        for r in reqs:
            r.prompt = "a green dot moves up"
        before = wan.prompt_encodes
        wan.generate(reqs, [tmp_path / "a.mp4", tmp_path / "b.mp4"])
        wan.generate(reqs[:1], [tmp_path / "c.mp4"])
        assert wan.prompt_encodes == before + 1
        assert len(calls) == 2  # prompt + negative prompt (CFG), once, for three videos
    finally:
        h.remove()


@pytest.mark.parametrize("model", ["tiny-cogvideox", "tiny-wan2.1-i2v"])
def test_one_video_per_prompt_pipelines_batch_with_embeddings(model, item):
    """CogVideoX forces one video per prompt; Wan 2.1 I2V crashes with num_videos_per_prompt > 1.
    Encoded prompts repeated N times give N videos, the same as rendered alone."""
    g = make_generator(model, steps=1) if model == "tiny-cogvideox" else make_generator(model, steps=1, frames=5)
    reqs = _reqs(g, item, [0, 1])
    batched, meta = g.render_arrays(reqs)
    alone, _ = g.render_arrays(reqs[1:])
    assert batched.shape[0] == 2 and meta["batch_size"] == 2
    assert np.abs(batched[1] - alone[0]).max() <= BATCH_ATOL
    assert np.abs(batched[0] - batched[1]).max() > 0.05


def test_nfe_counts_transformer_passes(item, tmp_path):
    g = make_generator("tiny-ltx", steps=3)
    rec = g.generate(_reqs(g, item, [0, 1]), [tmp_path / "0.mp4", tmp_path / "1.mp4"])
    assert [r.nfe for r in rec] == [6, 6]  # 3 steps x 2 CFG branches, per video
    assert rec[0].meta["transformer_calls"] == 3  # LTX batches both CFG branches and both videos
    g1 = make_generator("tiny-ltx", steps=3, guidance=1.0)  # no CFG: one pass per step
    assert g1.generate(_reqs(g1, item, [0]), [tmp_path / "2.mp4"])[0].nfe == 3


# ---------------------------------------------------------------------------- LoRA


def _random_lora(kind: str, mode: str, path):
    """A Wan LoRA with random (not zero) B matrices, so the adapter really changes the output."""
    pytest.importorskip("peft")
    from diffusers import WanPipeline
    from peft import LoraConfig, get_peft_model_state_dict

    from genbench.generators.tiny import build_tiny_pipeline

    tr = build_tiny_pipeline(kind, mode).transformer
    tr.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=["to_q", "to_k", "to_v", "to_out.0"],
                              init_lora_weights=False))
    WanPipeline.save_lora_weights(path, transformer_lora_layers=get_peft_model_state_dict(tr))


def test_lora_changes_the_video_and_scale_zero_does_not(tmp_path, item):
    _random_lora("wan2", "i2v", tmp_path / "lora")
    base = make_generator("tiny-wan2", frames=5)
    reqs = _reqs(base, item, [0])
    ref, _ = base.render_arrays(reqs)
    on = make_generator("tiny-wan2", frames=5, lora=f"{tmp_path / 'lora'}:1.0")
    off = make_generator("tiny-wan2", frames=5, lora=f"{tmp_path / 'lora'}:0")
    v_on, meta = on.render_arrays(reqs)
    v_off, _ = off.render_arrays(reqs)
    assert np.abs(v_on - ref).max() > 1e-3
    assert np.abs(v_off - ref).max() <= BATCH_ATOL
    assert meta["lora"] == [{"source": str(tmp_path / "lora"), "scale": 1.0}] and "peft" in meta["versions"]
    assert on.config() != base.config() != off.config()  # a LoRA is part of the resume key
    with pytest.raises(GeneratorSetupError, match="cannot load LoRA"):
        make_generator("tiny-wan2", lora=str(tmp_path / "missing")).pipeline("i2v")
    # the CLI flag reaches the generator and the sample row
    res = CliRunner().invoke(app, ["run", "--model", "tiny-wan2", "--model-args", "frames=5", "--lora",
                                   f"{tmp_path / 'lora'}:0.5", "--tasks", "maze.grid", "--limit", "1",
                                   "--difficulty", "easy", "--quiet", "--out", str(tmp_path / "run")])
    assert res.exit_code == 0, res.output
    row = _rows(tmp_path / "run")[0]
    assert row["generation"]["meta"]["lora"] == [{"source": str(tmp_path / "lora"), "scale": 0.5}]
    assert row["model_config"]["lora"][0][:2] == [str(tmp_path / "lora"), 0.5]


# ---------------------------------------------------------------------------- from_pretrained, errors


def test_any_local_pipeline_through_from_pretrained(tmp_path, item):
    from genbench.generators.tiny import build_tiny_pipeline

    build_tiny_pipeline("ltx", "t2v").save_pretrained(tmp_path / "ltx")
    g = make_generator(f"diffusers:{tmp_path / 'ltx'}", device="cpu", dtype="fp32", width=64, height=64,
                       frames=9, steps=2)
    assert set(g.modes) == {"i2v", "t2v"}  # LTX t2v weights also drive the i2v class
    rec = g.generate(_reqs(g, item, [0]), [tmp_path / "v.mp4"])[0]
    assert rec.meta["pipeline"] == "LTXImageToVideoPipeline" and rec.meta["revision"].startswith("local:")
    assert rec.meta["random_weights"] is False and probe(rec.path).width == 64
    with pytest.raises(GeneratorSetupError, match="does not exist"):
        make_generator(f"diffusers:{tmp_path / 'nope'}", device="cpu")


def test_errors_say_what_to_do(item, tmp_path):
    if not torch.cuda.is_available():
        with pytest.raises(GeneratorSetupError, match="needs a CUDA GPU.*tiny-wan2"):
            make_generator("wan2.2-i2v-a14b")
    g = make_generator("cogvideox-5b-i2v", device="cpu")
    with pytest.raises(GeneratorSetupError, match="cannot do t2v"):
        g.pipeline("t2v")
    res = CliRunner().invoke(app, ["run", "--model", "wan2.1-t2v-1.3b", "--model-args", "device=cpu",
                                   "--mode", "i2v", "--limit", "1", "--difficulty", "easy", "--quiet",
                                   "--out", str(tmp_path / "err")])
    assert res.exit_code == 2 and "cannot do i2v" in res.output


# ---------------------------------------------------------------------------- end to end


def _rows(out):
    return [json.loads(l) for l in (out / "samples.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("model,fps", [("tiny-wan2", 24), ("tiny-ltx", 24)])
def test_run_end_to_end_and_resume(tmp_path, model, fps):
    out = tmp_path / "run"
    args = ["run", "--model", model, "--tasks", "maze.grid", "--limit", "1", "--difficulty", "easy", "--samples-per-item", "2",
            "--quiet", "--out", str(out)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    rows = _rows(out)
    assert len(rows) == 2
    for r in rows:
        info = probe(out / r["video"])
        assert (info.width, info.height, info.fps) == (64, 64, fps)
        assert sum(1 for _ in read_frames(out / r["video"])) == 9
        v = r["verdict"]
        assert v["status"] == "ok" and v["passed"] is False  # random weights: noise fails the checker
        g = r["generation"]
        assert g["nfe"] == 4 and g["meta"]["warning"] == RANDOM_WEIGHTS_NOTE and g["meta"]["random_weights"]
        assert g["meta"]["seed"] == r["seed"] and g["meta"]["batch_size"] == 2
        assert {"torch", "diffusers"} <= set(g["meta"]["versions"]) and g["meta"]["steps"] == 2
    assert rows[0]["seed"] != rows[1]["seed"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0 and "generated 0" in res.output and "skipped 2" in res.output
    assert len(_rows(out)) == 2


# ---------------------------------------------------------------------------- presets as the docs load them


def test_a14b_presets_carry_their_own_flow_shift_and_guidance():
    """Wan2.2's official configs: shift 12.0 (T2V-A14B) and 5.0 (I2V-A14B), two guidance scales."""
    t2v, i2v = PRESETS["wan2.2-t2v-a14b"], PRESETS["wan2.2-i2v-a14b"]
    assert (t2v.flow_shift, t2v.guidance, t2v.call_kwargs["guidance_scale_2"]) == (12.0, 4.0, 3.0)
    assert (i2v.flow_shift, i2v.guidance, i2v.call_kwargs["guidance_scale_2"]) == (5.0, 3.5, 3.5)
    assert PRESETS["hunyuanvideo-i2v"].vae_tiling and make_generator("hunyuanvideo-i2v", device="cpu").vae_tiling
    assert not make_generator("hunyuanvideo-i2v", device="cpu", vae_tiling="false").vae_tiling


def test_flow_shift_reaches_the_scheduler(item):
    g = make_generator("tiny-wan2.2-a14b", steps=2, frames=5, flow_shift=7.0)
    assert g.pipeline("t2v").scheduler.config.flow_shift == 7.0
    assert make_generator("tiny-wan2.2-a14b").pipeline("t2v").scheduler.config.flow_shift == 12.0  # its own


def test_per_component_dtypes_as_in_the_docs(tmp_path):
    """Wan 2.1 I2V through from_pretrained: transformer in the asked dtype, VAE and CLIP image encoder fp32."""
    from genbench.generators.tiny import build_tiny_pipeline

    build_tiny_pipeline("wan2.1-i2v", "i2v").save_pretrained(tmp_path / "wan21")
    pipe = make_generator(f"diffusers:{tmp_path / 'wan21'}", device="cpu", dtype="bf16").pipeline("i2v")
    assert pipe.transformer.dtype == torch.bfloat16 and pipe.text_encoder.dtype == torch.bfloat16
    assert pipe.vae.dtype == torch.float32 and pipe.image_encoder.dtype == torch.float32


def test_group_offload_gives_the_same_video(item):
    fam, it = item
    plain = make_generator("tiny-wan2", steps=1, frames=1)
    group = make_generator("tiny-wan2", steps=1, frames=1, offload="group")
    reqs = _reqs(plain, item, [0])
    a, _ = plain.render_arrays(reqs)
    b, meta = group.render_arrays(reqs)
    assert meta["offload"] == "group" and np.array_equal(a, b)
    with pytest.raises(GeneratorSetupError, match="group"):
        make_generator("tiny-wan2", offload="groups")


def test_lora_loads_into_both_experts(tmp_path, item):
    _random_lora("wan2.2-a14b", "t2v", tmp_path / "lora")
    g = make_generator("tiny-wan2.2-a14b", steps=3, frames=1, lora=str(tmp_path / "lora"))
    pipe = g.pipeline("t2v")
    assert "lora0" in pipe.transformer.peft_config and "lora0" in pipe.transformer_2.peft_config
    base = make_generator("tiny-wan2.2-a14b", steps=3, frames=1)
    reqs = _reqs(g, item, [0], mode="t2v")
    assert np.abs(g.render_arrays(reqs)[0] - base.render_arrays(reqs)[0]).max() > 1e-3
