"""VLM judges end to end: instance-specific questions, frame sampling, the real openai client over
real HTTP against a scripted local server (good, malformed, 429, 500, timeout), the cache, bounded
concurrency, the tiny local VLM, `genbench run --judge`, and calibrate-judge's agreement numbers."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from chat_server import ChatServer, Delay, Error
from genbench.calibrate import cohens_kappa
from genbench.cli import app
from genbench.judges import frames as frames_mod
from genbench.judges.backends import OpenAIChatBackend, ResponseCache, decode_image_url
from genbench.judges.checklists import METRICS, RC, checklist_builder, checklist_for, make_checklist
from genbench.judges.frames import FrameSampling, plan_indices, sample_video
from genbench.judges.vlm import GRADES, YES_NO, JudgeSettings, ParseError, VLMJudge, parse_answers
from genbench.video import write_video

REPO = Path(__file__).resolve().parents[1]
SMALL = JudgeSettings(FrameSampling(fps=2, max_frames=4, long_side=96), max_tokens=256)


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


@pytest.fixture(scope="module")
def item(maze):
    return maze.generate(0, "easy", 0)


@pytest.fixture(scope="module")
def oracle_video(maze, item, tmp_path_factory):
    path = tmp_path_factory.mktemp("v") / "oracle.mp4"
    write_video(path, maze.solution_frames(item), 24)
    return path


def question_ids(req: dict) -> list[str]:
    """The ids the judge prompt asks about (last text part of the first user turn)."""
    text = req["messages"][1]["content"][-1]["text"]
    return re.findall(r"^([qb]\d+) ", text, flags=re.M)


def answer_all(ids, answer, reasoning="seen in the frames"):
    return json.dumps({"answers": [{"id": i, "reasoning": reasoning, "answer": answer} for i in ids]})


def rule_reply(req: dict) -> str:
    """A judge that answers by a rule: 'Good'/'yes' to everything iff the first and last frames
    differ (the video moves), else 'Poor'/'no'."""
    images = [p["image_url"]["url"] for p in req["messages"][1]["content"] if p["type"] == "image_url"]
    first, last = decode_image_url(images[0]), decode_image_url(images[-1])
    moves = (np.abs(first.astype(int) - last.astype(int)).max(axis=2) > 60).mean() > 0.002  # > 0.2% of pixels
    ids = question_ids(req)
    graded = ids[0].startswith("q")
    return answer_all(ids, ("Good" if moves else "Poor") if graded else ("yes" if moves else "no"))


def judge_for(srv: ChatServer, kind="checklist", cache=None, **kw) -> VLMJudge:
    kw = {"timeout": 5, "max_retries": 3, "retry_base_delay": 0.01, "retry_max_delay": 0.05, **kw}
    backend = OpenAIChatBackend("judge-model", base_url=srv.base_url, api_key="x", revision="r1",
                                cache=cache, **kw)
    return VLMJudge(backend, kind, SMALL)


# --------------------------------------------------------------------------- checklists


def test_checklists_are_instance_specific(maze):
    a, b = maze.generate(0, "easy", 0), maze.generate(1, "medium", 0)
    assert a.state["skin"]["words"] != b.state["skin"]["words"]
    ca, cb = checklist_for(a), checklist_for(b)
    assert ca.source == "builtin:maze.grid"
    for it, cl in ((a, ca), (b, cb)):
        w, s = it.state["skin"]["words"], it.state
        text = " ".join(q.text for q in cl.checklist + cl.binary)
        for word in (w["agent"], w["goal"], w["floor"], w["wall"]):
            assert word in text
        goal = f"row {s['goal'][0] + 1}, column {s['goal'][1] + 1}"
        start = f"row {s['start'][0] + 1}, column {s['start'][1] + 1}"
        # the route's length is for the video to find: no question states it
        assert goal in text and start in text and f"{s['shortest_length']} moves" not in text
        assert {q.metric for q in cl.checklist} == set(METRICS)
        assert all(q.expected is not None for q in cl.binary) and {q.expected for q in cl.binary} == {True, False}
    assert [q.text for q in ca.checklist] != [q.text for q in cb.checklist]
    other = [w for k, w in b.state["skin"]["words"].items() if w not in a.state["skin"]["words"].values()]
    assert other and not any(w in " ".join(q.text for q in ca.checklist) for w in other)


def test_registered_builder_and_generic_fallback(item):
    from genbench import registry

    # a family with no registered builder: questions come from its prompt
    plain_item = type(item)(id="puzzle.plain/easy/0000", family="puzzle.plain", difficulty="easy", index=0,
                            seed=0, prompt_i2v="Slide the blue tile onto the star.", prompt_t2v="t2v prompt",
                            state={}, first_frame=item.first_frame)
    cl = checklist_for(plain_item)
    assert cl.source == "generic" and "Slide the blue tile onto the star." in cl.checklist[0].text
    assert "t2v prompt" in checklist_for(plain_item, "t2v").checklist[0].text

    @checklist_builder("puzzle.plain")  # how a family (built in or from --include-path) adds its own
    def plain_questions(it, mode):
        return make_checklist(it, "family", [(RC, "Is the blue tile on the star at the end?")],
                              [("Is the blue tile on the star?", True)])

    try:
        cl = checklist_for(plain_item)
        assert cl.source == "family" and cl.checklist[0].id == "q1" and cl.binary[0].expected is True
    finally:
        registry._ENTRIES["checklist"].pop("puzzle.plain")
    assert checklist_for(plain_item).source == "generic"


# --------------------------------------------------------------------------- parsing & frames


def test_parse_answers_lenient_wrapping_strict_content():
    ids = ["q1", "q2"]
    fenced = 'Here you go:\n```json\n{"answers": [{"id": "Q1", "reasoning": "r", "answer": "good."},' \
             ' {"id": "q2", "answer": 0}]}\n```'
    assert parse_answers(fenced, ids, GRADES) == {"q1": (2, "r"), "q2": (0, "")}
    assert parse_answers('{"q1": "Medium", "q2": "Poor"} thanks', ids, GRADES) == {"q1": (1, ""), "q2": (0, "")}
    assert parse_answers('[{"id": "b1", "answer": "YES"}]', ["b1"], YES_NO) == {"b1": (True, "")}
    for bad, why in [("no json here", "no JSON"), ('{"answers": [{"id": "q1", "answer": "Good"}]}', "missing"),
                     ('{"answers": [{"id": "q1", "answer": "great"}, {"id": "q2", "answer": "Good"}]}', "q1"),
                     ('{"answers": [{"id": "q7", "answer": "Good"}]}', "none of")]:
        with pytest.raises(ParseError, match=why):
            parse_answers(bad, ids, GRADES)


def test_frame_sampling_covers_video_with_times(oracle_video):
    v = sample_video(oracle_video, FrameSampling(fps=2, max_frames=16, long_side=128))
    assert v.num_frames == 121 and v.fps == 24
    assert [f.index for f in v.frames] == list(range(0, 121, 12))  # every 0.5 s, last frame included
    assert [round(f.time, 2) for f in v.frames][:3] == [0.0, 0.5, 1.0] and v.frames[-1].time == 5.0
    assert max(v.frames[0].image.shape[:2]) == 128
    capped = sample_video(oracle_video, FrameSampling(fps=8, max_frames=5))
    assert [f.index for f in capped.frames] == [0, 30, 60, 90, 120]
    assert plan_indices(10, 24, FrameSampling()) == [0, 9]


def test_frame_sampling_without_frame_count(oracle_video, monkeypatch):
    real = frames_mod.probe

    def no_count(path):  # containers that do not state their frame count: thin on the fly
        info = real(path)
        info.num_frames = 0
        return info

    monkeypatch.setattr(frames_mod, "probe", no_count)
    v = sample_video(oracle_video, FrameSampling(fps=8, max_frames=6))
    idx = [f.index for f in v.frames]
    assert len(idx) <= 6 and idx[0] == 0 and idx[-1] == 120
    assert len(set(np.diff(idx[:-1]))) == 1  # evenly spaced before the final frame


# --------------------------------------------------------------------------- the judge over HTTP


def test_checklist_verdict_scores_and_records(maze, item, oracle_video):
    # q1..q9: IF IF RC RC RC RC VC VC VF (see maze_grid_checklist)
    answers = ["Good", "Good", "Good", "Medium", "Good", "Good", "Poor", "Good", "Medium"]

    def reply(req):
        ids = question_ids(req)
        return json.dumps({"answers": [{"id": i, "reasoning": "r", "answer": a} for i, a in zip(ids, answers)]})

    with ChatServer(reply_fn=reply) as srv:
        v = judge_for(srv).judge(maze, item, oracle_video)
        req = srv.requests[0]
    assert v.status == "ok" and v.checker == "vlm-checklist"
    assert v.metrics == {"instruction_following": 100.0, "rule_coherence": 87.5, "visual_consistency": 50.0,
                         "visual_fidelity": 50.0, "overall": round(100 * 14 / 18, 2)}
    assert v.passed and v.score == pytest.approx(14 / 18, abs=1e-4)  # RC 87.5 ≥ 75 and no RC Poor
    assert v.evidence["judge"]["model"] == "judge-model" and v.evidence["judge"]["revision"] == "r1"
    assert v.version.endswith("judge-model@r1")
    u = v.evidence["usage"]
    assert u["replies"] == 1 and u["prompt_tokens"] > 0 and u["completion_tokens"] > 0
    assert req["temperature"] == 0
    labels = [p["text"] for p in req["messages"][1]["content"] if p["type"] == "text" and p["text"].startswith("Frame")]
    assert labels[0] == "Frame 1/4 (t = 0.00 s):" and labels[-1] == "Frame 4/4 (t = 5.00 s):"
    assert item.prompt_i2v in req["messages"][1]["content"][0]["text"]


def test_reference_frames_are_optional_and_labelled(maze, item, oracle_video):
    settings = JudgeSettings(FrameSampling(max_frames=3, long_side=96, first_reference=True, final_reference=True))
    with ChatServer(reply_fn=lambda r: answer_all(question_ids(r), "Good")) as srv:
        backend = OpenAIChatBackend("judge-model", base_url=srv.base_url, api_key="x")
        VLMJudge(backend, "checklist", settings).judge(maze, item, oracle_video)
        parts = srv.requests[0]["messages"][1]["content"]
    kinds = [p["type"] for p in parts]
    assert kinds.count("image_url") == 3 + 2
    refs = [i for i, p in enumerate(parts) if p["type"] == "text" and p["text"].startswith("Reference")]
    assert len(refs) == 2
    final = decode_image_url(parts[refs[1] + 1]["image_url"]["url"])
    expected = maze.final_frame(item)
    assert final.shape[:2] == (96, 96) and max(expected.shape[:2]) > 96  # downscaled like the frames


def test_checklist_fails_on_a_poor_rule_answer(maze, item, oracle_video):
    answers = ["Good", "Good", "Good", "Good", "Poor", "Good", "Good", "Good", "Good"]  # q5: goal not reached

    def reply(req):
        return json.dumps({"answers": [{"id": i, "answer": a} for i, a in zip(question_ids(req), answers)]})

    with ChatServer(reply_fn=reply) as srv:
        v = judge_for(srv).judge(maze, item, oracle_video)
    assert v.status == "ok" and not v.passed and v.failure == "JUDGE_REJECTED" and "q5" in v.message
    assert v.metrics["rule_coherence"] == 75.0  # the score alone would pass: a Poor rule answer does not


def test_binary_judge_needs_every_answer_to_match(maze, item, oracle_video):
    # b1..b5 expect: yes, no, no, no, yes
    with ChatServer(reply_fn=lambda r: answer_all(question_ids(r), "yes")) as srv:
        v = judge_for(srv, "binary").judge(maze, item, oracle_video)
    assert v.status == "ok" and not v.passed and v.score == pytest.approx(2 / 5)
    assert v.message == "unexpected answers to b2, b3, b4"
    good = json.dumps({"b1": "yes", "b2": "no", "b3": "no", "b4": "no", "b5": "yes"})
    with ChatServer(script=[good]) as srv:
        v = judge_for(srv, "binary").judge(maze, item, oracle_video)
    assert v.passed and v.metrics["agreement"] == 100.0 and v.checker == "vlm-binary"


def test_malformed_reply_is_reasked_once(maze, item, oracle_video):
    with ChatServer(script=["I think it looks fine!"], reply_fn=lambda r: answer_all(question_ids(r), "Good")) as srv:
        v = judge_for(srv).judge(maze, item, oracle_video)
        second = srv.requests[1]["messages"]
    assert v.status == "ok" and v.passed and v.evidence["reasks"] == 1
    assert second[-2] == {"role": "assistant", "content": "I think it looks fine!"}
    assert "no JSON object found" in second[-1]["content"]


def test_malformed_twice_is_an_error_verdict_with_raw_text(maze, item, oracle_video):
    bad = ['{"answers": [{"id": "q1", "answer": "Good"}]}', "still not JSON"]
    with ChatServer(script=bad) as srv:
        v = judge_for(srv).judge(maze, item, oracle_video)
        assert srv.request_count == 2  # one re-ask, no more
    assert v.status == "error" and not v.passed and v.failure == "JUDGE_ERROR"
    assert v.evidence["raw"] == bad and "still not JSON" in v.message
    assert "missing answers for q2" in srv.requests[1]["messages"][-1]["content"]


@pytest.mark.parametrize("first", [Error(429, retry_after=0), Error(500), Delay(2.0)], ids=["429", "500", "timeout"])
def test_transient_failures_are_retried(maze, item, oracle_video, first):
    with ChatServer(script=[first], reply_fn=lambda r: answer_all(question_ids(r), "Good")) as srv:
        judge = judge_for(srv, timeout=0.5)
        v = judge.judge(maze, item, oracle_video)
    assert v.status == "ok" and v.passed
    assert judge.backend.meter.snapshot()["retries"] == 1


def test_backend_giving_up_or_bad_video_are_error_verdicts(maze, item, oracle_video, tmp_path):
    with ChatServer(script=[Error(401)]) as srv:
        v = judge_for(srv).judge(maze, item, oracle_video)
    assert v.status == "error" and v.failure == "JUDGE_ERROR" and "HTTP 401" in v.message and not v.passed
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(oracle_video.read_bytes()[:3000])
    with ChatServer() as srv:
        v = judge_for(srv).judge(maze, item, broken)
        assert srv.request_count == 0
    assert v.status == "error" and v.failure == "UNREADABLE"


def test_cache_makes_a_rerun_free(maze, item, oracle_video, tmp_path):
    reply = lambda r: answer_all(question_ids(r), "Good")  # noqa: E731
    with ChatServer(reply_fn=reply) as srv:
        v1 = judge_for(srv, cache=ResponseCache(tmp_path / "c.sqlite")).judge(maze, item, oracle_video)
        again = judge_for(srv, cache=ResponseCache(tmp_path / "c.sqlite"))  # a new process, same file
        v2 = again.judge(maze, item, oracle_video)
        assert srv.request_count == 1
    assert v2.evidence["usage"]["cached"] == 1 and again.backend.meter.snapshot()["requests"] == 0
    assert v1.metrics == v2.metrics and v1.passed == v2.passed


def test_concurrency_stays_bounded(maze, item, oracle_video, tmp_path):
    paths = []
    for k in range(6):  # six distinct videos: different frames → different requests
        p = tmp_path / f"{k}.mp4"
        write_video(p, [np.roll(f, k, axis=1) for f in maze.solution_frames(item, num_frames=12)], 6)
        paths.append(p)
    reply = lambda r: answer_all(question_ids(r), "Good")  # noqa: E731
    with ChatServer(script=[Delay(0.3, None)] * 6, reply_fn=reply) as srv:
        judge = judge_for(srv, max_concurrency=3)
        verdicts = judge.judge_many([(maze, item, p) for p in paths])
        assert srv.request_count == 6 and 2 <= srv.max_in_flight <= 3
    assert all(v.status == "ok" for v in verdicts)


# --------------------------------------------------------------------------- the tiny local VLM


def test_tiny_local_vlm_nonsense_is_an_error_verdict(maze, item, oracle_video):
    from genbench.judges.backends import TransformersChatBackend
    from genbench.judges.tiny_vlm import build_tiny_vlm

    model, processor = build_tiny_vlm(seed=0)
    backend = TransformersChatBackend(model, processor=processor, model_id="tiny-vlm", batch_size=2)
    batches = []
    real = backend._generate
    backend._generate = lambda batch, **kw: batches.append(len(batch)) or real(batch, **kw)
    judge = VLMJudge(backend, "checklist", JudgeSettings(FrameSampling(max_frames=2, long_side=64), max_tokens=16))
    other = maze.generate(1, "easy", 0)  # a second item: a different prompt for the same video
    verdicts = judge.judge_many([(maze, item, oracle_video), (maze, other, oracle_video)])
    assert batches == [2, 2]  # both first asks in one forward batch, then both re-asks
    for v in verdicts:
        assert v.status == "error" and not v.passed and v.failure == "JUDGE_ERROR"
        assert len(v.evidence["raw"]) == 2 and v.evidence["usage"]["replies"] == 2
        assert "unparseable judge reply" in v.message and v.evidence["judge"]["model"] == "tiny-vlm"


# --------------------------------------------------------------------------- run / calibrate CLIs


def test_run_with_judge_end_to_end(tmp_path, monkeypatch):
    out = tmp_path / "run"
    args = ["run", "--tasks", "maze.grid", "--model", "oracle,static", "--limit", "1", "--difficulty", "easy",
            "--out", str(out), "--quiet", "--judge", "openai:test",
            "--judge-args", "max_frames=4,long_side=96,max_retries=0"]
    with ChatServer(reply_fn=rule_reply) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 0, r.output
        assert srv.request_count == 2
        rows = [json.loads(x) for x in (out / "samples.jsonl").read_text().splitlines()]
        by_model = {row["model"]: row for row in rows}
        assert by_model["oracle"]["vlm_verdicts"]["openai:test"]["passed"] is True
        assert by_model["static"]["vlm_verdicts"]["openai:test"]["passed"] is False  # the rule: no motion
        res = json.loads((out / "results.json").read_text())
        groups = {g["model"]: g for g in res["groups"]}
        assert groups["oracle"]["vlm"]["openai:test"]["pass_rate"] == 1.0
        assert groups["static"]["vlm"]["openai:test"]["agreement_with_checker"] == 1.0
        usage = res["judge_usage"]["openai:test"]
        assert usage["this_run"]["requests"] == 2 and usage["all_rows"]["prompt_tokens"] > 0
        # adding a judge re-judges the existing videos (cache answers the old judge) and renders nothing
        r = CliRunner().invoke(app, args[:-4] + ["--judge", "openai:test,binary:openai:test",
                                                 "--judge-args", "max_frames=4,long_side=96,max_retries=0"])
        assert r.exit_code == 0, r.output
        res = json.loads((out / "results.json").read_text())
        assert res["counts"]["generated"] == 0 and res["counts"]["rejudged"] == 2
        assert srv.request_count == 4  # only the binary judge's two questions sets were new
        assert res["judge_usage"]["openai:test"]["cache_hit_rate"] == 1.0
        # the same command again: nothing to do, nothing asked
        r = CliRunner().invoke(app, args[:-4] + ["--judge", "openai:test,binary:openai:test",
                                                 "--judge-args", "max_frames=4,long_side=96,max_retries=0"])
        assert r.exit_code == 0 and srv.request_count == 4


def test_judge_videos_dir_with_vlm(maze, item, oracle_video, tmp_path, monkeypatch):
    from genbench.judging import judge_dir

    vids = tmp_path / "videos" / "maze.grid" / "easy"
    vids.mkdir(parents=True)
    (vids / "0000.mp4").write_bytes(oracle_video.read_bytes())
    with ChatServer(reply_fn=rule_reply) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        res = judge_dir("maze.grid", tmp_path / "videos", tmp_path / "judged", progress=False,
                        judges="binary:openai:test", judge_args={"max_frames": 3, "long_side": 64})
        assert srv.request_count == 1
    g = res["groups"][0]
    assert g["passed"] == 1 and g["vlm"]["binary:openai:test"]["n"] == 1
    row = json.loads((tmp_path / "judged" / "samples.jsonl").read_text().splitlines()[0])
    assert row["vlm_verdicts"]["binary:openai:test"]["checker"] == "vlm-binary"
    assert res["judge_usage"]["binary:openai:test"]["this_run"]["requests"] == 1


def test_cohens_kappa_by_hand():
    # 2×2 table: both yes 2, truth yes/pred no 1, truth no/pred yes 0, both no 1 → po = .75,
    # pe = .75·.5 + .25·.5 = .5 → κ = .5
    assert cohens_kappa([True, True, True, False], [True, True, False, False]) == pytest.approx(0.5)
    assert cohens_kappa([True, False], [True, False]) == 1.0
    assert cohens_kappa([True, True], [True, True]) is None  # undefined: p_e = 1


def test_calibrate_judge_end_to_end(tmp_path, monkeypatch):
    out = tmp_path / "cal"
    args = ["calibrate-judge", "--tasks", "maze.grid", "--judge", "openai:rule", "--n", "1",
            "--difficulty", "easy", "--clips", "oracle,static,cut_to_final,backwards",
            "--judge-args", "max_frames=4,long_side=96", "--out", str(out)]
    with ChatServer(reply_fn=rule_reply) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 0, r.output
        assert srv.request_count == 4
        assert "judging" in r.output and "4/4" in r.output  # the progress bar's last state
        rep = json.loads((out / "calibrate.json").read_text())
        truth = {x["clip"]: x["truth"] for x in rep["records"]}
        pred = {x["clip"]: x["judge_passed"] for x in rep["records"]}
        # the checker: only the oracle passes; the rule judge passes everything that moves
        assert truth == {"oracle": True, "static": False, "cut_to_final": False, "backwards": False}
        assert pred == {"oracle": True, "static": False, "cut_to_final": True, "backwards": True}
        fam = rep["families"]["maze.grid"]
        # by hand: tp=1 tn=1 fp=2 fn=0 → acc .5; pt=.25, pp=.75 → pe=.375 → κ=(.5−.375)/.625=.2
        assert fam["confusion"] == {"tp": 1, "fp": 2, "tn": 1, "fn": 0}
        assert fam["accuracy"] == 0.5 and fam["kappa"] == pytest.approx(0.2)
        assert fam["false_pass_rate"] == pytest.approx(2 / 3, abs=1e-4) and fam["false_fail_rate"] == 0.0
        assert "0.20" in r.output
        r = CliRunner().invoke(app, args)  # again: the cache answers everything
        assert r.exit_code == 0 and srv.request_count == 4


def test_import_stays_light():
    code = ("import sys, genbench.judges.vlm, genbench.calibrate, genbench.judges.frames; "
            "bad = [m for m in ('torch', 'transformers', 'openai', 'diffusers') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
