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
                                       ("goal_moved", "target"),
                                       ("static", None), ("cut_to_final", None), ("backwards", None)])
def test_controls_fail_with_their_code(fam, tmp_path, name, kind):
    it = fam.generate(1, "hard", seed=0)
    v, expect = judge_clip(fam, it, name, tmp_path)
    assert not v.passed and v.failure == expect, (name, v.failure, v.message)
    if kind:
        assert v.evidence["events"][0]["kind"] == kind


def _spliced(fam, item, state_after):
    """The oracle, drawn from its middle frame on with ``state_after`` (same play, another layout)."""
    import dataclasses

    sol = [tuple(p) for p in item.state["solution"]]
    before = list(fam.frames_for(item, sol))
    after = list(fam.frames_for(dataclasses.replace(item, state=state_after), sol))
    return before[:len(before) // 2] + after[len(before) // 2:]


@pytest.mark.parametrize("skin", ["warehouse", "paper", "dusk", "dungeon"])
def test_targets_are_watched_both_ways(fam, tmp_path, skin):
    """A target marker that moves mid-video (validate's goal_moved), or one that appears on a floor cell
    nobody visits, is LAYOUT_CHANGED; the oracle, whose player walks over targets and whose boxes end on
    them (drawn over the marker, which shows round them), passes. Flat and textured skins."""
    it = fam.generate(1, "hard", seed=0, skin=skin)
    assert judge_video(fam, it, encode(tmp_path / "o.mp4", fam.solution_frames(it))).passed
    v, expect = judge_clip(fam, it, "goal_moved", tmp_path)
    assert not v.passed and v.failure == expect == "LAYOUT_CHANGED" and "vanished" in v.message, v.message
    s = it.state
    sol, track = [tuple(p) for p in s["solution"]], replay([tuple(p) for p in s["solution"]], s["boxes"])
    used = set(sol) | {tuple(b) for bx in track for b in bx} | {tuple(t) for t in s["targets"]}
    spare = next(tuple(map(int, c)) for c in np.argwhere(np.array(s["grid"]) == 0) if tuple(map(int, c)) not in used)
    extra = _spliced(fam, it, {**s, "targets": s["targets"] + [list(spare)]})
    v = judge_video(fam, it, encode(tmp_path / "extra.mp4", extra))
    assert not v.passed and v.failure == "LAYOUT_CHANGED" and "appeared" in v.message, v.message


def test_a_slow_one_move_push_reads_one_box_at_long_frame_counts(fam):
    """A 3×3 one-move room on the warehouse skin stretched to 121 and 161 frames (a push over ~100 frames,
    letterboxed into a preset's canvas) passes: the box's share per cell moves a working pixel at a time,
    and the box belongs to the cell that holds more of it (it once read as a second box appearing). A box
    really duplicated next to the resting one still fails."""
    from genbench.tasks.maze.sokoban import SokoGeom, SokoLevel, SokoSkin, render
    from genbench.validate import _preset

    it = next(x for x in (fam.generate(i, "easy", 0, "warehouse", config=SokoLevel(3, 3, 1, 0.0, 1)) for i in range(20))
              if x.state["shortest_length"] == 1)
    for n in (121, 161):
        clip = _preset(fam, it, 768, 512, n, 24.0)
        v = fam.check(it, list(clip.frames), clip.fit, clip.fps)
        assert v.passed, (n, v.failure, v.message)
    s = it.state
    end = replay([tuple(p) for p in s["solution"]], s["boxes"])[-1]
    player = tuple(s["solution"][-1])
    dup = next((b[0] + dr, b[1] + dc) for b in end for dr, dc in DIRS.values()
               if s["grid"][b[0] + dr][b[1] + dc] == 0 and (b[0] + dr, b[1] + dc) != player)
    frames = list(fam.solution_frames(it, num_frames=121))
    still = render(SokoGeom.from_json(s["geometry"]), np.array(s["grid"], bool), s["targets"],
                   SokoSkin.from_json(s["skin"]), end + [dup], player)
    frames[-24:] = [still] * 24  # the hold
    fit = geometry.make_fit("letterbox", *it.canvas_size, 768, 512)
    v = fam.check(it, fitted(frames, fit), fit, 24.0)
    assert not v.passed and v.failure == "LAYOUT_CHANGED" and "box appeared" in v.message, v.message
