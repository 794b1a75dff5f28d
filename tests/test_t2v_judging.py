"""Text-to-video judging of maze.grid through the layout reader: the oracle drawn and solved (judged
knowing only what the t2v prompt states) passes, also letterboxed, blurred and at CRF 40; static,
cut, teleport, wall-crossing and layout-changing videos fail with their codes; a maze of another size
fails the prompt's constraint; an unreadable layout is NOT_JUDGED, never a pass; other families' t2v
samples stay NOT_JUDGED; `genbench run/judge --mode t2v` go through it."""

import json

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from genbench import geometry
from genbench import validate as V
from genbench.checkers import GridMazePrompt, check_grid_maze_t2v
from genbench.cli import app
from genbench.registry import task_family
from genbench.runner import judge_video
from genbench.tasks.maze.grid import fit_plan
from genbench.video import write_video

FAM = task_family("maze.grid")
FPS = 16.0


def _model_frames(item, frames, size=(832, 480)):
    """Frames as a text-to-video model at ``size`` would show the maze drawn."""
    fit = geometry.make_fit("letterbox", *item.canvas_size, *size)
    return [geometry.apply(fit, f, geometry.border_colour(item.first_frame)) for f in frames]


def _judge(item, frames):
    return FAM.check_t2v(item, iter(frames), FPS)


def _wall_neighbour(item):
    """A cell next to the start with a wall between them."""
    s = item.state
    g, (r, c) = np.array(s["grid"]), s["start"]
    for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0)):
        r2, c2 = r + dr, c + dc
        if 0 <= r2 < s["rows"] and 0 <= c2 < s["cols"] and g[2 * r + 1 + dr, 2 * c + 1 + dc] == 1:
            return r2, c2
    pytest.skip("no walled neighbour of the start")


@pytest.mark.parametrize("difficulty,skin", [("easy", "classic"), ("medium", "night"), ("hard", "garden"),
                                             ("hard", "goal_tile")])
def test_the_oracle_passes_in_the_maze_it_drew_and_cheats_fail(difficulty, skin):
    item = FAM.generate(1, difficulty, skin=skin)
    gt = _model_frames(item, FAM.solution_frames(item, num_frames=81))
    v = _judge(item, gt)
    assert v.passed and v.status == "ok" and v.failure is None, v.message
    m = v.metrics
    assert (v.evidence["rows"], v.evidence["cols"]) == (item.state["rows"], item.state["cols"])
    assert m["prompt_followed"] == m["size_as_prompted"] == m["path_exists"] == 1.0
    assert m["start_as_prompted"] == m["goal_as_prompted"] == 1.0
    assert m["optimal"] == m["legal"] == m["exact"] == 1.0 and m["moves"] == m["shortest"] == item.state["shortest_length"]
    assert np.array_equal(v.evidence["grid"], item.state["grid"])  # the layout read is the one drawn

    static = _judge(item, [gt[0]] * len(gt))
    assert not static.passed and static.failure == "STATIC"
    cut = _judge(item, gt[:40] + [gt[-1]] * 41)
    assert not cut.passed and cut.failure == "TELEPORT" and cut.first_error_frame == 40
    skip = _judge(item, gt[:15] + gt[35:])  # frames left out: cells jumped
    assert not skip.passed and skip.failure == "TELEPORT"
    stop = _judge(item, gt[:20] + [gt[20]] * 61)
    assert not stop.passed and stop.failure == "GOAL_NOT_REACHED" and 0 < stop.score < 1
    through = [item.state["start"], _wall_neighbour(item)]
    wall = _judge(item, _model_frames(item, FAM.frames_at(item, fit_plan([tuple(p) for p in through], 40, FPS))))
    assert not wall.passed and wall.failure == "WALL_CROSSING" and wall.metrics["legal"] == 0.0


def test_a_longer_route_is_not_optimal_and_a_changed_wall_is_a_changed_layout():
    item = FAM.generate(0, "medium", skin="classic")
    s = item.state
    path = [tuple(p) for p in s["solutions"][0]]
    # a detour: one step into a dead end off the route and back (a legal but longer route)
    open_next = lambda a, b: np.array(s["grid"])[a[0] + b[0] + 1, a[1] + b[1] + 1] == 0  # noqa: E731
    detour = None
    for k, (r, c) in enumerate(path[:-1]):
        for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0)):
            n = (r + dr, c + dc)
            if (0 <= n[0] < s["rows"] and 0 <= n[1] < s["cols"] and n not in path
                    and open_next((r, c), n)):
                detour = path[:k + 1] + [n] + path[k:]
                break
        if detour:
            break
    assert detour, "a medium maze has a side corridor off its route"
    v = _judge(item, _model_frames(item, FAM.frames_at(item, fit_plan(detour, 81, FPS))))
    assert not v.passed and v.failure == "NOT_OPTIMAL" and v.metrics["goal_reached_held"] == 1.0
    assert v.metrics["moves"] == v.metrics["shortest"] + 2

    # a wall off the route erased from frame 30 on: the maze read later differs from the first frame's
    g = np.array(s["grid"])
    geom = s["geometry"]
    pitch, wall = geom["cell_px"] + geom["wall_px"], geom["wall_px"]
    by, bx = next((y, x) for y in range(1, g.shape[0] - 1, 2) for x in range(2, g.shape[1] - 1, 2)
                  if g[y, x] == 1)
    x0, y0 = (bx // 2) * pitch, (by // 2) * pitch + wall
    floor = tuple(int(v) for v in item.first_frame[y0 + geom["cell_px"] // 2, x0 + wall + 2])
    frames = list(FAM.solution_frames(item, num_frames=81))
    for f in frames[30:]:
        f[y0:y0 + geom["cell_px"], x0:x0 + wall] = floor
    v = _judge(item, _model_frames(item, frames))
    assert not v.passed and v.failure == "LAYOUT_CHANGED" and 30 <= v.first_error_frame <= 40, v.message


def test_a_maze_of_another_size_fails_the_prompt_yet_its_path_is_judged():
    item = FAM.generate(2, "easy", skin="classic")
    gt = _model_frames(item, FAM.solution_frames(item, num_frames=61))
    s = item.state
    asked = GridMazePrompt(s["rows"] + 2, s["cols"] + 1, tuple(s["start"]), tuple(s["goal"]))
    v = check_grid_maze_t2v(iter(gt), asked, FPS)
    assert not v.passed and v.failure == "LAYOUT_MISMATCH" and v.first_error_frame == 0
    assert f"asks for a {s['rows'] + 2}×{s['cols'] + 1} maze" in v.message
    assert v.metrics["size_as_prompted"] == 0.0 and v.metrics["path_exists"] == 1.0
    assert v.metrics["exact"] == 1.0  # the path itself was right, in the maze drawn
    moved = GridMazePrompt(s["rows"], s["cols"], tuple(s["goal"]), tuple(s["start"]))  # start and goal swapped
    v = check_grid_maze_t2v(iter(gt), moved, FPS)
    assert v.passed and v.metrics["start_as_prompted"] == v.metrics["goal_as_prompted"] == 0.0  # reported only


def test_a_drawn_maze_with_no_path_to_the_goal_fails_the_prompt():
    item = FAM.generate(0, "easy", skin="classic")
    s = item.state
    g, geom = np.array(s["grid"]), s["geometry"]
    pitch, wall, cell = geom["cell_px"] + geom["wall_px"], geom["wall_px"], geom["cell_px"]
    f = item.first_frame.copy()
    gr, gc = s["goal"]
    wall_rgb = tuple(int(v) for v in f[0, 0])
    for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0)):  # wall the goal in
        y, x = 2 * gr + 1 + dr, 2 * gc + 1 + dc
        if g[y, x] == 0:
            ys = (y // 2) * pitch + (wall if y % 2 else 0)
            xs = (x // 2) * pitch + (wall if x % 2 else 0)
            f[ys:ys + (cell if y % 2 else wall), xs:xs + (cell if x % 2 else wall)] = wall_rgb
    v = _judge(item, _model_frames(item, [f] * 30))
    assert not v.passed and v.failure == "LAYOUT_MISMATCH" and v.metrics["path_exists"] == 0.0
    assert "no path" in v.message


@pytest.mark.parametrize("name", ["letterbox_832x480", "blur", "crf40"])
def test_the_oracle_passes_under_the_perturbations_the_reader_supports(name, tmp_path):
    p = next(p for p in V.perturbations_for(FAM) if p.name == name)
    for k, skin in enumerate(("classic", "night", "thin_walls")):
        item = FAM.generate(k, ("easy", "medium", "hard")[k], skin=skin)
        clip = p.make(FAM, item, np.random.default_rng(k))
        path = tmp_path / f"{k}.mp4"
        write_video(path, clip.frames, clip.fps, crf=clip.crf)
        v = judge_video(FAM, item, path, mode="t2v")
        assert v.passed, (name, skin, v.failure, v.message)
        stat = tmp_path / f"{k}_static.mp4"
        write_video(stat, [item.first_frame] * 30, clip.fps, crf=clip.crf)
        assert judge_video(FAM, item, stat, mode="t2v").failure == "STATIC"


def test_an_unreadable_layout_is_not_judged_never_a_pass(tmp_path):
    item = FAM.generate(0, "easy")
    rng = np.random.default_rng(0)
    noise = [rng.integers(0, 256, (480, 832, 3), dtype=np.uint8) for _ in range(8)]
    blank = [np.full((480, 832, 3), 90, np.uint8)] * 8
    hanoi = task_family("puzzle.hanoi").generate(0, "easy")
    photo = cv2.resize(cv2.GaussianBlur(rng.integers(0, 256, (30, 52, 3), dtype=np.uint8), (0, 0), 1.5), (832, 480),
                       interpolation=cv2.INTER_CUBIC)  # smooth blobs of colour
    hexagonal = task_family("maze.hex").generate(0, "medium").first_frame
    for frames in (noise, blank, [hanoi.first_frame] * 8, [photo] * 8, [hexagonal] * 8):
        v = _judge(item, frames)
        assert v.status == "error" and v.failure == "NOT_JUDGED" and not v.passed, v
        assert v.message.startswith("text-to-video maze not judged: ")
    no_markers = item.first_frame.copy()
    no_markers[...] = FAM.final_frame(item)  # the agent on the goal: one marker only
    v = _judge(item, [no_markers] * 8)
    assert v.failure == "NOT_JUDGED" and "markers" in v.message


def test_run_and_judge_mode_t2v_judge_maze_grid_and_leave_other_families_not_judged(tmp_path):
    cli = CliRunner()
    out = tmp_path / "run"
    r = cli.invoke(app, ["run", "--tasks", "maze.grid,puzzle.hanoi", "--model", "oracle,static,jumpcut", "--mode", "t2v",
                         "--limit", "1", "--difficulty", "easy", "--out", str(out),
                         "--model-args", "width=832,height=480,num_frames=49,fps=16", "--quiet"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in (out / "samples.jsonl").read_text().splitlines()]
    got = {(x["family"], x["model"]): x["verdict"] for x in rows}
    assert got[("maze.grid", "oracle")]["passed"] and got[("maze.grid", "oracle")]["checker"] == "maze-reader"
    assert got[("maze.grid", "static")]["failure"] == "STATIC"
    assert got[("maze.grid", "jumpcut")]["failure"] == "TELEPORT"
    for model in ("oracle", "static", "jumpcut"):
        assert got[("puzzle.hanoi", model)]["failure"] == "NOT_JUDGED"
    groups = {(g["family"], g["model"]): g for g in json.loads((out / "results.json").read_text())["groups"]}
    assert all(g["mode"] == "t2v" for g in groups.values())
    oracle = groups[("maze.grid", "oracle")]
    assert (oracle["n"], oracle["passed"], oracle["not_judged"]) == (1, 1, 0)
    assert oracle["metrics"]["prompt_followed"] == oracle["metrics"]["size_as_prompted"] == 1.0
    assert (groups[("puzzle.hanoi", "oracle")]["n"], groups[("puzzle.hanoi", "oracle")]["not_judged"]) == (0, 1)

    judged = tmp_path / "judged"
    r = cli.invoke(app, ["judge", "--tasks", "maze.grid", "--videos", str(out / "videos" / "oracle"), "--mode", "t2v",
                         "--out", str(judged), "--quiet"])
    assert r.exit_code == 0, r.output
    (row,) = [json.loads(x) for x in (judged / "samples.jsonl").read_text().splitlines()]
    assert row["mode"] == "t2v" and row["verdict"]["passed"] and row["verdict"]["checker"] == "maze-reader"
    r = cli.invoke(app, ["judge", "--tasks", "maze.grid", "--videos", str(out / "videos" / "oracle"), "--mode", "x2v",
                         "--out", str(tmp_path / "bad")])
    assert r.exit_code != 0 and "unknown mode" in r.output


def test_t2v_samples_are_keyed_by_the_t2v_checker_so_a_new_one_rejudges_them(tmp_path, monkeypatch):
    """A t2v sample's resume key names the checker that judged it (maze-reader), not the i2v one: a new
    maze-reader version re-judges old t2v samples, a new trajectory version leaves them alone."""
    import genbench.checkers.maze_t2v as T
    from genbench.runner import RunConfig, run

    assert FAM.checker_for("t2v") == (T.CHECKER, T.VERSION) != FAM.checker_for("i2v")
    assert task_family("puzzle.hanoi").checker_for("t2v") == task_family("puzzle.hanoi").checker_for("i2v")
    out = tmp_path / "run"

    def keys(mode):
        cfg = RunConfig(tasks="maze.grid", models="oracle", out=str(out), limit=1, difficulties="easy", mode=mode,
                        model_args={"width": 416, "height": 240, "num_frames": 33, "fps": 16})
        run(cfg, progress=False)
        return [json.loads(x)["key"] for x in (out / "samples.jsonl").read_text().splitlines()]

    first = keys("t2v")
    assert len(first) == 1 and keys("t2v") == first  # resumed, not judged again
    monkeypatch.setattr(FAM, "checker_version", "99")  # the i2v checker changes: t2v samples stay judged
    assert keys("t2v") == first
    monkeypatch.setattr(T, "VERSION", "99")  # the t2v checker changes: the sample is judged again
    again = keys("t2v")
    assert len(again) == 2 and again[0] == first[0] and again[1] != first[0]


def test_a_floor_patch_clipped_to_white_is_no_marker_and_an_agent_unseen_for_frames_is_bridged():
    """Two things compression does to a near-white floor and a small agent: a flat patch of floor clipped
    to pure white (a lighter shade of the floor, no marker: it flickers about, and was taken for the agent,
    a teleport), and the agent lost for a few frames while it moves on (it reappears along open passages,
    one move per frame: legal). The same agent reappearing far away after a gap, or a cut, still fails."""
    item = FAM.generate(1, "hard", skin="goal_tile")
    gt = _model_frames(item, FAM.solution_frames(item, num_frames=81))
    geom, s = item.state["geometry"], item.state
    fit = geometry.make_fit("letterbox", *item.canvas_size, 832, 480)
    cell = int(geom["cell_px"] * fit.scale_x)
    side = int(0.6 * cell)
    used = {tuple(p) for sol in s["solutions"] for p in sol}
    free = [(r, c) for r in range(s["rows"]) for c in range(s["cols"]) if (r, c) not in used]
    patched = []
    for k, f in enumerate(gt):  # a white patch in a cell off the route, a different one every frame
        f = f.copy()
        r, c = free[(7 * k) % len(free)]
        x = int(fit.offset_x + (geom["wall_px"] + c * (geom["cell_px"] + geom["wall_px"])) * fit.scale_x) + 2
        y = int(fit.offset_y + (geom["wall_px"] + r * (geom["cell_px"] + geom["wall_px"])) * fit.scale_y) + 2
        f[y:y + side, x:x + side] = 255
        patched.append(f)
    v = _judge(item, patched)
    assert v.passed, (v.failure, v.message)

    agent = np.array(item.state["skin"]["agent"], np.int32)
    floor = np.array(item.state["skin"]["floor"], np.uint8)

    def unseen(frames, lo, hi):  # the agent painted out (floor) on frames lo..hi-1
        out = [f.copy() for f in frames]
        for f in out[lo:hi]:
            f[np.abs(f.astype(np.int32) - agent).sum(-1) < 120] = floor
        return out

    track = _judge(item, gt).evidence["cells"]
    lo = next(t for t in range(20, 60) if track[t] != track[t - 1])  # the agent has just stepped on
    gap = unseen(gt, lo, lo + 3)
    assert _judge(item, gap).passed
    far = unseen(gt[:lo] + gt[lo + 12:], lo, lo + 3)  # gone for 3 frames, back ~5 cells on: a jump
    v = _judge(item, far)
    assert not v.passed and v.failure == "TELEPORT", (v.failure, v.message)


def _erase_wall_off_route(item, frames, start):
    """A wall between two cells erased from frame ``start`` on (canvas frames)."""
    s, geom = item.state, item.state["geometry"]
    g = np.array(s["grid"])
    pitch, wall = geom["cell_px"] + geom["wall_px"], geom["wall_px"]
    by, bx = next((y, x) for y in range(3, g.shape[0] - 3, 2) for x in range(4, g.shape[1] - 4, 2) if g[y, x] == 1)
    x0, y0 = (bx // 2) * pitch, (by // 2) * pitch + wall
    floor = tuple(int(v) for v in item.first_frame[y0 + geom["cell_px"] // 2, x0 + wall + 2])
    for f in frames[start:]:
        f[y0:y0 + geom["cell_px"], x0:x0 + wall] = floor
    return frames


def test_a_maze_the_camera_pushes_past_the_frame_edge_passes_and_an_erased_wall_inside_still_fails():
    """A zoom and pan growing over the clip push a maze that fills the frame past its edge: the outer wall
    and the last row or column there are out of view, so the reader guesses them; they are not compared.
    A wall erased inside the maze under the same camera is still a changed layout."""
    item = FAM.generate(0, "hard", skin="thin_walls")
    rng = np.random.default_rng(0)
    gt = list(FAM.solution_frames(item, num_frames=72))
    v = _judge(item, V.camera_motion(gt, rng, **V.DRIFT))
    assert v.passed, (v.failure, v.message)
    erased = _erase_wall_off_route(item, [f.copy() for f in gt], 24)
    v = _judge(item, V.camera_motion(erased, rng, **V.DRIFT))
    assert not v.passed and v.failure == "LAYOUT_CHANGED", (v.failure, v.message)


def _agent_mask(item, f):
    agent = np.array(item.state["skin"]["agent"], np.int32)
    return np.abs(f.astype(np.int32) - agent).sum(-1) < 120


def test_a_small_agent_over_the_goal_reading_as_neither_colour_still_reaches_it():
    """At CRF 40 a small red agent over a green goal blends into a colour that is neither's (chroma
    subsampling): it is unseen there, yet the goal's cell shows something drawn over it. That is the agent
    arriving, when it walked there; the same blend after a cut from mid-route is a teleport, and an agent
    that vanishes before the goal with the goal's cell untouched never reached it."""
    item = FAM.generate(0, "hard", skin="small_agent")
    gt = _model_frames(item, FAM.solution_frames(item, num_frames=81))
    track = _judge(item, gt).evidence["cells"]
    goal = list(item.state["goal"])
    # what 4:2:0 chroma subsampling makes of it: the agent's brightness, the two colours' hues averaged
    ycc = cv2.cvtColor(np.array([[item.state["skin"]["agent"], item.state["skin"]["goal"]]], np.uint8),
                       cv2.COLOR_RGB2YCrCb)[0].astype(np.float32)
    mix = cv2.cvtColor(np.array([[[ycc[0, 0], *(ycc[:, 1:].mean(0))]]], np.uint8), cv2.COLOR_YCrCb2RGB)[0, 0]

    def blended(frames):  # the agent over the goal drawn in the mix of both colours
        out = [f.copy() for f in frames]
        for f, cell in zip(out, _judge(item, frames).evidence["cells"]):
            if cell == goal:
                f[_agent_mask(item, f)] = mix
        return out

    v = _judge(item, blended(gt))
    assert v.passed, (v.failure, v.message)
    cut = blended(gt[:30] + [gt[-1]] * 51)
    v = _judge(item, cut)
    assert not v.passed and v.failure == "TELEPORT", (v.failure, v.message)
    floor = np.array(item.state["skin"]["floor"], np.uint8)
    arrive = track.index(goal)
    gone = [f.copy() for f in gt]
    for f in gone[arrive - 2:]:  # the agent painted out one step short of the goal, and after
        f[_agent_mask(item, f)] = floor
    v = _judge(item, gone)
    assert not v.passed and v.failure == "GOAL_NOT_REACHED", (v.failure, v.message)



def _clip_frames(name, item, tmp_path):
    """The must-pass clip ``name`` of validate, encoded and decoded as a model's video would be."""
    from genbench.video import read_frames

    p = next(p for p in V.perturbations_for(FAM) if p.name == name)
    token = V.BUDGET.set(72)  # as bench_maze_reader.py renders them: ~3 frames a move
    try:
        clip = p.make(FAM, item, np.random.default_rng(0))
        frames = list(clip.frames)
    finally:
        V.BUDGET.reset(token)
    path = tmp_path / f"{name}.mp4"
    write_video(path, frames, clip.fps, crf=clip.crf, preset=clip.preset)
    return list(read_frames(path))


@pytest.mark.parametrize("name", ["motion_blur", "ghosting"])
def test_a_smeared_agent_is_followed_and_a_smeared_cut_or_skip_still_fails(name, tmp_path):
    """Under motion blur (60% of the sprite where it is now) or ghosting (75%) the moving agent never
    shows its own colour; it is read by its mixes with the floor at least halfway to it, so the oracle
    passes. A cut to the answer or frames left out, smeared the same way, still jump cells."""
    item = FAM.generate(0, "hard", skin="classic")
    frames = _clip_frames(name, item, tmp_path)
    v = _judge(item, frames)
    assert v.passed, (v.failure, v.message)
    assert v.metrics["moves"] == item.state["shortest_length"]
    half = len(frames) // 2
    v = _judge(item, frames[:half] + [frames[-1]] * (len(frames) - half))
    assert not v.passed and v.failure == "TELEPORT", (v.failure, v.message)
    n = len(frames)
    v = _judge(item, frames[:n // 4] + frames[n // 2:])  # a quarter of the walk left out: cells jumped
    assert not v.passed and v.failure == "TELEPORT", (v.failure, v.message)
    v = _judge(item, [frames[0]] * len(frames))
    assert not v.passed and v.failure == "STATIC"


def test_a_pale_agent_at_crf40_passes_and_its_stale_copies_are_no_jump_back(tmp_path):
    """A pale pink agent on light grey at CRF 40: the codec draws it at a part of its colour, or not at
    all, and leaves a copy of it flickering on the start cell long after it left. Those copies are not
    the agent jumping back; the agent really jumping back to a cell it had left (no copy seen there) is a
    teleport, and a cut to the answer is one too."""
    item = FAM.generate(0, "hard", skin="agent_near_floor")
    frames = _clip_frames("crf40", item, tmp_path)
    v = _judge(item, frames)
    assert v.passed, (v.failure, v.message)
    track = v.evidence["cells"]
    start = list(item.state["start"])
    assert any(c == start for c in track[5:]), "the codec's copy on the start cell is what this test is about"
    half = len(frames) // 2
    v = _judge(item, frames[:half] + [frames[-1]] * (len(frames) - half))
    assert not v.passed and v.failure == "TELEPORT", (v.failure, v.message)
    back = [k for k in range(half, len(frames)) if track[k] not in (None, start)
            and abs(track[k][0] - start[0]) + abs(track[k][1] - start[1]) > 2][0]
    v = _judge(item, frames[:back] + frames[:back])  # the walk again from the start: a jump back
    assert not v.passed and v.failure == "TELEPORT", (v.failure, v.message)


def test_a_pale_agent_with_its_colours_shifted_is_still_read_in_the_first_frame():
    """Shifted colours bring the pale agent within a tenth of the floor–wall distance of the floor: the
    reader looks closer where it found no agent and goal. A maze with the goal alone is still no pair."""
    from genbench.checkers import read_grid_maze

    item = FAM.generate(0, "hard", skin="agent_near_floor")
    read = read_grid_maze(V._colour(item.first_frame))
    assert {tuple(m.cell) for m in read.markers} == {tuple(item.state["start"]), tuple(item.state["goal"])}
    alone = item.first_frame.copy()
    alone[np.abs(alone.astype(np.int32) - item.state["skin"]["agent"]).sum(-1) < 60] = item.state["skin"]["floor"]
    assert len(read_grid_maze(V._colour(alone)).markers) == 1


@pytest.mark.parametrize("skin", ["classic", "night", "checkered"])
def test_a_centre_leaning_into_a_wall_and_back_is_a_wall_crossing_and_camera_drift_is_not(skin, tmp_path):
    """validate's ``wall_excursion``: the agent's centre goes a third of a corridor into a wall for two
    frames and comes back, never reaching another cell, so a cell-level reading cannot see it. Its blob's
    centre past the read corridor's edge is a WALL_CROSSING, on thick and thin walls alike; the oracle with
    the camera drifting (zoom, pan, shake, CRF 38) moves the centre too, and passes."""
    item = FAM.generate(0, "hard", skin=skin)
    v = _judge(item, _clip_frames("wall_excursion", item, tmp_path))
    assert not v.passed and v.failure == "WALL_CROSSING" and v.metrics["legal"] == 0.0, (v.failure, v.message)
    v = _judge(item, _clip_frames("drift_crf38", item, tmp_path))
    assert v.passed, (v.failure, v.message)


def test_a_walker_read_either_side_of_a_cell_edge_is_followed_and_a_two_cell_skip_still_fails(tmp_path):
    """night at 16 fps with the camera drifting: the agent walks about a cell a frame and is read half
    way, on one side of a cell's edge and then past the next one: two cells by rounding, one along the
    corridors at its own pace, so it passes. Frames left out until it is read three cells on, in one
    frame (over two along the corridors: twice its pace), are a teleport."""
    item = FAM.generate(0, "hard", skin="night")
    frames = _clip_frames("drift_fps16_crf34", item, tmp_path)
    v = _judge(item, frames)
    assert v.passed, (v.failure, v.message)
    track = v.evidence["cells"]
    assert any(a and b and abs(a[0] - b[0]) + abs(a[1] - b[1]) == 2 for a, b in zip(track, track[1:])), \
        "rounded cells two apart in a frame are what this test is about"
    at = len(frames) // 4
    two = next(i for i in range(at + 1, len(track)) if track[i] and track[at]
               and abs(track[i][0] - track[at][0]) + abs(track[i][1] - track[at][1]) >= 3)
    v = _judge(item, frames[:at + 1] + frames[two:])
    assert not v.passed and v.failure == "TELEPORT", (v.failure, v.message)


def test_a_second_agent_that_stays_is_duplicated_and_a_ghost_trailing_the_agent_is_not(tmp_path):
    """validate's ``duplicate``: two moves in, a second agent appears on the start cell and stays. On night
    the moving agent's blob is the larger (it mixes with the floor as it moves), so the copy behind it read
    as a codec's stale copy and the clip passed; a full-size blob staying on one cell while another shows
    elsewhere is AGENT_DUPLICATED. Ghosting's copies trail the agent and move on with it: they pass."""
    item = FAM.generate(0, "hard", skin="night")
    v = _judge(item, _clip_frames("duplicate", item, tmp_path))
    assert not v.passed and v.failure == "AGENT_DUPLICATED", (v.failure, v.message)
    assert "row 4, column 6" in v.message  # the start cell (1-based), where the copy stands
    v = _judge(item, _clip_frames("ghosting", item, tmp_path))
    assert v.passed, (v.failure, v.message)
