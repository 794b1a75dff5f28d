"""A newcomer's first hour (issue 20): per-model --model-args, loud failures, clear messages, exports
trainers read, the `judge` command on a run's own videos."""

import csv
import json
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from genbench import registry
from genbench.cli import app

cli = CliRunner()


def _rows(out):
    return [json.loads(line) for line in (Path(out) / "samples.jsonl").read_text().splitlines()]


# --- 1. per-model --model-args ----------------------------------------------------------------------

def test_mixed_run_with_per_model_args(tmp_path):
    out = tmp_path / "r"
    r = cli.invoke(app, ["run", "--tasks", "maze.grid", "--model", "tiny-wan2,oracle,static", "--model-args",
                         "tiny-wan2:steps=1,oracle:crf=20", "--limit", "1", "--difficulty", "easy",
                         "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    cfg = {row["model"]: row["model_config"] for row in _rows(out)}
    assert set(cfg) == {"tiny-wan2", "oracle", "static"}
    assert cfg["tiny-wan2"]["steps"] == 1
    assert cfg["oracle"]["crf"] == 20 and cfg["static"]["crf"] == 18  # oracle:… reached the oracle only


def test_plain_model_args_go_to_the_models_that_take_them(tmp_path):
    out = tmp_path / "r"
    r = cli.invoke(app, ["run", "--tasks", "maze.grid", "--model", "tiny-wan2,oracle", "--model-args", "steps=1,fps=8",
                         "--limit", "1", "--difficulty", "easy", "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    cfg = {row["model"]: row["model_config"] for row in _rows(out)}
    assert cfg["tiny-wan2"]["steps"] == 1 and "steps" not in cfg["oracle"]
    assert cfg["oracle"]["fps"] == 8  # a key both take reaches both


@pytest.mark.parametrize("args,needles", [
    ("oracle:steps=1", ["oracle does not take 'steps'", "crf"]),  # names the model and what it takes
    ("nope=1", ["nope", "no model in this run takes it", "oracle takes"]),
    ("wan9:steps=1", ["'wan9' is not one of this run's models", "oracle, static"]),
])
def test_model_args_no_model_takes_are_named_before_any_work(tmp_path, args, needles):
    out = tmp_path / "r"
    r = cli.invoke(app, ["run", "--tasks", "maze.grid", "--model", "oracle,static", "--model-args", args,
                         "--limit", "1", "--difficulty", "easy", "--out", str(out), "--quiet"])
    assert r.exit_code == 2, r.output
    for needle in needles:
        assert needle in r.output
    assert "Traceback" not in r.output and not (out / "samples.jsonl").exists()


class _StrictArgs:
    """A user's model that takes **args and refuses what it does not know (with a TypeError)."""

    def __init__(self, **args):
        if args:
            raise TypeError(f"unexpected keyword argument {next(iter(args))!r}")


def test_a_model_that_rejects_a_plain_arg_is_named(tmp_path):
    registry.add("generator", "strict-test", _StrictArgs, "test only")
    try:
        r = cli.invoke(app, ["run", "--tasks", "maze.grid", "--model", "strict-test,oracle", "--model-args", "fps=8",
                             "--limit", "1", "--difficulty", "easy", "--out", str(tmp_path / "r"), "--quiet"])
    finally:
        registry._ENTRIES["generator"].pop("strict-test")
    assert r.exit_code == 2, r.output
    assert "strict-test rejected --model-args fps" in r.output and "unexpected keyword argument 'fps'" in r.output


def test_one_models_context_parallelism_counts_for_the_launch():
    from genbench.shards import context_parallel_degree

    assert context_parallel_degree({"tiny-wan2:parallel": "cp:2", "oracle:crf": 20}) == 2
    assert context_parallel_degree({"parallel": "cp:4"}) == 4 and context_parallel_degree({"steps": 1}) == 1


def test_split_model_args_keeps_a_models_own_value_over_the_plain_key():
    args = registry.split_model_args(["oracle", "static"], {"oracle:fps": 4, "fps": 8})
    assert args == {"oracle": {"fps": 4}, "static": {"fps": 8}}
    assert registry.accepted_args("tiny-wan2") >= {"steps", "fps"}
    assert "steps" not in registry.accepted_args("oracle")


# --- 6. failures are loud ----------------------------------------------------------------------------

class _AlwaysFails:
    def __init__(self, **args):
        from genbench.generators.baselines import Oracle

        self._inner = Oracle()
        self.name, self.kind, self.max_batch, self.fit_mode = "fails-test", "reference", 1, "letterbox"

    def config(self):
        return {"name": self.name}

    def frame_size(self, item):
        return item.canvas_size

    def timing(self, item, family):
        return None, family.default_fps

    def generate(self, requests, paths):
        raise RuntimeError("weights not found at /nowhere")

    def close(self):
        pass


def test_a_model_whose_every_generation_failed_exits_non_zero_with_the_reason(tmp_path):
    registry.add("generator", "fails-test", _AlwaysFails, "test only")
    try:
        r = cli.invoke(app, ["run", "--tasks", "maze.grid", "--model", "fails-test,oracle", "--limit", "2",
                             "--difficulty", "easy", "--out", str(tmp_path / "r"), "--quiet"])
        ok = cli.invoke(app, ["run", "--tasks", "maze.grid", "--model", "oracle", "--limit", "2",
                              "--difficulty", "easy", "--out", str(tmp_path / "r"), "--quiet"])
    finally:
        registry._ENTRIES["generator"].pop("fails-test")
    assert r.exit_code == 1, r.output
    assert "every generation of fails-test failed" in r.output and "weights not found at /nowhere" in r.output
    assert "every generation of oracle" not in r.output
    assert ok.exit_code == 0, ok.output  # a model that works (here: done before) exits 0


def test_diffusers_without_a_repo_is_a_message_not_a_traceback(tmp_path):
    r = cli.invoke(app, ["run", "--model", "diffusers", "--tasks", "maze.grid", "--limit", "1",
                         "--difficulty", "easy", "--out", str(tmp_path / "r"), "--quiet"])
    assert r.exit_code == 2
    assert "needs an argument after a colon" in r.output and "diffusers:ORG/REPO" in r.output
    assert "Traceback" not in r.output and r.exception is None or isinstance(r.exception, SystemExit)


def test_bad_canvas_says_so_once_and_exits_2(tmp_path):
    r = cli.invoke(app, ["export", "maze.grid", "--canvas", "832by480", "--out", str(tmp_path / "e")])
    assert r.exit_code == 2
    assert "WIDTHxHEIGHT" in r.output
    assert r.output.count("error:") == 1 and "error: 2" not in r.output


def test_messages_keep_their_closing_quotes(tmp_path):
    r = cli.invoke(app, ["run", "--tasks", "maze.grid", "--skin", "plaid", "--out", str(tmp_path / "r")])
    assert r.exit_code == 2
    assert "'plaid'" in r.output  # the quote after the name survives


def test_judge_accepts_the_layout_run_writes(tmp_path):
    out = tmp_path / "r"
    assert cli.invoke(app, ["run", "--tasks", "maze.grid", "--model", "oracle,static", "--limit", "2",
                            "--difficulty", "easy", "--out", str(out), "--quiet"]).exit_code == 0
    for model, rate in (("oracle", 1.0), ("static", 0.0)):
        res = cli.invoke(app, ["judge", "--tasks", "maze.grid", "--videos", str(out / "videos" / model),
                               "--out", str(tmp_path / f"j_{model}"), "--quiet"])
        assert res.exit_code == 0, res.output
        groups = json.loads((tmp_path / f"j_{model}" / "results.json").read_text())["groups"]
        assert [(g["n"], g["pass_rate"]) for g in groups] == [(2, rate)]
    # one level too high: the message names the folders that would work
    up = cli.invoke(app, ["judge", "--tasks", "maze.grid", "--videos", str(out / "videos"), "--out",
                          str(tmp_path / "j"), "--quiet"])
    assert up.exit_code == 2 and "models here: oracle, static" in up.output


# --- 5. exports trainers read ------------------------------------------------------------------------

def test_export_hf_loads_with_datasets_with_prompts(tmp_path):
    import datasets  # in the test extra: a missing one is a failure, not a skip
    out = tmp_path / "hf"
    r = cli.invoke(app, ["export", "maze.grid,puzzle.hanoi", "--limit", "2", "--difficulty", "easy",
                         "--format", "hf", "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    items = {json.loads(line)["id"]: json.loads(line) for line in (out / "items.jsonl").read_text().splitlines()}
    images = datasets.load_dataset("imagefolder", data_dir=str(out / "images"), split="train")
    assert len(images) == 4 and {"image", "prompt", "prompt_t2v", "state", "id"} <= set(images.column_names)
    for row in images:
        item = items[row["id"]]
        assert row["prompt"] == item["prompt_i2v"] and json.loads(row["state"]) == item["state"]
        assert row["image"].size == Image.open(out / item["image"]).size
    videos = datasets.load_dataset("videofolder", data_dir=str(out / "videos"), split="train")
    videos = videos.cast_column("video", datasets.Video(decode=False))
    assert sorted(videos["id"]) == sorted(items)
    for row in videos:
        assert row["prompt"] == items[row["id"]]["prompt_i2v"]
        assert Path(row["video"]["path"]).resolve() == (out / items[row["id"]]["video"]).resolve()


def test_export_diffsynth_writes_video_prompt_input_image(tmp_path):
    out = tmp_path / "ds"
    r = cli.invoke(app, ["export", "maze.grid", "--limit", "2", "--difficulty", "easy", "--format", "diffsynth",
                         "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    with open(out / "metadata.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    items = [json.loads(line) for line in (out / "items.jsonl").read_text().splitlines()]
    assert list(rows[0]) == ["video", "prompt", "input_image"] and len(rows) == len(items) == 2
    for row, item in zip(rows, items):
        assert (out / row["video"]).is_file() and (out / row["input_image"]).is_file()
        assert row["prompt"] == item["prompt_i2v"] and row["video"] == item["video"]
    bad = cli.invoke(app, ["export", "maze.grid", "--format", "diffsynth", "--no-videos", "--out", str(out / "x")])
    assert bad.exit_code == 2 and "drop --no-videos" in bad.output
    unknown = cli.invoke(app, ["export", "maze.grid", "--format", "webdataset", "--out", str(out / "y")])
    assert unknown.exit_code == 2 and "genbench, hf, diffsynth, vrbench" in unknown.output
    assert not (out / "y").exists()


# --- 3. a missing optional package names the extra that installs it -----------------------------------

def test_openai_judge_without_openai_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "openai", None)  # as if not installed
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    r = cli.invoke(app, ["run", "--tasks", "maze.grid", "--model", "oracle", "--limit", "1", "--difficulty", "easy",
                         "--judge", "openai:gpt-4o", "--out", str(tmp_path / "r"), "--quiet"])
    assert r.exit_code == 2, r.output
    assert 'pip install "genbench[judges]"' in r.output and "openai:gpt-4o" in r.output
    assert "Traceback" not in r.output


def test_require_passes_through_what_is_installed():
    from genbench.deps import MissingDependency, require

    assert require("json", "a test", "test").dumps([1]) == "[1]"
    with pytest.raises(MissingDependency, match=r'pip install "genbench\[models\]"'):
        require("genbench_no_such_package", "a test", "models")


# --- 6. long commands show progress --------------------------------------------------------------------

def test_validate_shows_a_progress_bar_over_the_clips_it_judges(tmp_path):
    from genbench.validate import planned_clips

    total = planned_clips("maze.grid", 1, ["easy"], ["classic"], None, rotate=2)
    assert total == 3  # the oracle and two perturbations in turn
    r = cli.invoke(app, ["validate", "--tasks", "maze.grid", "--limit", "1", "--difficulty", "easy", "--skin", "classic",
                         "--rotate", "2", "--max-frames", "72", "--out", str(tmp_path / "v")])
    assert r.exit_code == 0, r.output
    summary = json.loads((tmp_path / "v" / "validate.json").read_text())["summary"]
    assert summary["videos"] + summary["not_applicable"] == total
    bar_done = f" {total}/{total} 0:"  # the bar's last state: count, then elapsed time
    assert "validate" in r.output and bar_done in r.output
    quiet = cli.invoke(app, ["validate", "--tasks", "maze.grid", "--limit", "1", "--difficulty", "easy", "--skin",
                             "classic", "--rotate", "2", "--max-frames", "72", "--out", str(tmp_path / "v"), "--quiet"])
    assert quiet.exit_code == 0 and bar_done not in quiet.output


def test_import_vrbench_on_a_folder_without_vrbench_states_says_so(tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.png").write_bytes(b"not a state")
    out = tmp_path / "items.jsonl"
    r = cli.invoke(app, ["import", "vrbench", str(tmp_path / "photos"), "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert "no VR-Bench maze, trapfield, Sokoban, pathfinder or maze3d states found" in r.output and "states/*.json" in r.output
    assert not out.exists()  # nothing written


def test_ood_runs_the_families_that_have_it_and_says_which_skip_it(tmp_path):
    out = tmp_path / "r"
    r = cli.invoke(app, ["run", "--tasks", "maze.grid,maze.hex", "--difficulty", "ood", "--model", "oracle",
                         "--limit", "1", "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    assert "maze.grid has no ood difficulty: skipped" in r.output
    assert {(row["family"], row["difficulty"]) for row in _rows(out)} == {("maze.hex", "ood")}
    exp = cli.invoke(app, ["export", "maze.grid,maze.hex", "--difficulty", "easy,ood", "--limit", "1",
                           "--no-videos", "--out", str(tmp_path / "e"), "--quiet"])
    assert exp.exit_code == 0, exp.output
    assert json.loads(exp.output)["counts"] == {"maze.grid/easy": 1, "maze.hex/easy": 1, "maze.hex/ood": 1}
    none = cli.invoke(app, ["run", "--tasks", "maze.grid,maze.trapfield", "--difficulty", "ood",
                            "--out", str(tmp_path / "n"), "--quiet"])
    assert none.exit_code == 2 and "unknown difficulty 'ood'" in none.output and "known: easy, medium, hard" in none.output


# --- 8. task families from a user's own modules --------------------------------------------------------

LAB_FAMILY = '''
from genbench.registry import register
from genbench.tasks.maze.grid import GridMaze


@register("task", "lab.tinymaze", "A lab's own maze family (test).", group="lab")
class TinyMaze(GridMaze):
    name = "lab.tinymaze"
    difficulties = ("easy",)
'''


def test_include_path_registers_a_users_task_family(tmp_path):
    import subprocess
    import sys

    lab = tmp_path / "lab_tasks"
    lab.mkdir()
    (lab / "tinymaze.py").write_text(LAB_FAMILY)
    (lab / "_helper.py").write_text("raise RuntimeError('modules starting with _ are not imported')\n")
    genbench = [sys.executable, "-m", "genbench.cli", "--include-path", str(lab)]
    ls = subprocess.run(genbench + ["ls", "tasks"], capture_output=True, text=True, env=_env())
    assert ls.returncode == 0, ls.stderr
    assert "lab.tinymaze" in ls.stdout and "maze.grid" in ls.stdout
    out = tmp_path / "r"
    run = subprocess.run(genbench + ["run", "--tasks", "lab", "--model", "oracle,static", "--limit", "1",
                                     "--difficulty", "easy", "--out", str(out), "--quiet"],
                         capture_output=True, text=True, env=_env())
    assert run.returncode == 0, run.stderr
    rows = {r["model"]: r for r in _rows(out)}
    assert rows["oracle"]["item_id"] == "lab.tinymaze/easy/0000"
    assert rows["oracle"]["verdict"]["passed"] and not rows["static"]["verdict"]["passed"]
    # without the option the family is unknown; a missing folder is a clear error
    plain = subprocess.run([sys.executable, "-m", "genbench.cli", "ls", "tasks"], capture_output=True, text=True,
                           env=_env())
    assert "lab.tinymaze" not in plain.stdout
    bad = subprocess.run([sys.executable, "-m", "genbench.cli", "--include-path", str(tmp_path / "nope"), "ls"],
                         capture_output=True, text=True, env=_env())
    assert bad.returncode == 2 and "not a directory" in bad.stderr


def _env():
    import os

    return {**os.environ, "COLUMNS": "200"}


# --- 7. words ------------------------------------------------------------------------------------------

def test_maze_metric_is_goal_reached_held_and_old_results_read_with_it(tmp_path):
    import genbench
    from genbench.metrics import summarise

    out = tmp_path / "r"
    res = genbench.run("maze.grid", "oracle,jumpcut", out, limit=1, difficulties="easy")
    groups = {g["model"]: g for g in res["groups"]}
    assert groups["oracle"]["metrics"]["goal_reached_held"] == 1.0 and groups["oracle"]["pass_rate"] == 1.0
    # a cut to the answer is a teleport: no agent tracked from its start reached the goal
    assert groups["jumpcut"]["metrics"]["goal_reached_held"] == 0.0 and groups["jumpcut"]["pass_rate"] == 0.0
    for g in groups.values():
        assert "success" not in g["metrics"] and "goal_reached_held" in g["metrics_ci95"]
    # rows and results.json written before the rename
    old = json.loads((out / "results.json").read_text())
    for g in old["groups"]:
        for field in ("metrics", "metrics_ci95"):
            g[field]["success"] = g[field].pop("goal_reached_held")
    (out / "results.json").write_text(json.dumps(old))
    loaded = {g["model"]: g for g in genbench.load_results(out)["groups"]}
    assert loaded["oracle"]["metrics"]["goal_reached_held"] == 1.0 and "success" not in loaded["oracle"]["metrics"]
    assert "goal_reached_held" in loaded["oracle"]["metrics_ci95"]
    row = _rows(out)[0]
    row["verdict"]["metrics"]["success"] = row["verdict"]["metrics"].pop("goal_reached_held")
    assert summarise([row])["metrics"]["goal_reached_held"] == row["verdict"]["metrics"]["success"]
    # a puzzle's own "success" keeps its name
    assert "success" in summarise([{**row, "family": "puzzle.objects"}])["metrics"]


def test_maze_failures_name_rows_and_columns_not_node_ids(tmp_path):
    out = tmp_path / "r"
    assert cli.invoke(app, ["run", "--tasks", "maze.grid,maze.trapfield,maze.hex", "--model", "jumpcut,static",
                            "--limit", "1", "--difficulty", "easy", "--out", str(out), "--quiet"]).exit_code == 0
    messages = {(r["family"], r["model"]): r["verdict"]["message"] for r in _rows(out)}
    for fam in ("maze.grid", "maze.trapfield"):
        msg = messages[(fam, "jumpcut")]
        assert msg.startswith("jumped from row ") and ", column " in msg and "→" not in msg, msg
    # graph mazes have no rows: a node is named by where it is on the picture
    msg = messages[("maze.hex", "jumpcut")]
    assert msg.startswith("jumped from the cell ") and "% across and " in msg and "→" not in msg, msg


def test_report_labels_the_timeline_axis_and_lets_the_summary_wrap(tmp_path):
    from genbench.report import write_report

    out = tmp_path / "r"
    assert cli.invoke(app, ["run", "--tasks", "maze.grid", "--model", "static", "--limit", "1",
                            "--difficulty", "easy", "--out", str(out), "--quiet"]).exit_code == 0
    page = Path(write_report(out)).read_text()
    assert 'text-anchor="end">frame</text>' in page  # the timeline's x axis says what it counts
    # the summary can always shrink to the window: every cell may break anywhere, so its narrowest
    # width is one character per column (no sideways scrolling at 900 px)
    assert "<table class='summary'>" in page
    assert "table.summary td,table.summary th{overflow-wrap:anywhere" in page


def test_tables_print_full_names_when_not_a_terminal():
    r = cli.invoke(app, ["ls", "tasks"])
    assert r.exit_code == 0
    line = next(line for line in r.output.splitlines() if "maze.grid " in line)
    assert "Perfect grid mazes (backtracker / Kruskal / Wilson): move the agent to the goal." in line


def test_help_names_options_for_what_they_count():
    run_help = cli.invoke(app, ["run", "--help"], env={"COLUMNS": "200"}).output
    assert "--best-of" in run_help and "--limit" in run_help and " --n " not in run_help
    for cmd in ("export", "validate"):
        text = cli.invoke(app, [cmd, "--help"], env={"COLUMNS": "200"}).output
        assert "--limit" in text and " --n " not in text, cmd
    export_help = cli.invoke(app, ["export", "--help"], env={"COLUMNS": "200"}).output
    assert "--no-videos" in export_help and "--no-no-videos" not in export_help


# --- 4. the public Python API ----------------------------------------------------------------------------

def test_public_api_is_documented_and_light():
    import subprocess
    import sys

    import genbench

    for name in genbench.__all__:
        obj = getattr(genbench, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), f"genbench.{name} has no docstring"
    assert genbench.tpo.VideoTPO.__doc__
    with pytest.raises(TypeError, match="unknown run settings models_args"):
        genbench.run("maze.grid", "oracle", "unused", models_args={})
    with pytest.raises(AttributeError):
        genbench.no_such_name
    code = ("import sys, genbench; items = genbench.make_items('maze.grid', n=1); "
            "genbench.load_results; genbench.judge; "
            "print(sorted(m for m in ('torch', 'diffusers', 'transformers', 'openai') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_tiny_call_kwargs_are_what_a_pipeline_takes():
    import inspect

    from genbench.generators.tiny import TINY_DEFAULTS, TINY_KINDS, tiny_call_kwargs

    pytest.importorskip("diffusers")
    import diffusers

    for kind in TINY_KINDS:
        kw = tiny_call_kwargs(kind)
        assert "fps" not in kw and set(kw) == set(TINY_DEFAULTS[kind]) - {"fps"}
    takes = inspect.signature(diffusers.WanImageToVideoPipeline.__call__).parameters
    assert set(tiny_call_kwargs("wan2")) <= set(takes) and "fps" not in takes


# --- 9. dependencies as declared -------------------------------------------------------------------------

IMPORT_NAME = {"opencv-python-headless": "cv2", "pillow": "PIL", "import-linter": "importlinter"}


def _requirement_names(reqs):
    import re

    return [re.split(r"[<>=!\[; ]", r, maxsplit=1)[0].lower() for r in reqs]


def test_every_declared_dependency_is_imported_where_it_is_declared_for():
    import re

    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]

    def imported(package, folder):
        mod = IMPORT_NAME.get(package, package.replace("-", "_"))
        pattern = re.compile(rf"^\s*(import|from)\s+{re.escape(mod)}\b", re.M)
        return any(pattern.search(p.read_text(encoding="utf-8")) for p in (root / folder).rglob("*.py"))

    runtime = _requirement_names(project["dependencies"])
    assert "scikit-image" not in runtime and "networkx" not in runtime
    for package in runtime:
        assert imported(package, "genbench"), f"{package} is declared but genbench never imports it"
    # test-only packages are used by the tests (networkx is an independent reference there)
    for package in set(_requirement_names(project["optional-dependencies"]["test"])) - set(
            _requirement_names(project["optional-dependencies"]["models"])) - {"pytest", "openai"}:
        assert imported(package, "tests"), f"{package} is in the test extra but no test imports it"
