"""Task configs: every family's difficulties are validated presets of its config dataclass;
`--task-args` overrides them, changes the item and its hash, and fails clearly on bad input."""

from __future__ import annotations

import json
from dataclasses import fields, replace

import numpy as np
import pytest
from typer.testing import CliRunner

from genbench import geometry
from genbench.cli import app
from genbench.registry import entries, task_family
from genbench.tasks.base import TaskFamily
from genbench.tasks.config import ConfigError, TaskConfig, configs_for, parse_task_args, split_task_args
from genbench.tasks.maze.grid import walls_from_grid

FAMILIES = list(entries("task"))


def _config_class(fam):
    return type(next(iter(fam.presets.values())))


def test_every_family_has_a_config_and_its_difficulties_are_its_presets():
    assert len(FAMILIES) >= 22
    for name in FAMILIES:
        fam = task_family(name)
        assert fam.name == name  # the name is stated once, in @register_task
        assert fam.presets, name
        assert tuple(fam.presets) == tuple(fam.difficulties), name
        cls = _config_class(fam)
        assert issubclass(cls, TaskConfig) and cls is not TaskConfig
        for d, preset in fam.presets.items():
            assert type(preset) is cls, (name, d)
            assert preset.validate(name) is preset
            assert fam.config(d) is preset and fam.config(d, {}) is preset


def _bad_value(cls):
    """A field and a value outside what it allows (above its bound, or not one of its choices)."""
    for f in fields(cls):
        m = f.metadata
        if m.get("hi") is not None:
            return f.name, m["hi"] + 1
        if m.get("choices"):
            return f.name, "no-such-choice"
    raise AssertionError(f"{cls.__name__} declares no bounded field")


@pytest.mark.parametrize("name", FAMILIES)
def test_a_bad_value_is_a_clear_error_naming_field_value_and_what_is_allowed(name):
    fam = task_family(name)
    key, value = _bad_value(_config_class(fam))
    with pytest.raises(ConfigError) as e:
        fam.config(fam.difficulties[0], {key: str(value)})
    msg = str(e.value)
    assert name in msg and f"{key}=" in msg and str(value) in msg and "not allowed" in msg
    # the same value put in by hand (not through text) fails the same way when generating
    preset = fam.presets[fam.difficulties[0]]
    bad = replace(preset, **{key: (value,) if isinstance(getattr(preset, key), tuple) else value})
    with pytest.raises(ConfigError, match=key):
        fam.generate(0, fam.difficulties[0], config=bad)


def test_errors_say_the_bound_and_check_cross_field_rules():
    grid = task_family("maze.grid")
    with pytest.raises(ConfigError, match=r"rows=1 is not allowed: must be an integer 2\.\.64"):
        grid.config("easy", {"rows": "1"})
    with pytest.raises(ConfigError, match="rows='twelve' is not allowed: expected an integer"):
        grid.config("easy", {"rows": "twelve"})
    with pytest.raises(ConfigError, match="a 3×3 maze has paths of at most 8 moves"):
        grid.config("easy", {"rows": "3", "cols": "3", "min_path": "9"})
    with pytest.raises(ConfigError, match="use one of backtracker, kruskal, wilson"):
        grid.config("easy", {"algorithms": "kruskal/prim"})
    with pytest.raises(ConfigError, match="low <= high"):
        task_family("puzzle.counting").config("easy", {"count": "6/2"})
    with pytest.raises(ConfigError, match="min_moves=9 is not allowed: it exceeds max_moves=7"):
        task_family("puzzle.sliding").config("easy", {"min_moves": "9"})
    with pytest.raises(ConfigError, match="algorithms='kruskal' is not allowed: expected values joined by '/'"):
        replace(grid.presets["easy"], algorithms="kruskal").validate()  # a tuple field given one text
    with pytest.raises(ConfigError, match="must be a Level"):  # another family's config
        grid.generate(0, "easy", config=task_family("puzzle.sudoku").presets["easy"])


def test_unknown_key_suggests_close_ones():
    with pytest.raises(ConfigError, match=r"no task arg 'rws'; did you mean rows\?.*takes: rows, cols"):
        task_family("maze.grid").config("easy", {"rws": "5"})
    with pytest.raises(ConfigError, match=r"unknown --task-args colz.*did you mean cols"):
        split_task_args(["maze.grid"], {"colz": "5"}, {"maze.grid": ["rows", "cols", "min_path"]})


def test_task_args_text_and_how_keys_are_shared_among_families():
    assert parse_task_args("rows=12, cols=12,maze.hex:size=3") == {"rows": "12", "cols": "12", "maze.hex:size": "3"}
    with pytest.raises(ConfigError, match="key=value"):
        parse_task_args("rows12")
    keys = {"maze.grid": ["rows", "cols"], "maze.trapfield": ["rows", "cols", "traps"], "maze.hex": ["size"]}
    fams = list(keys)
    got = split_task_args(fams, {"rows": "8", "maze.trapfield:rows": "5", "maze.hex:size": "3"}, keys)
    assert got == {"maze.grid": {"rows": "8"}, "maze.trapfield": {"rows": "5"}, "maze.hex": {"size": "3"}}
    with pytest.raises(ConfigError, match="'maze.sokoban' is not one of this run's task families"):
        split_task_args(fams, {"maze.sokoban:boxes": "2"}, keys)
    # per family and difficulty, validated up front: the family's own key wins
    cfgs = configs_for(["maze.grid", "maze.hex"], {"maze.grid": ["easy", "hard"], "maze.hex": ["easy"]},
                       {"rows": "7", "maze.grid:cols": "5"})
    assert (cfgs["maze.grid"]["easy"].rows, cfgs["maze.grid"]["easy"].cols) == (7, 5)
    assert cfgs["maze.grid"]["hard"].min_path == 22  # the rest comes from the difficulty's preset
    assert cfgs["maze.hex"]["easy"] is None  # no args for it: its preset, items as named
    with pytest.raises(ConfigError, match="maze.hex has no task arg 'rows'"):
        configs_for(["maze.hex"], {"maze.hex": ["easy"]}, {"maze.hex:rows": "3"})


def test_custom_config_changes_the_item_and_its_hash_and_is_recorded():
    grid = task_family("maze.grid")
    named = grid.generate(3, "easy")
    assert named.config is None and "config" not in named.to_json()
    same = grid.generate(3, "easy", config=grid.config("easy", {"rows": "4"}))  # equal to the preset
    assert same.content_hash == named.content_hash and same.config is None
    big = grid.generate(3, "easy", config=grid.config("easy", {"rows": "12", "cols": "12"}))
    grid_rows = np.array(big.state["grid"])
    assert big.state["rows"] == 12 and grid_rows.shape == (2 * 12 + 1, 2 * 12 + 1)
    assert big.config == {"rows": 12, "cols": 12, "min_path": 5, "algorithms": ["backtracker", "kruskal", "wilson"],
                          "loops": 0}
    assert big.content_hash != named.content_hash and big.id == named.id
    assert big.to_json()["config"] == big.config
    # the config is hashed: the same item with another recorded config has another hash
    assert replace(big, content_hash="", config={**big.config, "rows": 13}).content_hash != big.content_hash
    # and survives a round trip through JSON
    back = type(big).from_json(json.loads(json.dumps(big.to_json())), big.first_frame)
    assert back.config == big.config and back.compute_hash() == big.content_hash
    one = grid.generate(3, "easy", config=grid.config("easy", {"algorithms": "kruskal"}))
    assert one.state["algorithm"] == "kruskal"
    # loops open walls of the perfect maze: R·C − 1 passages plus one per loop
    loopy = grid.generate(3, "easy", config=grid.config("easy", {"rows": "12", "cols": "12", "loops": "2"}))
    h, v = walls_from_grid(np.array(loopy.state["grid"], np.uint8))
    assert int(h.sum() + v.sum()) == 12 * 12 - 1 + 2 and big.content_hash != loopy.content_hash
    with pytest.raises(ConfigError, match="a 3×3 maze has 4 walls that can open"):
        grid.config("easy", {"rows": "3", "cols": "3", "loops": "5"})


def test_python_api_takes_typed_task_args():
    import genbench

    items = genbench.make_items("maze.grid,maze.hex", n=2, task_args={"rows": 6, "maze.hex:size": 3})
    assert [i.state.get("rows", i.state.get("size")) for i in items] == [6, 6, 3, 3]
    assert items[0].config["rows"] == 6 and items[2].config["size"] == 3
    with pytest.raises(ConfigError, match="rows=1.5 is not allowed: expected an integer"):
        genbench.make_items("maze.grid", n=1, task_args={"rows": 1.5})


def test_fields_drive_generation_not_difficulty_names():
    counting = task_family("puzzle.counting")
    cfg = counting.config("easy", {"count": "12/12", "strip": "12", "radius": "8"})
    assert {counting.generate(i, "easy", config=cfg).state["puzzle"]["count"] for i in range(3)} == {12}
    sudoku = task_family("puzzle.sudoku")
    assert sudoku.generate(0, "easy", config=sudoku.presets["hard"]).state["n"] == 9
    sliding = task_family("puzzle.sliding")
    assert sliding.generate(0, "easy", config=sliding.config("easy", {"min_moves": "3", "max_moves": "3"})) \
        .state["optimal_moves"] == 3


@pytest.mark.parametrize("name", FAMILIES)
def test_hardest_preset_under_the_first_difficulty_makes_items_the_checker_judges(name):
    """Every family builds from its config: the hardest preset used as a custom config under the first
    difficulty gives an item that records it, whose ground truth passes and whose static video fails."""
    fam = task_family(name)
    first, last = fam.difficulties[0], fam.difficulties[-1]
    item = fam.generate(0, first, config=fam.presets[last])
    assert item.config == fam.presets[last].to_json() and item.difficulty == first
    fit = geometry.identity(*item.canvas_size)
    assert fam.check(item, fam.solution_frames(item), fit, fam.default_fps).passed
    frames = list(fam.solution_frames(item))
    static = [frames[0]] * len(frames)
    assert not fam.check(item, static, fit, fam.default_fps).passed


def test_a_family_written_before_configs_still_generates():
    class Old(TaskFamily):  # a lab's module: generate() without the config argument, no presets
        name = "lab.old"
        difficulties = ("easy",)

        def generate(self, index, difficulty="easy", seed=0, skin=None):
            return self.new_item(index, difficulty, seed, "a", "b", {"k": index}, np.zeros((4, 4, 3), np.uint8))

        def layout_key(self, item):
            return str(item.state["k"])

    assert [i.id for i in Old().items("easy", 2)] == ["lab.old/easy/0000", "lab.old/easy/0001"]
    with pytest.raises(ConfigError, match="lab.old has no task config"):
        Old().config("easy", {"rows": "3"})

    class NoPresets(Old):  # today's generate() shape, still without a config of its own
        def generate(self, index, difficulty="easy", seed=0, skin=None, config=None):
            rng, _, cfg = self.start_item(index, difficulty, seed, None, ("plain",), config)
            assert cfg is None
            return self.new_item(index, difficulty, seed, "a", "b", {"k": index}, np.zeros((4, 4, 3), np.uint8), cfg)

    assert NoPresets().generate(1).config is None
    with pytest.raises(ConfigError, match="no task config"):
        NoPresets().generate(1, config=task_family("maze.grid").presets["easy"])


def _run(args):
    return CliRunner().invoke(app, ["run", "--tasks", "maze.grid", "--model", "oracle", "--difficulty", "easy",
                                    "--limit", "2", "--quiet", *args])


def test_cli_run_with_task_args_passes_its_checker_and_never_reuses_other_args(tmp_path):
    out = str(tmp_path / "r")
    res = _run(["--task-args", "rows=7,cols=9", "--out", out])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in (tmp_path / "r" / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == 2 and all(r["verdict"]["passed"] for r in rows)
    assert all(r["task_config"]["rows"] == 7 and r["task_config"]["cols"] == 9 for r in rows)
    assert json.loads((tmp_path / "r" / "config.json").read_text())["task_args"] == {"rows": "7", "cols": "9"}
    again = _run(["--task-args", "rows=7,cols=9", "--out", out])
    assert "generated 0" in again.output and "skipped 2" in again.output
    other = _run(["--task-args", "rows=8,cols=9", "--out", out])  # other args: new items, nothing reused
    assert other.exit_code == 0 and "generated 2" in other.output and "skipped 0" in other.output
    bad = _run(["--task-args", "rows=99", "--out", str(tmp_path / "bad")])
    assert bad.exit_code == 2 and "rows=99 is not allowed: must be an integer 2..64" in bad.output
    assert not (tmp_path / "bad").exists()  # bad input writes nothing


def test_cli_export_with_task_args_records_the_config_and_judge_rebuilds_it(tmp_path):
    exp = tmp_path / "e"
    res = CliRunner().invoke(app, ["export", "maze.grid", "--limit", "1", "--difficulty", "easy", "--quiet",
                                   "--out", str(exp), "--task-args", "maze.grid:rows=5"])
    assert res.exit_code == 0, res.output
    (row,) = [json.loads(line) for line in (exp / "items.jsonl").read_text().splitlines()]
    assert row["config"]["rows"] == 5 and row["state"]["rows"] == 5
    # the items file carries the config: judging its videos rebuilds the very same (custom) item
    res = CliRunner().invoke(app, ["judge", "--videos", str(exp / "videos"), "--tasks", "maze.grid", "--items",
                                   str(exp / "items.jsonl"), "--out", str(tmp_path / "j"), "--quiet"])
    assert res.exit_code == 0, res.output
    (judged,) = [json.loads(line) for line in (tmp_path / "j" / "samples.jsonl").read_text().splitlines()]
    assert judged["item_hash"] == row["content_hash"] and judged["verdict"]["passed"]
    assert judged["task_config"] == row["config"]
    bad = CliRunner().invoke(app, ["export", "maze.grid", "--limit", "1", "--no-videos", "--quiet",
                                   "--out", str(tmp_path / "x"), "--task-args", "maze.grid:colz=5"])
    assert bad.exit_code == 2 and "did you mean cols?" in bad.output and not (tmp_path / "x").exists()
