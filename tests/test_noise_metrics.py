"""Noise is no agent: videos of noise never `reached` the goal, never pass, and VR-Bench's `mf` stays
in [0, 1] (it went to −56 when overlapping agent boxes were subtracted more than once)."""

import numpy as np
import pytest

from genbench import geometry
from genbench.runner import RunConfig, judge_video, run

from conftest import encode

SIZES = [(64, 64), (160, 96), (832, 480), (480, 832)]


def _noise_frames(rng, w, h, n, kind):
    if kind == "uniform":  # every pixel independent
        return [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for _ in range(n)]
    # blotchy: coarse noise upscaled, so blobs of agent or goal colour the size of a sprite appear
    return [np.kron(rng.integers(0, 256, (h // 8 + 1, w // 8 + 1, 3), dtype=np.uint8),
                    np.ones((8, 8, 1), np.uint8))[:h, :w] for _ in range(n)]


@pytest.mark.parametrize("w,h", SIZES)
@pytest.mark.parametrize("kind", ["uniform", "blotchy"])
def test_random_noise_never_reaches_never_passes(maze, tmp_path, w, h, kind):
    rng = np.random.default_rng(w * 7 + h)
    for item in maze.items("easy", 3, seed=0):
        fit = geometry.make_fit("letterbox", *item.canvas_size, w, h)
        path = encode(tmp_path / f"{item.index}.mp4", _noise_frames(rng, w, h, 24, kind), fps=8)
        v = judge_video(maze, item, path, fit)
        assert v.status == "ok" and not v.passed
        assert v.metrics["reached"] == 0.0 and v.metrics["sr"] == 0.0 and v.metrics["em"] == 0.0
        assert 0.0 <= v.metrics["mf"] <= 1.0


def test_tiny_wan2_noise_never_reaches(tmp_path):
    """The random-weight Wan pipeline (noise) on easy grid mazes: `reached` was 50% before."""
    res = run(RunConfig(tasks="maze.grid", models="tiny-wan2", out=str(tmp_path / "r"), limit=6,
                        difficulties="easy"), progress=False)
    (g,) = res["groups"]
    assert g["n"] == 6 and g["passed"] == 0
    assert g["metrics"]["reached"] == 0.0 and g["metrics"]["sr"] == 0.0
    assert 0.0 <= g["metrics"]["mf"] <= 1.0


def test_an_agent_walking_to_the_goal_still_reaches(maze, tmp_path):
    """The other side: the agent tracked along the solution reaches the goal."""
    item = maze.generate(0, "easy", 0)
    fit = geometry.make_fit("letterbox", *item.canvas_size, *item.canvas_size)
    frames = list(maze.solution_frames(item))
    v = judge_video(maze, item, encode(tmp_path / "o.mp4", frames, fps=maze.default_fps), fit)
    assert v.passed and v.metrics["reached"] == 1.0 and v.metrics["sr"] == 1.0 and v.metrics["mf"] > 0.95


@pytest.mark.parametrize("name", ["maze.hex", "maze.circular", "maze.irregular", "maze.trapfield", "maze.sokoban",
                                  "maze.multilevel", "maze.grid-draw"])
def test_noise_never_reaches_in_any_maze_family(tmp_path, name):
    from genbench.registry import task_family

    fam = task_family(name)
    rng = np.random.default_rng(1)
    item = fam.generate(0, "easy", 0)
    for w, h, kind in ((160, 96, "uniform"), (832, 480, "blotchy")):
        fit = geometry.make_fit("letterbox", *item.canvas_size, w, h)
        v = judge_video(fam, item, encode(tmp_path / f"{w}{kind}.mp4", _noise_frames(rng, w, h, 24, kind), fps=8), fit)
        assert v.status == "ok" and not v.passed and not v.metrics["reached"] and not v.metrics.get("sr")
        assert 0.0 <= v.metrics["mf"] <= 1.0
