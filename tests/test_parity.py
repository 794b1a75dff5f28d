"""Parity with diffusers: for every pipeline family genbench supports, genbench's generator,
VideoTPO (one round of one candidate) and BestOfN (n=1) give frames BIT-IDENTICAL to the plain
``pipe(**same_kwargs, generator=torch.Generator().manual_seed(s))`` call.

Tiny RANDOM-weight pipelines (generators/tiny.py): the frames are noise; what is tested is that we
call the pipeline exactly as a user would. This is the test that caught Wan prompts being encoded
at 226 tokens instead of the 512 Wan's ``__call__`` uses (max |diff| 0.32 on tiny-wan2.1-i2v).
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from genbench.generators.pipecalls import hook_count  # noqa: E402
from genbench.generators.presets import PRESETS  # noqa: E402
from genbench.registry import make_generator, task_family  # noqa: E402
from genbench.runner import build_request  # noqa: E402
from genbench.tpo import BestOfN, VideoTPO  # noqa: E402

SEED = 1234
# (tiny preset, mode, the real family it stands for); 1–2 steps, few frames: seconds on a CPU
FAMILIES = [
    ("tiny-wan2.1-i2v", "t2v", "Wan 2.1 T2V"),
    ("tiny-wan2.1-i2v", "i2v", "Wan 2.1 I2V (CLIP image encoder)"),
    ("tiny-wan2", "i2v", "Wan 2.2 TI2V-5B, image-to-video"),
    ("tiny-wan2", "t2v", "Wan 2.2 TI2V-5B, text-to-video"),
    ("tiny-wan2.2-a14b", "t2v", "Wan 2.2 T2V-A14B, two experts"),
    ("tiny-wan2.2-a14b", "i2v", "Wan 2.2 I2V-A14B, two experts"),
    ("tiny-cogvideox", "i2v", "CogVideoX-5B-I2V"),
    ("tiny-ltx", "i2v", "LTX-Video"),
    ("tiny-hunyuanvideo", "t2v", "HunyuanVideo"),
    ("tiny-hunyuanvideo", "i2v", "HunyuanVideo-I2V"),
]
FAMILIES = [f for f in FAMILIES if f[0] in PRESETS]


@pytest.fixture(scope="module")
def maze():
    fam = task_family("maze.grid")
    return fam, fam.generate(0, "easy", 0, None)


def _plain(gen, req):
    """What a user writes by hand: the same arguments, a fresh CPU generator with the same seed."""
    kw = gen.pipe_kwargs([req])
    pipe = gen.pipeline(req.mode)
    experts = {n: 0 for n in ("transformer", "transformer_2") if getattr(pipe, n, None) is not None}
    hooks = [getattr(pipe, n).register_forward_pre_hook(lambda *a, n=n: experts.__setitem__(n, experts[n] + 1))
             for n in experts]
    try:
        frames = np.asarray(pipe(**kw, generator=torch.Generator().manual_seed(SEED)).frames)
    finally:
        for h in hooks:
            h.remove()
    assert all(experts.values()), f"an expert never ran: {experts}"  # both Wan 2.2 A14B experts are covered
    return frames, kw


@pytest.mark.parametrize("model,mode,what", FAMILIES, ids=[f"{m}-{d}" for m, d, _ in FAMILIES])
def test_bit_identical_to_the_plain_pipeline_call(maze, model, mode, what):
    fam, item = maze
    # Wan 2.2 A14B T2V (flow shift 12) needs 3 steps to reach its low-noise expert
    gen = make_generator(model, steps=3 if model == "tiny-wan2.2-a14b" else 2, frames=5)
    req = build_request(gen, item, fam, mode, SEED, 0)
    req.seed = SEED  # the sample seed a run would derive; fixed here
    ref, kw = _plain(gen, req)
    # the arguments are the ones a user would write: the request's prompt, the model's settings
    assert kw["prompt"] == req.prompt and kw["num_inference_steps"] == gen.steps and "prompt_embeds" not in kw
    assert np.isfinite(ref).all() and ref.std() > 0  # the other side: a real video, not a blank

    video, _ = gen.render_arrays([req])  # genbench's generator (prompt cache + NFE hooks installed)
    assert np.array_equal(video, ref), f"{what}: max |diff| {np.abs(video - ref).max():.3g}"

    pipe = gen.pipeline(mode)
    assert hook_count(pipe) == 0 and "encode_prompt" not in pipe.__dict__  # nothing left on the pipeline
    for name, strategy in (("VideoTPO", VideoTPO(pipe, width=1, depth=1)),
                           ("BestOfN", BestOfN(pipe, 1, selector=lambda v: 0.0))):
        out = strategy(**kw, generator=torch.Generator().manual_seed(SEED))
        frames = np.asarray(out.frames)
        assert frames.dtype == ref.dtype and np.array_equal(frames, ref), \
            f"{what} via {name}: max |diff| {np.abs(frames - ref).max():.3g}"
        assert out.trace[0]["selected"]["seed"] == SEED

    # the other side: another seed gives another video, so equality above is not vacuous
    other = np.asarray(pipe(**kw, generator=torch.Generator().manual_seed(SEED + 1)).frames)
    assert np.abs(other - ref).max() > 1e-3
