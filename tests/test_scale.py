"""Scaling out: slices (--shard K/N) and data-parallel launches give the same samples and results
as one process; killed slices lose nothing; a slice is written by one process at a time."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from genbench.cli import app
from genbench.runner import RunConfig, merge, run
from genbench.shards import parse_shard, slice_of
from genbench.store import RunStore, sample_files

ROOT = Path(__file__).resolve().parents[1]
BASE = ["--tasks", "maze.grid", "--difficulty", "easy", "--quiet"]


@pytest.fixture(autouse=True)
def _no_launcher(monkeypatch):
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(k, raising=False)


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def rows_by_key(out: Path) -> dict:
    """Every finished row of a run directory (all slice files), asserting no key is there twice."""
    seen: dict = {}
    for path in sample_files(out):
        for line in path.read_text().splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line of a killed process
            if row.get("done"):
                assert row["key"] not in seen, f"sample {row['key']} written twice"
                seen[row["key"]] = row
    return seen


def verdicts(out: Path) -> dict:
    return {k: {f: r["verdict"].get(f) for f in ("status", "passed", "failure", "first_error_frame", "metrics")}
            for k, r in rows_by_key(out).items()}


def groups(out: Path) -> list:
    return json.loads((out / "results.json").read_text())["groups"]


def one_process(tmp_path: Path, models: str, limit: int) -> Path:
    out = tmp_path / "single"
    run(RunConfig(tasks="maze.grid", models=models, out=str(out), limit=limit, difficulties="easy"), progress=False)
    return out


def test_slice_arithmetic():
    assert parse_shard(None) == (0, 1) and parse_shard("2/3") == (2, 3)
    for bad in ("3/3", "1", "-1/2", "a/b", "0/0"):
        with pytest.raises(ValueError, match="K/N"):
            parse_shard(bad)
    # 8 processes, 4 per model: 2 replicas; ranks 0-3 drive replica 0, only rank 0 writes
    s = [slice_of(0, 1, r, 8, 4) for r in range(8)]
    assert [x.index for x in s] == [0, 0, 0, 0, 1, 1, 1, 1] and {x.count for x in s} == {2}
    assert [x.writer for x in s] == [True, False, False, False, True, False, False, False]
    # --shard 1/3 on a 2-process launch: slices 2 and 3 of 6
    assert [(x.index, x.count) for x in (slice_of(1, 3, r, 2, 1) for r in range(2))] == [(2, 6), (3, 6)]
    units = list(range(20))
    taken = [u for k in range(6) for u in slice_of(k // 2, 3, k % 2, 2, 1).take(units)]
    assert sorted(taken) == units  # every unit exactly once
    with pytest.raises(ValueError, match="divisible"):
        slice_of(0, 1, 0, 6, 4)
    with pytest.raises(ValueError, match="torchrun"):
        slice_of(0, 1, 0, 1, 2)


def test_shards_then_merge_equal_one_process(tmp_path):
    single = one_process(tmp_path, "oracle,static,random-walk", 4)
    out = tmp_path / "split"
    for k in range(3):
        res = CliRunner().invoke(app, ["run", *BASE, "--model", "oracle,static,random-walk", "--limit", "4",
                                       "--out", str(out), "--shard", f"{k}/3"])
        assert res.exit_code == 0, res.output
    assert sorted(p.name for p in sample_files(out)) == [f"samples.shard-{k}-of-3.jsonl" for k in range(3)]
    assert verdicts(out) == verdicts(single) and len(verdicts(single)) == 12
    # the last slice to finish wrote the whole table; merge recomputes the same from any machine
    assert groups(out) == groups(single)
    (out / "results.json").unlink()
    res = CliRunner().invoke(app, ["merge", str(out)])
    assert res.exit_code == 0 and "merged 12/12" in res.output, res.output
    assert groups(out) == groups(single)
    assert json.loads((out / "results.json").read_text())["shards"]["complete"] is True


def test_an_unfinished_split_says_so(tmp_path):
    out = tmp_path / "half"
    res = CliRunner().invoke(app, ["run", *BASE, "--model", "oracle", "--limit", "4", "--out", str(out),
                                   "--shard", "0/2"])
    assert res.exit_code == 0, res.output
    sh = json.loads((out / "results.json").read_text())["shards"]
    assert sh == {"slices": 1, "samples": 4, "done": 2, "complete": False}
    res = CliRunner().invoke(app, ["merge", str(out)])
    assert "INCOMPLETE" in res.output


def test_slices_of_another_config_are_refused(tmp_path):
    out = tmp_path / "run"
    assert CliRunner().invoke(app, ["run", *BASE, "--model", "oracle", "--limit", "2", "--out", str(out),
                                    "--shard", "0/2"]).exit_code == 0
    res = CliRunner().invoke(app, ["run", *BASE, "--model", "oracle", "--limit", "3", "--out", str(out),
                                   "--shard", "1/2"])
    assert res.exit_code == 2 and "limit" in res.output and "different config" in res.output, res.output
    res = CliRunner().invoke(app, ["run", *BASE, "--model", "oracle", "--limit", "2", "--out", str(out),
                                   "--shard", "1/3"])
    assert res.exit_code == 2 and "2 slices" in res.output, res.output
    assert not (out / "samples.shard-1-of-2.jsonl").exists()


def test_a_slice_is_written_by_one_process_at_a_time(tmp_path):
    out = tmp_path / "run"
    holder = RunStore(out, shard="shard-0-of-2", lock=True)  # another process at work on slice 0
    try:
        res = CliRunner().invoke(app, ["run", *BASE, "--model", "oracle", "--limit", "2", "--out", str(out),
                                       "--shard", "0/2"])
        assert res.exit_code == 2 and "being written by pid" in res.output, res.output
        assert not (out / "samples.shard-0-of-2.jsonl").exists()
        # another slice of the same run is free
        res = CliRunner().invoke(app, ["run", *BASE, "--model", "oracle", "--limit", "2", "--out", str(out),
                                       "--shard", "1/2"])
        assert res.exit_code == 0, res.output
    finally:
        holder.close()
    res = CliRunner().invoke(app, ["run", *BASE, "--model", "oracle", "--limit", "2", "--out", str(out),
                                   "--shard", "0/2"])
    assert res.exit_code == 0, res.output


def test_killed_slices_lose_and_duplicate_nothing(tmp_path):
    models, limit = "oracle,static,random-walk", 5
    single = one_process(tmp_path, models, limit)
    out = tmp_path / "killed"
    rng = random.Random(7)
    cmd = lambda k: [sys.executable, "-m", "genbench", "run", *BASE, "--model", models, "--limit", str(limit),
                     "--out", str(out), "--shard", f"{k}/2"]
    kills = 0
    for attempt in range(3):  # kill -9 each slice at a random moment, several times
        for k in range(2):
            p = subprocess.Popen(cmd(k), env=_env(), cwd=tmp_path, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.8, 3.0))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                kills += 1
            p.wait()
    for k in range(2):  # then let both finish
        subprocess.run(cmd(k), env=_env(), cwd=tmp_path, check=True, stdout=subprocess.DEVNULL)
    assert kills > 0
    assert verdicts(out) == verdicts(single) and len(verdicts(single)) == 15  # rows_by_key: no duplicates
    assert groups(out) == groups(single)


def test_data_parallel_launch_equals_one_process(tmp_path):
    """`torchrun --nproc_per_node 2 -m genbench run …` (gloo on CPUs), with a real diffusers model."""
    pytest.importorskip("accelerate")
    models, limit = "oracle,static,tiny-wan2", 2
    single = one_process(tmp_path, models, limit)
    out = tmp_path / "dp"
    res = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "-m", "genbench",
                          "run", *BASE, "--model", models, "--limit", str(limit), "--out", str(out)],
                         env=_env(), cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    assert sorted(p.name for p in sample_files(out)) == ["samples.shard-0-of-2.jsonl", "samples.shard-1-of-2.jsonl"]
    assert all(p.stat().st_size > 0 for p in sample_files(out))  # both ranks did work
    assert verdicts(out) == verdicts(single) and len(verdicts(single)) == 6
    results = json.loads((out / "results.json").read_text())
    assert results["groups"] == groups(single)
    assert results["counts"]["generated"] == 6  # summed over ranks
    assert results["shards"]["complete"] is True
    logs = sorted(p.name for p in (out / "logs").iterdir())
    assert logs == ["shard-0-of-2.log", "shard-1-of-2.log"]


def test_context_parallel_configuration(tmp_path):
    """What a CPU can show: the option is parsed and checked, and refused with reasons where it cannot
    run (no launcher; a family without a context-parallel plan; no GPU). The split itself needs GPUs."""
    from genbench.generators.parallel import ContextParallelUnsupported, enable, parse

    assert parse("cp:4") == ("ring", 4) and parse("ulysses:2") == ("ulysses", 2)
    with pytest.raises(ValueError, match="cp:C"):
        parse("tp:2")
    res = CliRunner().invoke(app, ["run", *BASE, "--model", "tiny-wan2", "--limit", "1", "--out",
                                   str(tmp_path / "cp"), "--model-args", "parallel=cp:2"])
    assert res.exit_code == 2 and "torchrun" in res.output, res.output
    pytest.importorskip("diffusers")
    from genbench.generators.tiny import build_tiny_pipeline

    with pytest.raises(ContextParallelUnsupported, match="no context-parallel plan for CogVideoX"):
        enable(build_tiny_pipeline("cogvideox", "i2v"), "cp:2")
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(ContextParallelUnsupported, match="GPUs only"):
            enable(build_tiny_pipeline("wan2", "i2v"), "cp:2")
