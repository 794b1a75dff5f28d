"""Numbers people can compare: one denominator rule, item-clustered intervals, paired comparisons,
results.json over every sample of a run directory."""

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from genbench import registry
from genbench.cli import app
from genbench.generators.baselines import Oracle
from genbench.metrics import (aggregate, clustered_interval, compare, counts, outcome, summarise,
                              summarise_strategies, wilson)
from genbench.runner import RunConfig, compare_runs, default_out, run


def _row(item, passed=False, status="ok", failure=None, done=True, metrics=None, **kw):
    return {"item_id": item, "item_hash": item, "gen_key": kw.pop("gen_key", f"{item}/{kw.get('candidate', 0)}/{passed}"),
            "family": "maze.grid", "difficulty": "easy", "model": "m", "mode": "i2v", "done": done,
            "verdict": {"status": status, "passed": passed, "failure": failure, "metrics": metrics or {}}, **kw}


# --- denominators ------------------------------------------------------------------------------------

def test_every_sample_has_one_class_and_rates_state_their_denominators():
    rows = [_row("a", True), _row("b", False, failure="STATIC"),
            _row("c", status="error", failure="UNREADABLE"),                     # the model's corrupt video
            _row("d", status="error", failure="GENERATION_FAILED", done=False),  # no video at all
            _row("e", status="error", failure="NOT_JUDGED"),                     # t2v: no layout reader
            _row("f", status="error", failure="JUDGE_ERROR")]                    # the judge failed
    assert [outcome(r) for r in rows] == ["passed", "failed", "error", "generation_failure", "not_judged", "not_judged"]
    s = summarise(rows)
    assert {k: s[k] for k in ("samples", "n", "judged", "passed", "errors", "generation_failures", "not_judged")} == \
        {"samples": 6, "n": 4, "judged": 2, "passed": 1, "errors": 1, "generation_failures": 1, "not_judged": 2}
    assert s["pass_rate"] == 0.25 and s["pass_ci95"] == [round(x, 4) for x in wilson(1, 4)]
    assert s["failures"] == {"STATIC": 1, "UNREADABLE": 1, "GENERATION_FAILED": 1}
    # an old row of a failed generation (before GENERATION_FAILED existed) is still one
    assert outcome(_row("g", status="error", failure="UNREADABLE", done=False)) == "generation_failure"
    assert counts([]) == {"n": 0, "passed": 0, "judged": 0, "errors": 0, "generation_failures": 0, "not_judged": 0}


def test_a_run_with_generation_failures_t2v_samples_and_judge_errors(tmp_path):
    """Generation failures count against the model (their own column); t2v samples are not judged."""
    registry.add("generator", "flaky-test", _Flaky, "test only")
    try:
        out = tmp_path / "r"
        res = run(RunConfig(tasks="maze.grid", models="flaky-test", out=str(out), limit=2, difficulties="easy",
                            samples_per_item=2), progress=False)
        (g,) = res["groups"]
        # 4 samples: candidate 1 of each item crashes the model; candidate 0 is the oracle (passes)
        assert (g["n"], g["judged"], g["passed"], g["generation_failures"], g["not_judged"]) == (4, 2, 2, 2, 0)
        assert g["pass_rate"] == 0.5 and g["failures"] == {"GENERATION_FAILED": 2}
        res = run(RunConfig(tasks="puzzle.hanoi", models="oracle", out=str(out), limit=2, difficulties="easy",
                            mode="t2v"), progress=False)  # maze.grid's t2v is judged (tests/test_t2v_judging.py)
    finally:
        registry._ENTRIES["generator"].pop("flaky-test")
    t2v = next(g for g in res["groups"] if g["mode"] == "t2v")
    assert (t2v["n"], t2v["not_judged"], t2v["samples"], t2v["pass_ci95"]) == (0, 2, 2, [0.0, 0.0])
    # a judge error (a checker crash) is not judged either; a corrupt video is the model's error
    rows = [json.loads(x) for x in (out / "samples.jsonl").read_text().splitlines()]
    judged = next(r for r in rows if r["done"] and r["mode"] == "i2v")
    crash = {**judged, "gen_key": "crash", "verdict": {**judged["verdict"], "status": "error", "failure": "JUDGE_ERROR"}}
    broken = {**judged, "gen_key": "broken", "verdict": {**judged["verdict"], "status": "error", "failure": "UNREADABLE"}}
    (g,) = [g for g in aggregate([r for r in rows if r["mode"] == "i2v"] + [crash, broken])["groups"]]
    assert (g["n"], g["not_judged"], g["errors"], g["passed"]) == (5, 1, 1, 2)


class _Flaky(Oracle):
    name = "flaky"

    def generate(self, requests, paths):
        if any(r.candidate == 1 for r in requests):
            raise RuntimeError("CUDA out of memory (simulated)")
        return super().generate(requests, paths)


# --- intervals ---------------------------------------------------------------------------------------

def test_one_sample_per_item_gives_wilson_and_clustering_widens_correlated_candidates():
    assert clustered_interval([[1], [0], [1], [1], [0]]) == [round(x, 4) for x in wilson(3, 5)]
    # 10 items × 4 candidates, each item all-pass or all-fail: 40 samples carry 10 items' information
    per_item = [[1] * 4] * 6 + [[0] * 4] * 4
    lo, hi = clustered_interval(per_item)
    nlo, nhi = wilson(24, 40)
    assert lo < nlo and hi > nhi
    # candidates that vary within items (independent draws): about as wide as the naive interval
    mixed = [[1, 0, 1, 0], [1, 1, 0, 0], [0, 1, 0, 1], [1, 0, 0, 1], [0, 0, 1, 1]] * 2
    lo2, hi2 = clustered_interval(mixed)
    assert hi2 - lo2 < hi - lo
    # seeded: the same samples, the same interval, in whatever order the rows were written (slices)
    assert clustered_interval(per_item) == [lo, hi]
    rows = [_row(f"i{i:02d}", bool((i * 7 + c) % 3), candidate=c, gen_key=f"{i}/{c}", metrics={"pr": (i * c % 5) / 5})
            for i in range(12) for c in range(3)]
    assert summarise(rows) == summarise(rows[::-1]) == summarise(sorted(rows, key=lambda r: r["gen_key"]))


def test_metric_means_pass_at_k_and_strategies_carry_intervals():
    rows = []
    for i in range(6):
        for c in range(3):
            ok = (i + c) % 3 != 0
            meta = {"strategies": {"videotpo": {"passed": ok, "generations": 6, "selector": "oracle-selected"},
                                   "pass@6": {"passed": True, "generations": 6, "value": 0.5 + 0.1 * (i % 2)}}}
            rows.append(_row(f"i{i}", ok, candidate=c, gen_key=f"{i}/{c}", metrics={"progress": 0.2 * c + 0.1 * (i % 3)},
                             generation={"meta": meta}))
    s = summarise(rows)
    lo, hi = s["metrics_ci95"]["progress"]
    assert lo <= s["metrics"]["progress"] <= hi and lo < hi
    assert set(s["pass_at_k"]) == {"pass@1", "pass@2", "pass@3"} == set(s["pass_at_k_ci95"])
    assert s["pass_at_k"]["pass@3"] == 1.0 and s["pass_at_k_ci95"]["pass@1"][0] <= s["pass_at_k"]["pass@1"]
    st = summarise_strategies(rows)
    assert st["videotpo"]["selector"] == "oracle-selected"  # labels pass through
    assert st["videotpo"]["success_ci95"][0] <= st["videotpo"]["success"] <= st["videotpo"]["success_ci95"][1]
    assert st["pass@6"]["pass_at_k"] == 0.55 and st["pass@6"]["pass_at_k_ci95"][0] < 0.55 < st["pass@6"]["pass_at_k_ci95"][1]


def test_vlm_scores_and_agreement_carry_intervals():
    rows = []
    for i in range(8):
        vlm = {"status": "ok", "passed": i % 2 == 0, "failure": None, "metrics": {"overall": 40.0 + 5 * i}}
        rows.append(_row(f"i{i}", i % 4 == 0, vlm_verdicts={"openai:j": vlm}))
    rows.append(_row("x", vlm_verdicts={"openai:j": {"status": "error", "passed": False, "failure": "JUDGE_ERROR",
                                                    "metrics": {}}}))
    rows.append(_row("y", status="error", failure="GENERATION_FAILED", done=False))  # no video: no VLM verdict
    (g,) = aggregate(rows)["groups"]
    v = g["vlm"]["openai:j"]
    assert v["not_judged"] == 1 and v["generation_failures"] == 1 and v["n"] == 9 and v["pass_rate"] == round(4 / 9, 4)
    assert v["metrics_ci95"]["overall"][0] < v["metrics"]["overall"] < v["metrics_ci95"]["overall"][1]
    assert v["agreement_with_checker"] == 0.75 and v["agreement_ci95"] == [round(x, 4) for x in wilson(6, 8)]


# --- results.json over the run directory, provenance, default --out ------------------------------------

def test_two_invocations_into_one_out_are_both_in_results_json(tmp_path, monkeypatch):
    out = tmp_path / "r"
    cli = CliRunner()
    for model in ("oracle", "static"):
        args = ["run", "--tasks", "maze.grid", "--model", model, "--limit", "2", "--difficulty", "easy",
                "--out", str(out), "--quiet"]
        monkeypatch.setattr(sys, "argv", ["genbench", *args])  # what the console script sees
        r = cli.invoke(app, args)
        assert r.exit_code == 0, r.output
    res = json.loads((out / "results.json").read_text())
    assert {g["model"]: g["pass_rate"] for g in res["groups"]} == {"oracle": 1.0, "static": 0.0}
    assert res["counts"]["generated"] == 2  # this invocation's; the groups hold both
    prov = res["provenance"]
    assert set(prov) == {"command", "genbench", "git_commit", "time"} and prov["command"].startswith("genbench run --tasks maze.grid --model static")
    assert prov["git_commit"] is None or len(prov["git_commit"]) == 40
    assert "all 4 samples" in res["covers"]


def test_default_out_names_tasks_models_and_time():
    d = default_out("maze.grid,puzzle.hanoi", "tiny-wan2,oracle", when=0)
    assert d == str(Path("runs") / "maze.grid-puzzle.hanoi__tiny-wan2-oracle__19700101-000000")
    assert default_out("maze", "diffusers:org/repo", when=0).endswith("maze__diffusers-org-repo__19700101-000000")


# --- comparing runs ------------------------------------------------------------------------------------

def test_compare_finds_oracle_vs_static_significant_and_same_model_other_seeds_not(tmp_path):
    base = dict(tasks="maze.grid,maze.trapfield", limit=6, difficulties="easy,medium")
    run(RunConfig(models="oracle,static", out=str(tmp_path / "a"), **base), progress=False)
    rows = compare_runs(tmp_path / "a", tmp_path / "a", "oracle", "static")["rows"]
    assert [r["family"] for r in rows] == ["maze.grid", "maze.trapfield"]
    assert all(r["paired"] and r["significant"] and r["difference"] == 1.0 for r in rows)
    # the same model with two suite seeds (other items, other sample seeds): no significant difference
    for seed in (0, 1):
        run(RunConfig(models="random-walk", out=str(tmp_path / f"s{seed}"), seed=seed, **base), progress=False)
    rows = compare_runs(tmp_path / "s0", tmp_path / "s1")["rows"]
    assert rows and all(not r["paired"] and not r["significant"] for r in rows)
    assert all(r["ci95"][0] <= r["difference"] <= r["ci95"][1] for r in rows)


def test_compare_pairs_by_item_and_says_what_it_needs(tmp_path):
    a = [_row(f"i{i}", i < 7) for i in range(10)]
    b = [_row(f"i{i}", i < 3) for i in range(10)]
    (r,) = compare(a, b)
    assert r["paired"] and r["difference"] == 0.4 and r["ci95"][0] > 0 and r["significant"]
    (same,) = compare(a, a)
    assert same["difference"] == 0 and not same["significant"]
    run(RunConfig(tasks="maze.grid", models="oracle,static", out=str(tmp_path / "a"), limit=1,
                  difficulties="easy"), progress=False)
    with pytest.raises(ValueError, match="several models"):
        compare_runs(tmp_path / "a", tmp_path / "a")
    with pytest.raises(FileNotFoundError):
        compare_runs(tmp_path / "a", tmp_path / "nothing", "oracle")
    r = CliRunner().invoke(app, ["compare", str(tmp_path / "a"), str(tmp_path / "a"), "--model-a", "oracle",
                                 "--model-b", "static"])
    assert r.exit_code == 0 and "yes" in r.output and "+1.000" in r.output


def test_calibrate_agreement_leaves_judge_errors_out_and_clusters_by_item():
    from genbench.calibrate import Record, summarise as calibrate_summary

    def rec(item, clip, truth, judged, status="ok"):
        return Record("maze.grid", item, clip, "v.mp4", truth, None, status, judged and status == "ok", 0.0, "")

    recs = [rec(f"i{i}", c, c == "oracle", c == "oracle" or i % 2 == 0) for i in range(6)
            for c in ("oracle", "static", "cut")]
    recs.append(rec("i0", "backwards", False, False, status="error"))
    fam = calibrate_summary(recs)["families"]["maze.grid"]
    assert fam["n"] == 18 and fam["judge_errors"] == 1  # the error is not a "judge says fail"
    assert fam["accuracy"] == round(12 / 18, 4)
    lo, hi = fam["accuracy_ci95"]
    # items alternate between all-agree and one-in-three agree: clustering widens the naive interval
    nlo, nhi = wilson(12, 18)
    assert lo <= fam["accuracy"] <= hi and hi - lo > nhi - nlo


def test_a_split_run_must_name_its_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, ["run", "--tasks", "maze.grid", "--model", "oracle", "--limit", "1", "--difficulty",
                                 "easy", "--shard", "0/2", "--quiet"])
    assert r.exit_code == 2 and "needs --out" in r.output and not (tmp_path / "runs").exists()
    r = CliRunner().invoke(app, ["run", "--tasks", "maze.grid", "--model", "oracle", "--limit", "1", "--difficulty",
                                 "easy", "--quiet"])
    (made,) = (tmp_path / "runs").iterdir()  # the default: runs/<tasks>__<models>__<time>
    assert r.exit_code == 0 and made.name.startswith("maze.grid__oracle__") and (made / "results.json").exists()
