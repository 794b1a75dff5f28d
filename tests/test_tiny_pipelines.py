"""Tiny random-weight diffusers pipelines: shapes, determinism, batching.

The pipelines have RANDOM weights: their videos are noise. These tests prove
the code path (real diffusers classes, generators, image conditioning), not
any model behaviour. Whole file: ~20 s on a 2-core CPU.

Batching finding (diffusers 0.42.1, torch 2.13 CPU): a sample generated in a
batch of 2 is NOT bit-identical to the same sample generated alone, for every
pipeline here; the difference is float32 rounding (~1e-6 on the [0, 1] pixel
scale). Cause: CPU kernels pick a different blocking/algorithm depending on
the batch size -- oneDNN (mkldnn) Conv3d in the VAEs and MKL sgemm for small
row counts in the Linear layers (e.g. ``Linear`` on a (1, 7, d) vs a (2, 7, d)
input already differs). It is NOT prompt padding (every pipeline pads prompts
to a fixed ``max_sequence_length``; text-encoder outputs are bit-identical
batched vs. alone) and NOT cross-sample leakage (two identical samples inside
one batch agree to ~1e-7, bit-identical for most kinds). ``test_batched_bit_identical``
records this as an explicit xfail with the measured difference; the
tolerance test below is what we actually rely on.
"""

from __future__ import annotations

import functools
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")

from genbench.generators.tiny import TINY_DEFAULTS, TINY_KINDS, build_tiny_pipeline  # noqa: E402

MODES = ("i2v", "t2v")
CASES = [(k, m) for k in TINY_KINDS for m in MODES]
IDS = [f"{k}-{m}" for k, m in CASES]

PROMPTS = [
    "a red dot moves to the goal",
    # longer, with words outside the tiny vocabulary and unicode -> different token count
    "The blue square slides LEFT through the labyrinth, never crossing walls! \u00e9\u00e8 \u2192 42",
]
SEEDS = [100, 101]
BATCH_ATOL = 1e-4  # observed max |batched - alone| is ~1e-6..1e-5


def _image(i: int, h: int, w: int):
    from PIL import Image

    rng = np.random.RandomState(1000 + i)
    return Image.fromarray((rng.rand(h, w, 3) * 255).astype(np.uint8))


@functools.lru_cache(maxsize=None)
def _pipe(kind: str, mode: str, seed: int = 0):
    return build_tiny_pipeline(kind, mode, seed=seed)


def _generate(pipe, kind: str, mode: str, samples: list[int]) -> np.ndarray:
    """Generate one video per entry of ``samples`` (indices into PROMPTS/SEEDS),
    with a list of CPU generators (one per sample). Returns (B, F, H, W, 3)."""
    d = TINY_DEFAULTS[kind]
    kw = dict(
        prompt=[PROMPTS[i] for i in samples],
        generator=[torch.Generator("cpu").manual_seed(SEEDS[i]) for i in samples],
        height=d["height"],
        width=d["width"],
        num_frames=d["num_frames"],
        num_inference_steps=2,
        guidance_scale=d["guidance_scale"],
        output_type="np",
    )
    if mode == "i2v":
        if kind.startswith("wan"):
            # WanImageToVideoPipeline takes exactly one image per call, shared by the batch.
            kw["image"] = _image(0, d["height"], d["width"])
        else:
            # CogVideoX / LTX I2V with a generator list need one image per sample.
            kw["image"] = [_image(i, d["height"], d["width"]) for i in samples]
    return np.asarray(pipe(**kw).frames)


@functools.lru_cache(maxsize=None)
def _results(kind: str, mode: str) -> dict[str, np.ndarray]:
    pipe = _pipe(kind, mode)
    return {
        "alone0": _generate(pipe, kind, mode, [0]),
        "alone1": _generate(pipe, kind, mode, [1]),
        "batch": _generate(pipe, kind, mode, [0, 1]),
        "dup": _generate(pipe, kind, mode, [0, 0]),
    }


def test_import_does_not_pull_torch():
    code = (
        "import sys, genbench, genbench.generators.tiny as t; "
        "assert t.TINY_KINDS and t.TINY_DEFAULTS; "
        "bad = [m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_defaults_cover_kinds():
    assert set(TINY_DEFAULTS) == set(TINY_KINDS)
    for kind, d in TINY_DEFAULTS.items():
        assert set(d) == {"width", "height", "num_frames", "fps", "num_inference_steps", "guidance_scale"}, kind


def test_bad_arguments():
    with pytest.raises(ValueError):
        build_tiny_pipeline("nope", "t2v")
    with pytest.raises(ValueError):
        build_tiny_pipeline("ltx", "v2v")


def test_tokenizer_any_prompt():
    from genbench.generators.tiny import build_tiny_tokenizer

    tok = build_tiny_tokenizer(16)
    enc = tok(["Red dot", "zzqx \u00fcber \U0001f600 ??"], padding="max_length", max_length=16, truncation=True)
    ids = enc["input_ids"]
    assert len(ids[0]) == len(ids[1]) == 16
    assert ids[0][:3] == [tok.convert_tokens_to_ids("red"), tok.convert_tokens_to_ids("dot"), tok.eos_token_id]
    assert ids[0][3:] == [tok.pad_token_id] * 13
    assert tok.unk_token_id in ids[1]
    assert tok.pad_token_id == 0 and tok.eos_token_id == 1


@pytest.mark.parametrize("kind,mode", CASES, ids=IDS)
def test_shape_finite_and_same_seed_identical(kind, mode):
    d = TINY_DEFAULTS[kind]
    a = _results(kind, mode)["alone0"]
    assert a.shape == (1, d["num_frames"], d["height"], d["width"], 3)
    assert a.dtype == np.float32
    assert np.isfinite(a).all()
    assert a.min() >= 0.0 and a.max() <= 1.0
    # Independently built pipeline, same weight seed, same generator seed -> identical frames.
    fresh = build_tiny_pipeline(kind, mode, seed=0)
    b = _generate(fresh, kind, mode, [0])
    assert np.array_equal(a, b)


@pytest.mark.parametrize("kind,mode", CASES, ids=IDS)
def test_weights_depend_on_seed(kind, mode):
    def params(p):
        return torch.cat([t.detach().flatten() for t in p.transformer.parameters()])

    assert not torch.equal(params(_pipe(kind, mode, 0)), params(_pipe(kind, mode, 1)))
    assert torch.equal(params(_pipe(kind, mode, 0)), params(build_tiny_pipeline(kind, mode, seed=0)))


@pytest.mark.parametrize("kind,mode", CASES, ids=IDS)
def test_batched_matches_alone(kind, mode):
    r = _results(kind, mode)
    batch = r["batch"]
    assert batch.shape[0] == 2 and np.isfinite(batch).all()
    # Each sample depends only on its own prompt/seed (up to float rounding) ...
    np.testing.assert_allclose(batch[0], r["alone0"][0], rtol=0, atol=BATCH_ATOL)
    np.testing.assert_allclose(batch[1], r["alone1"][0], rtol=0, atol=BATCH_ATOL)
    # ... and different seeds/prompts really give different videos.
    assert np.abs(batch[0] - batch[1]).max() > 1e-2
    # No cross-sample leakage: two identical samples in one batch are the same video up to float
    # rounding. Bit-identity does not hold everywhere: measured ~1e-7..1e-6 differences for Wan 2.2
    # A14B t2v, both Hunyuans and (on a loaded 2-core machine, on main too) Wan 2.1 t2v; cause not
    # traced. Leakage would show as differences like the seed's (> 1e-2).
    np.testing.assert_allclose(r["dup"][0], r["dup"][1], rtol=0, atol=1e-5)


@pytest.mark.parametrize("kind,mode", CASES, ids=IDS)
def test_batched_bit_identical(kind, mode):
    r = _results(kind, mode)
    diffs = [
        float(np.abs(r["batch"][0] - r["alone0"][0]).max()),
        float(np.abs(r["batch"][1] - r["alone1"][0]).max()),
    ]
    if max(diffs) > 0:
        pytest.xfail(
            f"KNOWN: batched != alone bit-for-bit (max |diff| = {max(diffs):.2e}): batch-size-dependent "
            "CPU kernels (oneDNN Conv3d, MKL sgemm); not prompt padding, not cross-sample leakage"
        )


# --- canaries for the traps listed at the top of genbench/generators/tiny.py -----------------
# If one of these starts failing after a diffusers upgrade, re-check the generator's workarounds.


def _small_call(kind):
    d = TINY_DEFAULTS[kind]
    return dict(
        height=d["height"], width=d["width"], num_frames=d["num_frames"], num_inference_steps=1,
        guidance_scale=1.0, output_type="np",
    )


def test_trap_wan21_i2v_num_videos_per_prompt_crashes():
    d = TINY_DEFAULTS["wan2.1-i2v"]
    pipe = _pipe("wan2.1-i2v", "i2v")
    with pytest.raises(RuntimeError):
        pipe(prompt="a dot", image=_image(0, d["height"], d["width"]), num_videos_per_prompt=2, **_small_call("wan2.1-i2v"))
    # Workaround: repeat the prompt and pass one generator per sample.
    out = pipe(
        prompt=["a dot"] * 2,
        image=_image(0, d["height"], d["width"]),
        generator=[torch.Generator().manual_seed(s) for s in (1, 2)],
        **_small_call("wan2.1-i2v"),
    ).frames
    assert np.asarray(out).shape[0] == 2


def test_trap_cogvideox_i2v_forces_one_video_per_prompt():
    d = TINY_DEFAULTS["cogvideox"]
    pipe = _pipe("cogvideox", "i2v")
    out = pipe(prompt="a dot", image=_image(0, d["height"], d["width"]), num_videos_per_prompt=2, **_small_call("cogvideox")).frames
    assert np.asarray(out).shape[0] == 1


def test_trap_ltx_i2v_timestep_conditioned_vae_rejects_generator_list():
    # LTX >= 0.9.1 VAEs have timestep_conditioning=True; flipping the config flag on the tiny
    # VAE reaches the same pipeline branch (the tiny decoder itself ignores the timestep).
    pipe = build_tiny_pipeline("ltx", "i2v")
    pipe.vae.register_to_config(timestep_conditioning=True)
    d = TINY_DEFAULTS["ltx"]
    kw = {**_small_call("ltx"), "num_inference_steps": 2}
    images = [_image(i, d["height"], d["width"]) for i in range(2)]
    with pytest.raises(TypeError):
        pipe(prompt=["a", "b"], image=images, generator=[torch.Generator().manual_seed(s) for s in (1, 2)], **kw)
    out = pipe(prompt=["a", "b"], image=images, generator=torch.Generator().manual_seed(1), **kw).frames
    assert np.asarray(out).shape[0] == 2


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_trap_ltx_one_inference_step_fails():
    # shift_terminal=0.1 (LTX scheduler config) divides 0/0 with a single step.
    pipe = _pipe("ltx", "t2v")
    with pytest.raises(IndexError):
        pipe(prompt="a dot", **_small_call("ltx"))


@pytest.mark.parametrize("kind", TINY_KINDS)
def test_bfloat16_smoke(kind):
    pipe = build_tiny_pipeline(kind, "t2v", torch_dtype=torch.bfloat16)
    assert pipe.transformer.dtype == torch.bfloat16
    if kind.startswith("wan"):
        assert pipe.vae.dtype == torch.float32  # Wan VAE kept in float32, as in the Wan examples
        assert pipe.transformer.scale_shift_table.dtype == torch.float32  # _keep_in_fp32_modules
    d = TINY_DEFAULTS[kind]
    out = pipe(prompt="a red dot", generator=torch.Generator().manual_seed(0), **{**_small_call(kind), "num_inference_steps": 2}).frames
    out = np.asarray(out)
    assert out.shape == (1, d["num_frames"], d["height"], d["width"], 3) and np.isfinite(out).all()
