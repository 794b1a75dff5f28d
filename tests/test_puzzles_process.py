"""Process puzzles (sorting, sliding, Hanoi, graph walk): items, oracle, and the checker both ways."""

import subprocess
import sys

import numpy as np
import pytest

from genbench import geometry
from genbench.registry import task_family
from genbench.runner import judge_video
from genbench.seeding import item_rng
from genbench.validate import perturbations_for

from conftest import encode, fitted

FAMILIES = ("puzzle.sorting", "puzzle.sliding", "puzzle.hanoi", "puzzle.graph_walk")
DIFFS = ("easy", "medium", "hard")
# the family's own must-fail perturbation that breaks the rule of a move
ILLEGAL = {"puzzle.sorting": "rotate_three", "puzzle.sliding": "tile_jump",
           "puzzle.hanoi": "illegal_disk_move", "puzzle.graph_walk": "skip_node"}
CHANGED = {"puzzle.sorting": "item_recoloured", "puzzle.sliding": "tile_renumbered",
           "puzzle.hanoi": "disk_resized", "puzzle.graph_walk": "goal_moved"}


def judge_frames(fam, item, frames, fps=24.0):
    return fam.check(item, iter(frames), geometry.identity(*item.canvas_size), fps)


@pytest.mark.parametrize("name", FAMILIES)
def test_deterministic_and_seed_sensitive(name):
    fam = task_family(name)
    a, b = fam.generate(5, "medium", seed=3), fam.generate(5, "medium", seed=3)
    assert a.content_hash == b.content_hash and np.array_equal(a.first_frame, b.first_frame)
    assert fam.generate(5, "medium", seed=4).content_hash != a.content_hash
    assert fam.generate(6, "medium", seed=3).content_hash != a.content_hash


def test_items_identical_in_another_process():
    code = ("from genbench.registry import task_family;"
            f"print(' '.join(task_family(n).generate(4, 'hard', 9).content_hash for n in {FAMILIES!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [task_family(n).generate(4, "hard", 9).content_hash for n in FAMILIES]


@pytest.mark.parametrize("name", FAMILIES)
def test_items_unique_levels_real_and_solutions_legal(name):
    fam = task_family(name)
    size = {}
    for d in DIFFS:
        items = list(fam.items(d, 8, seed=0))
        assert len({fam.layout_key(i) for i in items}) == 8
        opt = []
        for it in items:
            g = fam.game(it)
            for sol in it.state["solutions"]:
                states = [tuple(s) for s in sol]
                assert states[0] == g.start and states[-1] in g.goals
                assert len(states) - 1 == g.optimal == g.distance(g.start)
                assert all(g.valid(s) for s in states)
                assert all(g.legal(a, b) is None for a, b in zip(states, states[1:]))
            assert g.distance(g.start) > 0 and all(g.distance(s) == 0 for s in g.goals)
            opt.append(g.optimal)
            assert it.state["skin"]["words"] and it.prompt_i2v and it.prompt_t2v
        size[d] = (len(items[0].state["start"]), float(np.mean(opt)))
    # harder levels have more objects or longer optimal solutions, never fewer / shorter
    assert size["easy"] <= size["medium"] <= size["hard"] and size["easy"] < size["hard"]


def test_unknown_difficulty_and_skin_are_clear():
    fam = task_family("puzzle.hanoi")
    with pytest.raises(ValueError, match="known: easy, medium, hard"):
        fam.generate(0, "extreme")
    with pytest.raises(ValueError, match="classic"):
        fam.generate(0, "easy", skin="nope")


@pytest.mark.parametrize("name", FAMILIES)
def test_oracle_passes_every_skin_and_difficulty(name):
    fam = task_family(name)
    for d in DIFFS:
        for skin in fam.skins:
            it = fam.generate(1, d, seed=2, skin=skin)
            frames = list(fam.solution_frames(it))
            assert len(frames) <= 6.5 * fam.default_fps  # short oracle videos
            v = judge_frames(fam, it, frames)
            assert v.passed and v.metrics["legal"] == v.metrics["optimal"] == 1.0, (d, skin, v.failure, v.message)
            assert v.metrics["moves"] == it.state["solutions"][0].__len__() - 1
            assert v.evidence["states"][0] == it.state["start"] and v.evidence["states"][-1] == it.state["goal"]


@pytest.mark.parametrize("name", FAMILIES)
def test_video_controls_fail_with_their_codes(name, tmp_path):
    """Real mp4 files: static, jump cut, an illegal move and a changed object all fail as labelled;
    the oracle in a model-sized letterboxed frame still passes."""
    fam = task_family(name)
    it = fam.generate(0, "medium", seed=1)
    n = sum(1 for _ in fam.solution_frames(it))
    fit = geometry.make_fit("letterbox", *it.canvas_size, 832, 480)
    v = judge_video(fam, it, encode(tmp_path / "o.mp4", fitted(fam.solution_frames(it), fit)), fit=fit)
    assert v.passed, (v.failure, v.message)
    cases = {"STATIC": [it.first_frame] * n,
             "TELEPORT": [it.first_frame] * (n // 2) + [fam.final_frame(it)] * (n - n // 2)}
    for code, frames in cases.items():
        v = judge_video(fam, it, encode(tmp_path / f"{code}.mp4", frames))
        assert not v.passed and v.failure == code, (code, v.failure, v.message)
        assert v.score == 0.0  # a cut to the answer earns no partial credit
    own = {p.name: p for p in perturbations_for(fam)}
    for pname in (ILLEGAL[name], CHANGED[name]):
        p = own[pname]
        clip = p.make(fam, it, item_rng(0, name, 0, "test", pname))
        v = judge_video(fam, it, encode(tmp_path / f"{pname}.mp4", clip.frames, clip.fps), clip.fit)
        assert not v.passed and v.failure == p.expect, (pname, v.failure, v.message)
        assert v.first_error_frame is not None


@pytest.mark.parametrize("name", FAMILIES)
def test_random_play_is_legal_and_frame_budget_is_kept(name):
    fam = task_family(name)
    it = fam.generate(2, "easy", seed=0)
    v = judge_frames(fam, it, list(fam.random_frames(it, np.random.default_rng(0))))
    assert v.metrics["legal"] == 1.0 and v.failure != "STATIC", (v.failure, v.message)
    frames = list(fam.solution_frames(it, num_frames=49))  # a model's frame budget
    assert len(frames) == 49
    v = judge_frames(fam, it, frames, fps=16)
    assert v.passed, (v.failure, v.message)


def test_leaving_the_goal_and_a_longer_route_are_told_apart():
    fam = task_family("puzzle.sliding")
    it = fam.generate(3, "easy", seed=0)
    sol = fam.solution_states(it)
    v = judge_frames(fam, it, list(fam.play_states(it, sol + [sol[-2]])))  # solved, then one tile slides back
    assert v.failure == "GOAL_NOT_HELD" and v.metrics["reached"] == 1.0 and v.first_error_frame is not None
    v = judge_frames(fam, it, list(fam.play_states(it, sol[:2] + [sol[0]] + sol[1:])))  # a wasted back-and-forth
    assert v.passed and v.metrics["optimal"] == 0.0 and v.metrics["moves"] == len(sol) + 1  # legal: passes





def test_sorting_on_planes_tells_a_bar_easing_into_its_slot_from_a_shrunk_one(tmp_path):
    """Sorting's oracle at a slow model's canvas (1280×720, 129 frames), read from planes: a bar arriving
    rests in its slot (by its fill) while part of it still shows just beyond the box around the slot; the
    pixels it lost there show in the ring around that box, so it has not shrunk (it once failed as
    LAYOUT_CHANGED). A bar, or a ball under a drifting camera, that does shrink to 0.8× still fails."""
    from genbench import validate as V

    fam = task_family("puzzle.sorting")
    assert fam.frames_as_planes
    it = next(iter(fam.items("easy", 1, 0, "bars")))
    own = {p.name: p for p in V.perturbations_for(fam)}
    assert V.run_one(fam, it, own["preset_1280x720_129f"], 0, tmp_path, 48, "bars").got == "pass"
    shrunk = V.run_one(fam, it, own["item_shrinks"], 0, tmp_path, 48, "bars")
    assert shrunk.got == "LAYOUT_CHANGED", shrunk.message
    # a drifting camera brings a few strays of a ball's colour around it, never what it lost
    balls = next(iter(fam.items("medium", 1, 0, "balls")))
    shrunk = V.run_one(fam, balls, own["item_shrinks+drift"], 0, tmp_path, 48, "balls")
    assert shrunk.got == "LAYOUT_CHANGED", shrunk.message


def test_expected_maps_kept_with_the_game_change_no_verdict():
    """The expected maps cached on an item's Game (every candidate of the item reuses them) give the
    verdicts a fresh Game gives, a passing oracle and a failing illegal move alike; they are read-only,
    and only the last few games judged keep theirs."""
    from genbench.checkers import process

    fam = task_family("puzzle.hanoi")
    it = fam.generate(0, "medium", seed=1)
    bad = {p.name: p for p in perturbations_for(fam)}["illegal_disk_move"].make(
        fam, it, item_rng(0, "puzzle.hanoi", 0, "test", "illegal_disk_move"))
    clips = [(list(fam.solution_frames(it)), 24.0), (list(bad.frames), bad.fps)]
    warm = fam.cached_game(it)

    def verdicts(game):
        out = []
        for frames, fps in clips:
            v = process.ProcessChecker(game).check(iter(frames), geometry.identity(*it.canvas_size), fps)
            out.append((v.passed, v.failure, v.first_error_frame, v.message, v.metrics, v.evidence))
        return out

    first = verdicts(warm)
    assert warm.maps  # filled by the first checks
    assert all(not a.flags.writeable for k, v in warm.maps.items() if k[0] != "presence" for a in v)
    assert verdicts(warm) == first == verdicts(fam.game(it))  # warm, again, and from a fresh game
    assert first[0][0] and not first[1][0] and first[1][1] == "ILLEGAL_MOVE"
    for i in range(5):  # four newer games judged: the oldest one's maps are dropped
        process.ProcessChecker(fam.game(fam.generate(10 + i, "easy", seed=1)))
    assert not warm.maps and len(process._WARM_GAMES) == 4


@pytest.mark.parametrize("name", ["puzzle.sliding", "puzzle.hanoi"])
def test_object_pixels_count_exactly_by_box_histograms_and_by_integrals(name):
    """Both ways of counting each object's pixels in its slot boxes (a class histogram per distinct box,
    an integral image per object) give the exact counts, on the oracle's frames and on a frame with
    pixels of every object sprinkled over it."""
    import cv2

    from genbench.checkers import process

    fam = task_family(name)
    it = fam.generate(0, "medium", seed=1)
    g = fam.game(it)
    chk = process.ProcessChecker(g)
    W, H = g.working
    classes = np.array(g.obj_class)
    maps = [process.classify_exact(cv2.resize(f, (W, H), interpolation=cv2.INTER_AREA), g.palette)
            for f in list(fam.solution_frames(it))[::9]]
    rng = np.random.default_rng(0)
    sprinkled = rng.choice(classes, maps[0].shape).astype(np.uint8)
    maps.append(np.where(rng.random(maps[0].shape) < 0.2, sprinkled, maps[0]))
    K, S = chk.rects.shape[:2]
    for cls in maps:
        want = np.zeros((K, S), np.int64)
        for k in range(K):
            for s in range(S):
                x0, y0, x1, y1 = chk.rects[k, s]
                if x0 >= 0:
                    want[k, s] = np.count_nonzero(cls[y0:y1, x0:x1] == classes[k])
        for by_box in (True, False):
            chk.reach.by_box = by_box
            px = process.ObjectPixels(cls, classes, chk.reach)
            assert np.array_equal(px.in_slots(), want), by_box
            for k, s in enumerate(g.start):
                x0, y0, x1, y1 = chk.around[k, s]
                assert px.in_box(k, chk.around[k, s]) == np.count_nonzero(cls[y0:y1, x0:x1] == classes[k])


def _within_a_pixel(classes: np.ndarray, query: np.ndarray, n_classes: int) -> np.ndarray:
    """Per pixel: does class ``query[y, x]`` appear in the 3×3 neighbourhood of ``classes`` (one
    dilation per class: the plain reading the class bits replace)?"""
    import cv2

    k = np.ones((3, 3), np.uint8)
    per_class = np.stack([cv2.dilate((classes == p).astype(np.uint8), k) > 0 for p in range(n_classes)])
    return np.take_along_axis(per_class, query[None].astype(np.int64), 0)[0]


def test_layout_check_by_class_bits_matches_presence_tests():
    """The still-frame layout check reads presence by class bits; it flags exactly the blocks a 3×3
    dilation of each class's mask flags, on class maps with unknown pixels, classes past the palette
    and a block redrawn in another class."""
    from genbench.checkers import process
    from genbench.vision.lut import UNKNOWN

    fam = task_family("puzzle.hanoi")
    it = fam.generate(0, "medium", seed=1)
    chk = process.ProcessChecker(fam.game(it))
    exp, inner = chk.expected(chk.g.start)
    P = len(chk.g.palette)
    rng = np.random.default_rng(0)
    flagged = 0
    for noise in (0.0, 0.02, 0.2):
        cls = exp.copy()
        hit = rng.random(cls.shape) < noise
        cls[hit] = rng.choice([0, P - 1, P, UNKNOWN], int(hit.sum()))
        cls[40:60, 40:60] = (exp[40:60, 40:60] + 1) % P  # a block redrawn
        obs_ok = _within_a_pixel(exp, np.minimum(cls, P - 1), P) & (cls != UNKNOWN)
        exp_ok = _within_a_pixel(cls, np.minimum(exp, P - 1), P)
        n_bad = np.bincount(chk.block_id[inner & ~(obs_ok & exp_ok)], minlength=chk.n_blocks)
        n_in = np.bincount(chk.block_id[inner], minlength=chk.n_blocks)
        want = n_bad > np.maximum(12, 0.12 * n_in)
        got = chk._layout_bad(cls, chk.g.start)
        assert np.array_equal(got, want)
        flagged += int(want.any())
    assert flagged == 3  # the redrawn block is caught every time


@pytest.mark.parametrize("name,skin,pname,scale", [("puzzle.sorting", "balls", "item_grows_20", 1.2),
                                                   ("puzzle.sorting", "balls", "item_shrinks", 0.8 ** 0.5),
                                                   ("puzzle.sliding", None, "tile_grows", 1.2)])
def test_resized_from_third_redraws_one_object_at_scale_from_a_third_of_the_way_in(name, skin, pname, scale):
    """The shared size cheat: frames before the cut are the oracle's; after it, one object's colour
    covers about scale² of its area, the others' as before (less what a grown one overlaps)."""
    fam = task_family(name)
    item = fam.generate(1, "medium", skin=skin)
    p = next(p for p in perturbations_for(fam) if p.name == pname)
    frames = list(p.make(fam, item, np.random.default_rng(0)).frames)
    truth = list(fam.solution_frames(item))
    cut = len(truth) // 3
    assert len(frames) == len(truth)
    assert all(np.array_equal(a, b) for a, b in zip(frames[:cut], truth[:cut]))
    g = fam.cached_game(item)
    ratios = []
    for k in g.obj_class:
        colour = g.palette[k]
        before = (truth[-1] == colour).all(-1).sum()
        after = (frames[-1] == colour).all(-1).sum()
        ratios.append(after / before)
    k = int(np.argmax(np.abs(np.log(ratios))))
    assert ratios[k] == pytest.approx(scale ** 2, rel=0.12), ratios
    # the others keep their size; a grown tile may cover a sliver of a neighbour, never add to one
    assert all(0.9 <= r <= 1.0 for i, r in enumerate(ratios) if i != k), ratios


def test_sliding_tile_grown_a_fifth_fails_and_its_ground_truth_passes(tmp_path):
    """A tile drawn 1.2× a third of the way in is LAYOUT_CHANGED on every skin; the same item's
    oracle passes."""
    from genbench import validate as V

    fam = task_family("puzzle.sliding")
    own = {p.name: p for p in V.perturbations_for(fam)}
    for skin in fam.skins:
        item = fam.generate(2, "hard", skin=skin)
        grown = V.run_one(fam, item, own["tile_grows"], 0, tmp_path, 48, skin)
        assert grown.got == "LAYOUT_CHANGED", (skin, grown.got, grown.message)
        assert V.run_one(fam, item, own["oracle"], 0, tmp_path, 48, skin).got == V.PASS
