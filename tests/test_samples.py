"""One sample-row builder (genbench.samples) for run, judge and the VR-Bench importer: the rows of
each have the same keys in the same order."""

import json
import shutil
from pathlib import Path

from genbench.judging import judge_dir
from genbench.runner import RunConfig, run
from genbench.samples import ROW_KEYS

JUDGE_ONLY = ["key", "gen_key", "done", "item_id", "family", "difficulty", "item_hash", "model", "mode", "candidate",
              "video", "verdict", "timings", "versions", "schema_version"]


def _rows(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]


def test_run_and_judge_rows_come_from_one_builder(tmp_path):
    run(RunConfig(tasks="maze.grid", models="oracle", difficulties="easy", limit=1, out=str(tmp_path / "r")),
        progress=False)
    (made,) = _rows(tmp_path / "r")
    # task_config is there only for a --task-args config, not a named difficulty's preset
    assert list(made) == [*(k for k in ROW_KEYS if k != "task_config"), "schema_version"]
    assert list(made["timings"]) == ["generate_s", "judge_s"]
    videos = tmp_path / "v" / "maze.grid" / "easy"
    videos.mkdir(parents=True)
    shutil.copy(tmp_path / "r" / made["video"], videos / "0000.mp4")
    judge_dir("maze.grid", tmp_path / "v", tmp_path / "j", progress=False)
    (judged,) = _rows(tmp_path / "j")
    assert list(judged) == JUDGE_ONLY and list(judged["timings"]) == ["judge_s"]
    shared = [k for k in JUDGE_ONLY if k not in ("key", "gen_key", "model", "video", "timings")]
    assert {k: judged[k] for k in shared} == {k: made[k] for k in shared}  # the same item, the same verdict
