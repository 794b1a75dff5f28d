"""VideoTPO and best-of-N around a real (tiny, random-weight) diffusers pipeline with a critic served
over real HTTP, the compute-matched comparison on a clearly labelled simulated solver, and pass@k."""

import itertools
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from chat_server import ChatServer  # noqa: E402

from genbench.judges.backends import OpenAIChatBackend  # noqa: E402
from genbench.metrics import pass_at_k  # noqa: E402
from genbench.registry import task_family  # noqa: E402
from genbench.tpo import BestOfN, CheckerSelector, VideoTPO  # noqa: E402
from genbench.tpo.search import compare  # noqa: E402
from genbench.tpo.simulated import RULES, SimulatedMazeSolver  # noqa: E402


def _text(req) -> str:
    out = []
    for m in req["messages"]:
        c = m["content"]
        out += [c] if isinstance(c, str) else [p.get("text", "") for p in c if p.get("type") == "text"]
    return "\n".join(out)


def rule_critic(req) -> str:
    """A scripted critic: names the rules a prompt lacks and adds one per rewrite."""
    text = _text(req)
    if "Rate from 0 to 10" in text:  # asked as the VLM selector: a fixed, uninformed rating
        return "5"
    prompt = re.search(r"Current prompt: (.*)", text).group(1)
    missing = [p for p in RULES if p not in prompt.lower()]
    if "CRITIQUE" in text:
        return "Candidate A: reaches the goal. Weakness: " + ("; ".join(missing) or "none") + " not respected."
    if "EDIT DIRECTIONS" in text:
        return "\n".join(f"- state the rule: {m}" for m in missing) or "- keep the prompt"
    return prompt + (" The agent moves " + missing[0] + "." if missing else "")


@pytest.fixture()
def critic():
    with ChatServer(reply_fn=rule_critic) as srv:
        yield OpenAIChatBackend("critic-test", base_url=srv.base_url, api_key="x", retry_base_delay=0.01), srv


@pytest.fixture(scope="module")
def tiny_pipe():
    from genbench.generators.tiny import build_tiny_pipeline

    return build_tiny_pipeline("wan2", "t2v")


KW = dict(num_inference_steps=2, num_frames=5, height=32, width=32, guidance_scale=5.0)


@pytest.mark.parametrize("mode,width,depth", [("faithful", 2, 3), ("genbench", 3, 2)])
def test_videotpo_around_a_diffusers_pipeline(tiny_pipe, critic, mode, width, depth):
    backend, srv = critic
    fam = task_family("maze.grid")
    item = fam.generate(0, "easy")
    encodes = []
    hook = tiny_pipe.text_encoder.register_forward_pre_hook(lambda *a: encodes.append(1))
    selector = CheckerSelector(fam, item)
    try:
        out = VideoTPO(tiny_pipe, backend, mode=mode, width=width, depth=depth, selector=selector,
                       task_definition="move the agent to the goal")("Move the red circle.", **KW)
        res = out.results[0]
    finally:
        hook.remove()
    t = res.trace
    assert res.compute.generations == width * depth and len(res.candidates) == width * depth
    assert res.compute.critic_calls == 3 * (depth - 1) == len(srv.requests)
    prompts = [r["prompt"] for r in t["rounds"]]
    assert len(set(prompts)) == depth  # the prompt changes every round
    assert all({"critique", "directions", "next_prompt"} <= set(r) for r in t["rounds"][:-1])
    assert all(len(r["candidates"]) == width for r in t["rounds"])
    # NFE: steps × (cond + uncond) per pipeline call; one call per round (candidates batched)
    assert res.compute.pipeline_calls == depth and res.compute.forward_calls == depth * 2 * 2
    assert res.compute.nfe == width * depth * 2 * 2  # per video: 2 steps × (cond + uncond)
    # each distinct prompt is encoded once (prompt + negative), never again for later candidates
    assert res.compute.prompt_encodings == depth and len(encodes) == 2 * depth
    assert res.video.shape == (5, 32, 32, 3) and res.video.dtype == np.uint8
    assert out.frames.shape == (1, 5, 32, 32, 3) and out.trace == [t]  # the pipeline's own output type
    if mode == "faithful":  # the published loop selects nothing
        assert t["selected"]["round"] == depth - 1 and t["selected"]["candidate"] == 0
        assert t["selected"]["selector"].startswith("none")
        # the critic saw exactly the first and last frame of each candidate
        images = sum(1 for p in srv.requests[0]["messages"][0]["content"] if p["type"] == "image_url")
        assert images == 2 * width
    else:
        assert t["selected"]["selector"] == "checker:trajectory (oracle-selected)"
        assert t["selected"]["oracle_selected"] is True
        best = max(c.score.score for c in res.candidates)
        assert res.selected.score.score == best


def test_pipeline_kwargs_are_checked_and_passed(tiny_pipe, critic):
    backend, _ = critic
    with pytest.raises(TypeError, match="num_inference_steps"):
        VideoTPO(tiny_pipe, backend)("p", num_steps=3)
    res = BestOfN(tiny_pipe, 2, CheckerSelector(task_family("maze.grid"), task_family("maze.grid").generate(0)))(
        "p", **{**KW, "num_frames": 9}).results[0]
    assert res.video.shape[0] == 9 and res.compute.generations == 2


def test_same_seed_same_candidate(tiny_pipe):
    g = torch.Generator().manual_seed(7)
    a = BestOfN(tiny_pipe, 2, lambda v: 0.0)("a maze", generator=g, **KW).results[0].candidates
    b = BestOfN(tiny_pipe, 1, lambda v: 0.0)("a maze", generator=torch.Generator().manual_seed(7), **KW)
    assert np.mean(a[0].video == b.results[0].video) > 0.99  # batched vs alone: CPU kernels differ by ~1e-6
    assert a[0].seed == 7 and a[1].seed != 7 and not np.array_equal(a[0].video, a[1].video)


def test_simulated_solver_compute_matched_table(critic):
    """SIMULATION: a solver whose errors depend on the stated rules; not evidence about real models."""
    backend, _ = critic
    fam = task_family("maze.grid")
    items = list(fam.items("easy", 6, seed=3))

    def uninformed(video):  # a deployable selector with no information: every candidate ties
        return 0.0

    rows = compare(items, pipe_for=lambda it: SimulatedMazeSolver(fam, it, num_frames=40),
                   deployable_for=lambda it: uninformed, oracle_for=lambda it: CheckerSelector(fam, it),
                   critic=backend, prompt_for=lambda it: "Move the red circle to the green square.",
                   task_definition_for=lambda it: "move the agent to the goal by the rules",
                   pipe_kwargs={"num_inference_steps": 5})
    by = {r["strategy"]: r for r in rows}
    assert by["single"]["generations_per_item"] == 1 and by["single"]["nfe_per_item"] == 5
    for k in ("best-of-6", "pass@6", "videotpo-faithful", "videotpo-genbench",
              "best-of-6[oracle-selected]", "videotpo-genbench[oracle-selected]"):
        assert by[k]["generations_per_item"] == 6 and by[k]["nfe_per_item"] == 30
    assert by["videotpo-faithful"]["critic_calls_per_item"] == 6
    # the finding of issue 15, now labelled: the checker as selector makes best-of-N equal pass@N
    assert by["best-of-6[oracle-selected]"]["success"] == by["pass@6"]["success"] > by["single"]["success"]
    assert by["best-of-6[oracle-selected]"]["oracle_selected"] and not by["best-of-6"]["oracle_selected"]
    # selection without information buys nothing: ties keep the first seed
    assert by["best-of-6"]["success"] == by["single"]["success"]
    # … and VideoTPO's ties go to the last round, so an uninformed selector keeps the critic's work
    assert by["videotpo-genbench"]["success"] == by["videotpo-faithful"]["success"]
    # the critic's rewrites help without any selection
    assert by["videotpo-faithful"]["success"] > by["single"]["success"]
    # screening spends at most best-of-N's NFE; with an uninformed selector it stops nothing
    assert by["screen"]["nfe_per_item"] == 30 and by["screen"]["generations_per_item"] == 6
    assert by["screen[oracle-selected]"]["nfe_per_item"] <= 30
    assert by["screen[oracle-selected]"]["generations_per_item"] > 6  # stopped seeds paid for new ones
    assert [r["oracle_selected"] for r in rows] == sorted(r["oracle_selected"] for r in rows)  # oracle rows last


@pytest.mark.parametrize("n,c", [(5, 0), (5, 1), (6, 2), (7, 7), (8, 3)])
def test_pass_at_k_equals_enumeration(n, c):
    samples = [True] * c + [False] * (n - c)
    for k in range(1, n + 1):
        subsets = list(itertools.combinations(samples, k))
        brute = sum(any(s) for s in subsets) / len(subsets)
        assert pass_at_k(n, c, k) == pytest.approx(brute)


def test_cli_run_with_videotpo_and_best_of_n(tmp_path, monkeypatch):
    """`genbench run --model tiny-wan2 --tpo …` end to end: the strategy's video is judged, and the
    results table shows best-of-N and pass@N at the same generations."""
    import json

    from typer.testing import CliRunner

    from genbench.cli import app

    with ChatServer(reply_fn=rule_critic) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        out = tmp_path / "tpo"
        base = ["run", "--model", "tiny-wan2", "--tasks", "maze.grid", "--limit", "1", "--difficulty", "easy",
                "--quiet", "--model-args", "steps=1,frames=5"]
        r = CliRunner().invoke(app, base + ["--out", str(out), "--tpo", "videotpo", "--tpo-width", "2",
                                            "--tpo-depth", "2", "--critic", "openai:critic"])
        assert r.exit_code == 0, r.output
        # one prompt update (critique, directions, rewrite) + the VLM selector rating 4 + 4 candidates
        assert sum("CRITIQUE" in _text(q) for q in srv.requests) == 1
        assert sum("Rate from 0 to 10" in _text(q) for q in srv.requests) == 8
        res = json.loads((out / "results.json").read_text())
        g = res["groups"][0]
        assert g["model"] == "tiny-wan2+videotpo"  # deployable by default: the critic's VLM selects
        assert set(g["strategies"]) == {"videotpo", "single", "best-of-4", "pass@4"}
        assert g["strategies"]["best-of-4"]["generations_per_item"] == 4 == g["strategies"]["videotpo"]["generations_per_item"]
        row = json.loads((out / "samples.jsonl").read_text().splitlines()[0])
        meta = row["generation"]["meta"]
        assert meta["compute"]["generations"] == 4 and meta["trace"]["selected"]["selector"] == "vlm:critic"
        assert meta["oracle_selected"] is False and meta["selector_kind"] == "deployable"
        # best-of-N without a selector (and no critic): refused, naming the options
        r = CliRunner().invoke(app, base + ["--out", str(tmp_path / "bon"), "--tpo", "best-of-n", "--best-of", "3"])
        assert r.exit_code != 0 and all(k in r.output for k in ("--tpo-selector", "vlm", "self-verify", "oracle"))
        # the checker as selector only when asked, and then labelled everywhere
        r = CliRunner().invoke(app, base + ["--out", str(tmp_path / "orc"), "--tpo", "best-of-n", "--best-of", "3",
                                            "--tpo-selector", "oracle", "--report"])
        assert r.exit_code == 0, r.output
        assert "oracle-selected: the task's checker picked" in r.output
        html = (tmp_path / "orc" / "report.html").read_text()
        assert "oracle-selected: the task&#x27;s checker picked" in html or "oracle-selected: the task's checker" in html
        g = json.loads((tmp_path / "orc" / "results.json").read_text())["groups"][0]
        assert g["model"] == "tiny-wan2+best-of-n[oracle-selected]"
        assert set(g["strategies"]) == {"best-of-n[oracle-selected]", "best-of-3[oracle-selected]", "single", "pass@3"}
        meta = json.loads((tmp_path / "orc" / "samples.jsonl").read_text().splitlines()[0])["generation"]["meta"]
        assert meta["oracle_selected"] is True and meta["selector"] == "checker:trajectory (oracle-selected)"
        r = CliRunner().invoke(app, base + ["--out", str(tmp_path / "x"), "--tpo", "videotpo"])
        assert r.exit_code != 0 and "--critic" in r.output
        r = CliRunner().invoke(app, ["run", "--model", "oracle", "--tpo", "best-of-n", "--out", str(tmp_path / "y")])
        assert r.exit_code != 0 and "diffusers model" in r.output


# ---------------------------------------------------------------------------- drop-in wrapper

SMALL = dict(num_inference_steps=1, num_frames=1, height=32, width=32, guidance_scale=5.0)


def test_hooks_are_removed_when_each_call_returns(tiny_pipe):
    from genbench.generators.pipecalls import hook_count

    before = hook_count(tiny_pipe)
    during = []

    def spy(pipe, i, t, kw):  # runs inside the pipeline call, where the NFE hooks must be present
        during.append(hook_count(pipe))
        return kw

    bon, tpo = BestOfN(tiny_pipe, 1, lambda v: 0.0), VideoTPO(tiny_pipe, width=1, depth=1)
    for _ in range(10):
        bon("a maze", callback_on_step_end=spy, **SMALL)
        tpo("a maze", callback_on_step_end=spy, **SMALL)
    assert len(during) == 20 and set(during) == {before + 1}  # one counting hook during a call …
    assert hook_count(tiny_pipe) == before  # … and none left after 20 calls
    assert tiny_pipe.__dict__.get("encode_prompt") is None  # the prompt cache is uninstalled too


def test_output_type_generators_and_videos_per_prompt_are_honoured(tiny_pipe):
    def seeded(*seeds):
        return [torch.Generator().manual_seed(s) for s in seeds]

    out = BestOfN(tiny_pipe, 2, lambda v: float(v.mean()))("a maze", num_videos_per_prompt=2, generator=seeded(1, 2),
                                                            output_type="pil", **SMALL)
    assert type(out).__name__ == "WanPipelineOutput" and len(out.trace) == 2
    assert isinstance(out.frames, list) and len(out.frames) == 2 and out.frames[0][0].size == (32, 32)
    assert [r.candidates[0].seed for r in out.results] == [1, 2]  # candidate 0 of each video: the user's seed
    # each returned video is its own best-of-2, chosen by the selector
    for r, frames in zip(out.results, out.frames):
        best = max(r.candidates, key=lambda c: float(c.video.mean()))
        assert np.array_equal(np.stack([np.asarray(f) for f in frames]), best.video)
    plain = tiny_pipe("a maze", generator=seeded(1)[0], output_type="pt", **SMALL).frames
    one = BestOfN(tiny_pipe, 1, lambda v: 0.0)("a maze", generator=seeded(1)[0], output_type="pt", **SMALL).frames
    assert isinstance(one, torch.Tensor) and torch.equal(one, plain)
    with pytest.raises(ValueError, match="3 generators for 2 videos"):
        BestOfN(tiny_pipe, 1, lambda v: 0.0)(["a", "b"], generator=seeded(1, 2, 3), **SMALL)
    with pytest.raises(ValueError, match="latent"):
        BestOfN(tiny_pipe, 1, lambda v: 0.0)("a", output_type="latent", **SMALL)
    with pytest.raises(ValueError, match="needs a selector"):
        BestOfN(tiny_pipe, 2, None)


def test_a_plain_function_can_be_the_critic(tiny_pipe):
    seen = []

    def critic(prompt, videos):
        seen.append(len(videos))
        return prompt + " The agent takes the shortest route."

    out = VideoTPO(tiny_pipe, critic, width=2, depth=2, selector=lambda v: 0.0)("a maze", **SMALL)
    rounds = out.trace[0]["rounds"]
    assert seen == [2] and rounds[1]["prompt"] == "a maze The agent takes the shortest route."
    assert out.results[0].compute.critic_calls == 1
    with pytest.raises(ValueError, match="needs a critic"):
        VideoTPO(tiny_pipe, None, width=2, depth=2)


@pytest.mark.parametrize("kind,calls_per_step", [("cogvideox", 1), ("ltx", 1), ("wan2", 2)])
def test_nfe_counts_rows_for_batched_guidance(kind, calls_per_step):
    """CogVideoX and LTX run both guidance branches (and all candidates) in one transformer call;
    NFE per video is still steps × 2."""
    from genbench.generators.tiny import TINY_DEFAULTS, build_tiny_pipeline

    d = TINY_DEFAULTS[kind]
    pipe = build_tiny_pipeline(kind, "t2v")
    kw = dict(num_inference_steps=2, num_frames=d["num_frames"], height=d["height"], width=d["width"],
              guidance_scale=d["guidance_scale"])
    c = BestOfN(pipe, 2, lambda v: 0.0)("a maze", **kw).results[0].compute
    assert c.nfe == 2 * 2 * 2  # 2 videos × 2 steps × (cond + uncond)
    assert c.forward_calls == 2 * calls_per_step
    c1 = BestOfN(pipe, 2, lambda v: 0.0)("a maze", **{**kw, "guidance_scale": 1.0}).results[0].compute
    assert c1.nfe == 2 * 2  # no guidance: one row per video per step


# ---------------------------------------------------------------------------- early-plan screening


def _scripted_selector(preview_scores, preview_size):
    """Scores previews from a script (and records them); full videos all score 0.5."""
    seen = []

    def select(video):
        if video.shape[1] == preview_size:
            seen.append(video)
            return preview_scores[len(seen) - 1]
        return 0.5

    return select, seen


@pytest.mark.parametrize("scores,stopped", [([1.0, 0.5, 0.9, 0.1], [False, True, True, True]),
                                            ([0.1, 0.5, 0.9], [False, False, False])])
def test_screen_stops_hopeless_seeds_and_spends_the_saved_steps(tiny_pipe, scores, stopped):
    from genbench.tpo.screen import Screen

    select, previews = _scripted_selector(scores, preview_size=32)
    kw = dict(num_inference_steps=5, num_frames=5, height=64, width=64, guidance_scale=5.0)
    out = Screen(tiny_pipe, 3, select, screen_at=0.2)("a maze", **kw)
    t = out.trace[0]
    full = 5 * 2  # rows of one complete generation: 5 steps × (cond + uncond)
    assert t["screen_at_step"] == 1 and t["nfe_budget"] == 3 * full
    assert [s["stopped"] for s in t["seeds"]] == stopped
    # previews were decoded from x0 at half resolution, one per seed, and differ between seeds
    assert len(previews) == len(stopped) and previews[0].shape == (5, 32, 32, 3)
    assert not np.array_equal(previews[0], previews[1])
    # a stopped seed ran the transformer for steps 0..k only; the budget is never exceeded
    assert [s["nfe"] for s in t["seeds"]] == [4 if s else full for s in stopped]
    assert t["nfe_used"] == sum(s["nfe"] for s in t["seeds"]) == out.results[0].compute.nfe <= t["nfe_budget"]
    assert t["nfe_saved_by_stopping"] == sum(full - 4 for s in stopped if s)
    assert len(out.results[0].candidates) == stopped.count(False)  # only finished seeds are candidates
    assert out.frames.shape == (1, 5, 64, 64, 3)


def test_screen_refuses_pipelines_it_cannot_preview():
    from genbench.generators.tiny import build_tiny_pipeline
    from genbench.tpo.screen import Screen

    pipe = build_tiny_pipeline("ltx", "t2v")
    with pytest.raises(ValueError, match="not supported yet"):
        Screen(pipe, 2, lambda v: 0.0)("a maze", num_inference_steps=3, num_frames=9, height=32, width=32)


def test_cli_run_with_screen(tmp_path):
    """`--tpo screen`: the trace says where seeds were screened; the baseline is best-of-N at the same NFE."""
    import json

    from typer.testing import CliRunner

    from genbench.cli import app

    out = tmp_path / "screen"
    r = CliRunner().invoke(app, ["run", "--model", "tiny-wan2", "--tasks", "maze.grid", "--limit", "1", "--difficulty",
                                 "easy", "--quiet", "--model-args", "steps=3,frames=5", "--out", str(out),
                                 "--tpo", "screen", "--best-of", "2", "--tpo-selector", "oracle", "--tpo-screen-at", "0.4"])
    assert r.exit_code == 0, r.output
    g = json.loads((out / "results.json").read_text())["groups"][0]
    assert g["model"] == "tiny-wan2+screen[oracle-selected]"
    assert {"screen[oracle-selected]", "best-of-2[oracle-selected]", "single", "pass@2"} <= set(g["strategies"])
    meta = json.loads((out / "samples.jsonl").read_text().splitlines()[0])["generation"]["meta"]
    t = meta["trace"]
    assert t["mode"] == "screen" and t["screen_at_step"] == 1 and t["nfe_budget"] == 2 * 3 * 2
    assert t["nfe_used"] <= t["nfe_budget"] and meta["strategies"]["screen[oracle-selected]"]["nfe"] == t["nfe_used"]
