"""maze.grid: determinism, uniqueness, difficulty, and the checker on both sides of every line."""

import subprocess
import sys

import numpy as np
import pytest

from genbench import geometry
from genbench.runner import judge_video
from genbench.tasks.maze.grid import LEVELS
from genbench.tasks.maze.grid_layout import adjacency, bfs, walls_from_grid
from genbench.tasks.maze.skins import SKINS

from conftest import encode, fitted

DIFFS = ("easy", "medium", "hard")


def test_same_seed_same_item_and_different_seed_differs(maze):
    a, b = maze.generate(7, "medium", seed=3), maze.generate(7, "medium", seed=3)
    assert a.content_hash == b.content_hash and np.array_equal(a.first_frame, b.first_frame)
    assert maze.generate(7, "medium", seed=4).content_hash != a.content_hash
    assert maze.generate(8, "medium", seed=3).content_hash != a.content_hash


def test_item_bytes_identical_in_another_process(maze):
    code = ("from genbench.registry import task_family; import hashlib;"
            "it=task_family('maze.grid').generate(5,'hard',11);"
            "print(it.content_hash, hashlib.sha256(it.first_frame.tobytes()).hexdigest())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    import hashlib

    it = maze.generate(5, "hard", 11)
    assert out == [it.content_hash, hashlib.sha256(it.first_frame.tobytes()).hexdigest()]


@pytest.mark.parametrize("difficulty", DIFFS)
def test_levels_are_real(maze, difficulty):
    lv = LEVELS[difficulty]
    items = list(maze.items(difficulty, 12, seed=0))
    assert len({maze.layout_key(i) for i in items}) == 12  # unique layouts
    algos = set()
    for it in items:
        s = it.state
        assert (s["rows"], s["cols"]) == (lv.rows, lv.cols)
        assert s["shortest_length"] >= lv.min_path
        adj = adjacency(*walls_from_grid(np.array(s["grid"], np.uint8)))
        C = s["cols"]
        assert len(adj) == lv.rows * lv.cols and sum(map(len, adj)) // 2 == lv.rows * lv.cols - 1  # a tree
        d = bfs(adj, s["goal"][0] * C + s["goal"][1])
        for sol in s["solutions"]:  # every stored solution is a legal shortest path
            ids = [r * C + c for r, c in sol]
            assert ids[0] == s["start"][0] * C + s["start"][1] and len(ids) - 1 == s["shortest_length"]
            assert all(b in adj[a] and d[b] == d[a] - 1 for a, b in zip(ids, ids[1:]))
        algos.add(s["algorithm"])
        assert it.state["skin"]["words"]["agent"] in it.prompt_i2v
        assert "row" in it.prompt_t2v
    assert len(algos) >= 2


def test_unknown_difficulty_and_skin_are_clear(maze):
    with pytest.raises(ValueError, match="known: easy, medium, hard"):
        maze.generate(0, "extreme")
    with pytest.raises(ValueError, match="classic"):
        maze.generate(0, "easy", skin="nope")


@pytest.mark.parametrize("skin", [s for s in SKINS if not SKINS[s].hard])
@pytest.mark.parametrize("difficulty", DIFFS)
def test_oracle_video_passes_every_skin_and_difficulty(maze, tmp_path, skin, difficulty):
    it = maze.generate(1, difficulty, seed=2, skin=skin)
    path = encode(tmp_path / "o.mp4", maze.solution_frames(it))
    v = judge_video(maze, it, path)
    assert v.status == "ok", v.message
    m = v.metrics
    assert v.passed and m["goal_reached_held"] == m["legal"] == m["exact"] == m["optimal"] == 1.0, (v.failure, v.message)
    assert m["sr"] == 1.0 and m["pr"] >= 0.98 and m["em"] == 1.0 and abs(m["sd"]) <= 0.1
    assert v.evidence["cells"][0] == it.state["start"][0] * it.state["cols"] + it.state["start"][1]


def _frames_for(maze, it, plan):
    return list(maze.frames_at(it, plan))


def test_controls_fail_with_their_codes(maze, tmp_path):
    it = maze.generate(2, "medium", seed=0)
    n = sum(1 for _ in maze.solution_frames(it))
    cases = {
        "STATIC": [it.first_frame] * n,
        "TELEPORT": [it.first_frame] * (n // 2) + [maze.final_frame(it)] * (n - n // 2),
    }
    for code, frames in cases.items():
        v = judge_video(maze, it, encode(tmp_path / f"{code}.mp4", frames))
        assert not v.passed and v.failure == code, (code, v.failure, v.message)
    rng = np.random.default_rng(0)
    v = judge_video(maze, it, encode(tmp_path / "rw.mp4", maze.random_frames(it, rng)))
    assert not v.passed and v.metrics["legal"] == 1.0
    assert v.failure in ("GOAL_NOT_REACHED", "NOT_OPTIMAL", "GOAL_NOT_HELD")


def _walled_neighbour(it):
    """A cell next to the start with a wall in between."""
    s = it.state
    g = np.array(s["grid"])
    r, c = s["start"]
    for dr, dc in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        rr, cc = r + dr, c + dc
        if 0 <= rr < s["rows"] and 0 <= cc < s["cols"] and g[2 * r + 1 + dr, 2 * c + 1 + dc] == 1:
            return rr, cc
    return None


def test_wall_crossing_and_skipped_cells_fail(maze, tmp_path):
    it = next(i for i in maze.items("medium", 20, seed=1) if _walled_neighbour(i))
    start = tuple(it.state["start"])
    nb = _walled_neighbour(it)
    # walk smoothly through the wall, then stop
    plan = [start] * 6 + [(start[0] + (nb[0] - start[0]) * k / 12, start[1] + (nb[1] - start[1]) * k / 12)
                          for k in range(13)] + [nb] * 12
    v = judge_video(maze, it, encode(tmp_path / "wall.mp4", _frames_for(maze, it, plan)))
    assert v.failure == "WALL_CROSSING" and not v.passed, (v.failure, v.message)
    # jump two cells along the true solution in one frame
    sol = [tuple(p) for p in it.state["solutions"][0]]
    plan = [sol[0]] * 6 + [sol[2]] * 6 + sol[2:] + [sol[-1]] * 12
    v = judge_video(maze, it, encode(tmp_path / "skip.mp4", _frames_for(maze, it, plan)))
    assert v.failure == "TELEPORT" and not v.passed, (v.failure, v.message)


def test_reaching_then_leaving_and_detours_fail(maze, tmp_path):
    it = maze.generate(4, "easy", seed=0)
    sol = [tuple(p) for p in it.state["solutions"][0]]
    plan = []
    for a, b in zip(sol + sol[-2:-1], sol[1:] + sol[-2:-1]):  # reach the goal, step back off it
        plan += [(a[0] + (b[0] - a[0]) * k / 6, a[1] + (b[1] - a[1]) * k / 6) for k in range(6)]
    plan += [sol[-2]] * 12
    v = judge_video(maze, it, encode(tmp_path / "leave.mp4", _frames_for(maze, it, plan)))
    assert v.failure == "GOAL_NOT_HELD" and v.metrics["reached"] == 1.0


@pytest.mark.parametrize("size,mode", [((832, 480), "letterbox"), ((480, 832), "letterbox"),
                                        ((1280, 720), "stretch")])
def test_oracle_survives_model_canvases(maze, tmp_path, size, mode):
    it = maze.generate(3, "hard", seed=5)
    fit = geometry.make_fit(mode, *it.canvas_size, *size)
    path = encode(tmp_path / "fit.mp4", fitted(maze.solution_frames(it), fit))
    v = judge_video(maze, it, path, fit=fit)
    assert v.passed, (v.failure, v.message)
    # and the same for a static video in that canvas: still fails
    path = encode(tmp_path / "st.mp4", fitted([it.first_frame] * 48, fit))
    assert judge_video(maze, it, path, fit=fit).failure == "STATIC"


def test_oracle_survives_low_quality_and_low_fps(maze, tmp_path):
    from genbench.video import resample_indices

    for skin in ("classic", "night", "garden"):
        it = maze.generate(6, "hard", seed=1, skin=skin)
        frames = list(maze.solution_frames(it))
        idx = resample_indices(len(frames), 24, 8)
        path = encode(tmp_path / f"lq_{skin}.mp4", [frames[i] for i in idx], fps=8, crf=40)
        v = judge_video(maze, it, path)
        assert v.passed, (skin, v.failure, v.message)


def test_corrupt_and_empty_videos_are_error_verdicts(maze, tmp_path):
    it = maze.generate(0, "easy")
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "junk.mp4").write_bytes(b"\x00\x01junk" * 500)
    good = encode(tmp_path / "good.mp4", maze.solution_frames(it))
    (tmp_path / "cut.mp4").write_bytes(good.read_bytes()[: len(good.read_bytes()) // 3])
    for name in ("empty.mp4", "junk.mp4", "missing.mp4"):
        v = judge_video(maze, it, tmp_path / name)
        assert v.status == "error" and not v.passed and v.message, name
    v = judge_video(maze, it, tmp_path / "cut.mp4")  # truncated: judged on what decodes, or an error
    assert not v.passed
