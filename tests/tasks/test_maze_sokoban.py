"""maze.sokoban: solver, determinism, levels, and the push-by-push checker on both sides."""

import numpy as np
import pytest

from genbench import geometry
from genbench.registry import task_family
from genbench.runner import judge_video
from genbench.seeding import item_rng
from genbench.tasks.maze.sokoban import SOKO_LEVELS, SOKO_SKINS, replay
from genbench.tasks.maze.sokoban_solver import DIRS, solve
from genbench.validate import perturbations_for

from conftest import encode, fitted


@pytest.fixture(scope="module")
def fam():
    return task_family("maze.sokoban")


def judge_clip(fam, item, name, tmp_path):
    p = next(p for p in perturbations_for(fam) if p.name == name)
    clip = p.make(fam, item, item_rng(0, fam.name, item.index, name))
    path = encode(tmp_path / f"{name}.mp4", clip.frames, clip.fps, crf=clip.crf)
    return judge_video(fam, item, path, clip.fit), p.expect


def test_solver_counts_minimum_pushes_on_a_hand_made_room():
    free = np.zeros((3, 7), bool)
    free[1, 1:6] = True  # a corridor: player, box, then three cells to the target
    path, pushes = solve(free, (1, 1), [(1, 2)], [(1, 5)])
    assert pushes == 3 and path == [(1, 1), (1, 2), (1, 3), (1, 4)]
    assert solve(free, (1, 2), [(1, 1)], [(1, 5)]) is None  # the box is against the wall: no pull


def test_determinism_and_seeds(fam):
    a, b = fam.generate(3, "medium", seed=5), fam.generate(3, "medium", seed=5)
    assert a.content_hash == b.content_hash and np.array_equal(a.first_frame, b.first_frame)
    assert fam.generate(3, "medium", seed=6).content_hash != a.content_hash


@pytest.mark.parametrize("difficulty", ["easy", "hard"])
def test_levels_are_real_and_solutions_legal(fam, difficulty):
    lv = SOKO_LEVELS[difficulty]
    items = list(fam.items(difficulty, 4, seed=1))
    assert len({fam.layout_key(i) for i in items}) == 4
    for it in items:
        s = it.state
        free = np.array(s["grid"]) == 0
        assert len(s["boxes"]) == len(s["targets"]) == lv.boxes and s["min_pushes"] >= lv.min_pushes
        path = [tuple(p) for p in s["solution"]]
        track = replay(path, s["boxes"])
        for (a, b), before, after in zip(zip(path, path[1:]), track, track[1:]):
            d = (b[0] - a[0], b[1] - a[1])
            assert d in DIRS.values() and free[b]
            if before != after:  # a push: the box was where the player stepped and moves on by d
                assert b in before and (b[0] + d[0], b[1] + d[1]) in after and free[b[0] + d[0], b[1] + d[1]]
        assert sorted(track[-1]) == sorted(map(tuple, s["targets"]))
        assert sum(x != y for x, y in zip(track, track[1:])) == s["min_pushes"]
        assert s["skin"]["words"]["box"] in it.prompt_i2v and "row" in it.prompt_t2v


@pytest.mark.parametrize("skin", list(SOKO_SKINS))
@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_oracle_passes_every_skin_and_difficulty(fam, tmp_path, skin, difficulty):
    it = fam.generate(2, difficulty, seed=0, skin=skin)
    v = judge_video(fam, it, encode(tmp_path / "o.mp4", fam.solution_frames(it)))
    assert v.status == "ok" and v.passed, (v.failure, v.message)
    m = v.metrics
    assert m["optimal"] == 1.0 and m["pushes"] == it.state["min_pushes"] and m["sr"] == 1.0 and m["em"] == 1.0


def test_oracle_in_a_wide_model_frame(fam, tmp_path):
    it = fam.generate(4, "hard", seed=0)
    fit = geometry.make_fit("letterbox", *it.canvas_size, 832, 480)
    v = judge_video(fam, it, encode(tmp_path / "w.mp4", fitted(fam.solution_frames(it), fit)), fit)
    assert v.passed, v.message


def test_random_legal_play_breaks_no_rule(fam, tmp_path):
    for i in range(2):
        it = fam.generate(i, "easy", seed=3)
        frames = fam.random_frames(it, item_rng(0, "t", i))
        v = judge_video(fam, it, encode(tmp_path / f"r{i}.mp4", frames))
        assert v.metrics["legal"] == 1.0, v.message


@pytest.mark.parametrize("name,kind", [("pull", "pull"), ("push_into_wall", "push_into_wall"),
                                       ("box_alone", "box_alone"), ("wall_walk", None), ("stop_short", None),
                                       ("static", None), ("cut_to_final", None), ("backwards", None)])
def test_controls_fail_with_their_code(fam, tmp_path, name, kind):
    it = fam.generate(1, "hard", seed=0)
    v, expect = judge_clip(fam, it, name, tmp_path)
    assert not v.passed and v.failure == expect, (name, v.failure, v.message)
    if kind:
        assert v.evidence["events"][0]["kind"] == kind
