"""maze.trapfield and maze.multilevel: determinism, levels, oracle on every skin, controls with their codes."""

import numpy as np
import pytest

from genbench import geometry
from genbench.registry import task_family
from genbench.runner import judge_video
from genbench.seeding import item_rng
from genbench.tasks.maze.grid_layout import bfs
from genbench.tasks.maze.multilevel import ML_LEVELS, ML_SKINS, MultiLevel
from genbench.tasks.maze.trapfield import TRAP_LEVELS, TRAP_SKINS, cell_adjacency
from genbench.validate import perturbations_for

from conftest import encode, fitted

DIFFS = ("easy", "medium", "hard")


def judge_clip(fam, item, name, tmp_path):
    p = next(p for p in perturbations_for(fam) if p.name == name)
    clip = p.make(fam, item, item_rng(0, fam.name, item.index, name))
    path = encode(tmp_path / f"{name}.mp4", clip.frames, clip.fps, crf=clip.crf)
    return judge_video(fam, item, path, clip.fit), p.expect


@pytest.fixture(scope="module")
def trap():
    return task_family("maze.trapfield")


@pytest.fixture(scope="module")
def ml():
    return task_family("maze.multilevel")


@pytest.mark.parametrize("name", ["maze.trapfield", "maze.multilevel"])
def test_determinism(name):
    fam = task_family(name)
    a, b = fam.generate(4, "hard", seed=2), fam.generate(4, "hard", seed=2)
    assert a.content_hash == b.content_hash and np.array_equal(a.first_frame, b.first_frame)
    assert fam.generate(4, "hard", seed=3).content_hash != a.content_hash


@pytest.mark.parametrize("difficulty", DIFFS)
def test_trapfield_levels(trap, difficulty):
    lv = TRAP_LEVELS[difficulty]
    items = list(trap.items(difficulty, 6, seed=0))
    assert len({trap.layout_key(i) for i in items}) == 6
    for it in items:
        s = it.state
        grid = np.array(s["grid"])
        C = s["cols"]
        adj = cell_adjacency(grid == 0)
        d = bfs(adj, s["goal"][0] * C + s["goal"][1])
        man = abs(s["goal"][0] - s["start"][0]) + abs(s["goal"][1] - s["start"][1])
        assert s["shortest_length"] >= lv.min_path and s["shortest_length"] - man >= lv.min_detour
        for sol in s["solutions"]:  # every stored solution is a shortest path over safe cells
            ids = [r * C + c for r, c in sol]
            assert all(grid[r, c] == 0 for r, c in sol) and len(ids) - 1 == s["shortest_length"]
            assert all(b in adj[a] and d[b] == d[a] - 1 for a, b in zip(ids, ids[1:]))
        assert s["skin"]["words"]["trap"] in it.prompt_i2v


@pytest.mark.parametrize("difficulty", DIFFS)
def test_multilevel_levels(ml, difficulty):
    lv = ML_LEVELS[difficulty]
    for it in ml.items(difficulty, 3, seed=0):
        s = it.state
        adj, ladders = MultiLevel.graph(s)
        per = s["brows"] * s["bcols"]
        assert s["floors"] == lv.floors and s["start"][0] == 0 and s["goal"][0] == lv.floors - 1
        assert s["shortest_length"] >= lv.min_path
        lad = {tuple(sorted(p)) for p in ladders}
        for sol in s["solutions"]:
            ids = [f * per + r * s["bcols"] + c for f, r, c in sol]
            assert all(b in adj[a] for a, b in zip(ids, ids[1:]))
            # floors change only along ladders
            assert all(a // per == b // per or tuple(sorted((a, b))) in lad for a, b in zip(ids, ids[1:]))
        assert "ladder" in it.prompt_i2v


@pytest.mark.parametrize("skin", list(TRAP_SKINS))
@pytest.mark.parametrize("difficulty", DIFFS)
def test_trapfield_oracle_every_skin(trap, tmp_path, skin, difficulty):
    it = trap.generate(1, difficulty, seed=0, skin=skin)
    v = judge_video(trap, it, encode(tmp_path / "o.mp4", trap.solution_frames(it)))
    assert v.passed and v.metrics["exact"] == 1.0 and v.metrics["em"] == 1.0, (v.failure, v.message)


@pytest.mark.parametrize("skin", list(ML_SKINS))
@pytest.mark.parametrize("difficulty", DIFFS)
def test_multilevel_oracle_every_skin(ml, tmp_path, skin, difficulty):
    it = ml.generate(1, difficulty, seed=0, skin=skin)
    v = judge_video(ml, it, encode(tmp_path / "o.mp4", ml.solution_frames(it)))
    assert v.passed and v.metrics["exact"] == 1.0, (v.failure, v.message)


@pytest.mark.parametrize("name", ["maze.trapfield", "maze.multilevel"])
def test_oracle_in_a_stretched_model_frame(name, tmp_path):
    fam = task_family(name)
    it = fam.generate(2, "medium", seed=0)
    fit = geometry.make_fit("stretch", *it.canvas_size, 832, 480)
    v = judge_video(fam, it, encode(tmp_path / "s.mp4", fitted(fam.solution_frames(it), fit)), fit)
    assert v.passed, v.message


@pytest.mark.parametrize("name,control", [
    ("maze.trapfield", "trap_step"), ("maze.trapfield", "stop_short"), ("maze.trapfield", "static"),
    ("maze.trapfield", "cut_to_final"), ("maze.trapfield", "backwards"),
    ("maze.multilevel", "no_ladder"), ("maze.multilevel", "wall_walk"), ("maze.multilevel", "stop_short"),
    ("maze.multilevel", "cut_to_final"), ("maze.multilevel", "backwards")])
def test_controls_fail_with_their_code(name, control, tmp_path):
    fam = task_family(name)
    it = fam.generate(3, "medium", seed=0)
    v, expect = judge_clip(fam, it, control, tmp_path)
    assert not v.passed and v.failure == expect, (control, v.failure, v.message)


def test_random_legal_walks_are_legal(trap, ml, tmp_path):
    for fam in (trap, ml):
        it = fam.generate(0, "easy", seed=4)
        v = judge_video(fam, it, encode(tmp_path / "r.mp4", fam.random_frames(it, item_rng(0, "r", 0))))
        assert v.metrics["legal"] == 1.0, (fam.name, v.message)
