"""The run loop, the store's resume, judging external videos, export determinism and the CLI."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from genbench import registry
from genbench.cli import app
from genbench.generators.baselines import Oracle
from genbench.runner import RunConfig, run

cli = CliRunner()


def _rows(out):
    return [json.loads(l) for l in (Path(out) / "samples.jsonl").read_text().splitlines()]


def test_run_writes_results_and_resume_redoes_nothing(tmp_path):
    out = tmp_path / "r"
    cfg = RunConfig(tasks="maze.grid", models="oracle,static", out=str(out), limit=1, difficulties="easy,medium")
    res = run(cfg, progress=False)
    assert res["counts"] == {"generated": 4, "rejudged": 0, "skipped": 0, "errors": 0}
    groups = {(g["difficulty"], g["model"]): g for g in res["groups"]}
    assert groups[("easy", "oracle")]["pass_rate"] == 1.0
    assert groups[("easy", "static")]["failures"] == {"STATIC": 1}
    lo, hi = groups[("easy", "oracle")]["pass_ci95"]
    assert 0 < lo < hi == 1.0
    rows = _rows(out)
    assert len(rows) == 4
    for r in rows:
        assert (out / r["video"]).exists() and r["versions"]["genbench"] and r["seed"] >= 0
        assert r["verdict"]["evidence"]["cells"] and r["prompt"]
    assert json.loads((out / "config.json").read_text())["models"] == "oracle,static"
    # the same command again: nothing regenerated or re-judged, same results
    res2 = run(cfg, progress=False)
    assert res2["counts"]["skipped"] == 4 and res2["counts"]["generated"] == 0
    assert len(_rows(out)) == 4
    assert res2["groups"] == res["groups"]
    # a new model redoes only that model's samples; a new setting of one model only that model's
    res3 = run(RunConfig(tasks="maze.grid", models="oracle,static,jumpcut", out=str(out), limit=1,
                         difficulties="easy,medium"), progress=False)
    assert res3["counts"] == {"generated": 2, "rejudged": 0, "skipped": 4, "errors": 0}


def test_resume_after_an_interrupted_line(tmp_path):
    out = tmp_path / "r"
    cfg = RunConfig(tasks="maze.grid", models="oracle", out=str(out), limit=2, difficulties="easy")
    run(cfg, progress=False)
    p = out / "samples.jsonl"
    lines = p.read_text().splitlines(keepends=True)
    p.write_text(lines[0] + lines[1][:40])  # the run died while writing the second sample
    res = run(cfg, progress=False)
    assert res["counts"]["skipped"] == 1 and res["counts"]["generated"] == 0 and res["counts"]["rejudged"] == 1
    assert len(_rows(out)) == 2


class _Broken(Oracle):
    """Writes an empty file for candidate 0 and raises for candidate 1."""

    name = "broken"

    def generate(self, requests, paths):
        for req, path in zip(requests, paths):
            if req.candidate == 1:
                raise RuntimeError("CUDA out of memory (simulated)")
        out = super().generate(requests, paths)
        for rec in out:
            Path(rec.path).write_bytes(b"")
        return out


def test_bad_videos_and_failed_generations_do_not_stop_a_run(tmp_path):
    registry.add("generator", "broken-test", _Broken, "test only")
    try:
        res = run(RunConfig(tasks="maze.grid", models="broken-test,oracle", out=str(tmp_path / "r"), limit=1,
                            difficulties="easy", samples_per_item=2), progress=False)
    finally:
        registry._ENTRIES["generator"].pop("broken-test")
    groups = {g["model"]: g for g in res["groups"]}
    assert groups["oracle"]["pass_rate"] == 1.0 and groups["oracle"]["n"] == 2
    rows = _rows(tmp_path / "r")
    broken = [r for r in rows if r["model"] == "broken-test"]
    assert all(r["verdict"]["status"] == "error" and r["verdict"]["message"] for r in broken)
    assert any("empty file" in r["verdict"]["message"] for r in broken)
    # a failed generation is written but not marked done, so a resume retries it
    assert any(not r["done"] and "out of memory" in r["verdict"]["message"] for r in rows)


def test_judge_scores_external_videos_by_name(tmp_path):
    exp = tmp_path / "exp"
    r = cli.invoke(app, ["export", "maze.grid", "--n", "2", "--difficulty", "easy", "--out", str(exp), "--quiet",
                         "--canvas", "832x480"])
    assert r.exit_code == 0, r.output
    vids = exp / "videos"
    stray = vids / "maze.grid" / "easy" / "0999.mp4"
    stray.write_bytes(b"broken")  # an item the file does not hold: refused by name, never made up from --seed
    r = cli.invoke(app, ["judge", "--videos", str(vids), "--tasks", "maze.grid", "--items", str(exp / "items.jsonl"),
                         "--out", str(tmp_path / "j"), "--quiet"])
    assert r.exit_code == 2 and "maze.grid/easy/0999" in r.output and not (tmp_path / "j").exists()
    stray.unlink()
    (vids / "maze.grid" / "easy" / "0001_c1.mp4").write_bytes(b"broken")  # a broken candidate of a real item
    r = cli.invoke(app, ["judge", "--videos", str(vids), "--tasks", "maze.grid", "--items", str(exp / "items.jsonl"),
                         "--out", str(tmp_path / "j"), "--quiet"])
    assert r.exit_code == 0, r.output
    rows = _rows(tmp_path / "j")
    ok = [x for x in rows if x["verdict"]["status"] == "ok"]
    assert len(ok) == 2 and all(x["verdict"]["passed"] for x in ok)
    assert [x["candidate"] for x in rows if x["verdict"]["status"] == "error"] == [1]
    # judging again resumes: no new lines
    n = len(rows)
    cli.invoke(app, ["judge", "--videos", str(vids), "--tasks", "maze.grid", "--items", str(exp / "items.jsonl"),
                     "--out", str(tmp_path / "j"), "--quiet"])
    assert len(_rows(tmp_path / "j")) == n


def _tree_digest(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_export_is_byte_identical_across_processes(tmp_path):
    outs = []
    for k in range(2):
        out = tmp_path / f"e{k}"
        subprocess.run([sys.executable, "-m", "genbench.cli", "export", "maze.grid", "--n", "2", "--difficulty",
                        "easy,hard", "--out", str(out), "--quiet"], check=True, capture_output=True)
        outs.append(_tree_digest(out))
    assert outs[0] == outs[1]
    assert sum(k.endswith(".mp4") for k in outs[0]) == 4 and sum(k.endswith(".png") for k in outs[0]) == 4
    items = [json.loads(l) for l in (tmp_path / "e0" / "items.jsonl").read_text().splitlines()]
    assert {"prompt_i2v", "prompt_t2v", "state", "content_hash", "image", "video"} <= set(items[0])


@pytest.mark.parametrize("args,needle", [
    (["run", "--tasks", "mazes"], "maze.grid"),
    (["run", "--tasks", "maze.grid", "--skin", "neon-pink"], "classic"),
    (["run", "--model", "sora-9"], "oracle"),
    (["run", "--difficulty", "extreme"], "easy"),
    (["ls", "gadgets"], "tasks"),
    (["export", "chess"], "maze.grid"),
])
def test_unknown_names_exit_non_zero_and_say_what_exists(tmp_path, args, needle):
    r = cli.invoke(app, args + (["--out", str(tmp_path / "x")] if args[0] in ("run", "export") else []))
    assert r.exit_code != 0
    assert needle in r.output


def test_import_and_ls_do_not_import_torch():
    code = ("import sys, genbench, genbench.cli;"
            "from typer.testing import CliRunner; r=CliRunner().invoke(genbench.cli.app, ['ls','models']);"
            "r2=CliRunner().invoke(genbench.cli.app, ['ls','tasks']);"
            "assert r.exit_code == 0 and r2.exit_code == 0, r.output;"
            "print(sorted(m for m in ('torch','diffusers','transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
