"""Answer-selection puzzles (counting, arithmetic, transitive, sequence, odd one out): items are
deterministic, unique and have exactly one correct option; the checkers pass the oracle on every
skin × difficulty and fail static, cut and wrong-answer videos with the right code."""

import subprocess
import sys
from collections import Counter

import networkx as nx
import numpy as np
import pytest

from genbench import geometry
from genbench.runner import judge_video
from genbench.tasks.puzzles.arithmetic import Arithmetic
from genbench.tasks.puzzles.counting import LEVELS as COUNT_LEVELS, Counting
from genbench.tasks.puzzles.odd_one_out import OddOneOut
from genbench.tasks.puzzles.pointer import SKIN_NAMES
from genbench.tasks.puzzles.sequence import ATTRS, Sequence
from genbench.tasks.puzzles.transitive import Transitive
from genbench.video import write_video

FAMILIES = {"puzzle.counting": Counting(), "puzzle.arithmetic": Arithmetic(), "puzzle.transitive": Transitive(),
            "puzzle.sequence": Sequence(), "puzzle.odd_one_out": OddOneOut()}
NAMES = list(FAMILIES)
DIFFS = ("easy", "medium", "hard")


def judge_frames(fam, item, frames, fps=24.0):
    return fam.check(item, frames, geometry.identity(*item.canvas_size), fps)


def judge_mp4(fam, item, frames, path, size=None, mode="letterbox"):
    fit = geometry.make_fit(mode, *item.canvas_size, *(size or item.canvas_size))
    write_video(path, (geometry.apply(fit, f) for f in frames), 24)
    return judge_video(fam, item, path, fit)


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_and_seed_dependent(name):
    fam = FAMILIES[name]
    a, b = fam.generate(4, "hard", seed=3), fam.generate(4, "hard", seed=3)
    assert a.content_hash == b.content_hash and np.array_equal(a.first_frame, b.first_frame)
    assert fam.generate(4, "hard", seed=4).content_hash != a.content_hash
    assert fam.generate(5, "hard", seed=3).content_hash != a.content_hash
    assert a.id == f"{name}/hard/0004" and a.state["skin"]["name"] in SKIN_NAMES


def test_items_identical_in_another_process():
    code = ("import hashlib\nfrom genbench.tasks.puzzles import counting, arithmetic, transitive, sequence, "
            "odd_one_out\nfor m, c in [(counting, 'Counting'), (arithmetic, 'Arithmetic'), (transitive, "
            "'Transitive'), (sequence, 'Sequence'), (odd_one_out, 'OddOneOut')]:\n"
            "    print(getattr(m, c)().generate(2, 'medium', 9).content_hash)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [FAMILIES[n].generate(2, "medium", 9).content_hash for n in NAMES]


def test_registered_in_the_puzzles_group():
    from genbench.registry import entries

    e = entries("task")
    for name, fam in FAMILIES.items():
        assert name in e and e[name].group == "puzzles"
        assert fam.dimension in ("spatial & visual pattern", "symbolic & logical", "structural reasoning & search")


@pytest.mark.parametrize("name", NAMES)
def test_unique_items_and_skin_words_in_prompts(name):
    fam = FAMILIES[name]
    items = list(fam.items("medium", 10, seed=1))
    assert len({fam.layout_key(i) for i in items}) == 10
    for it in items:
        words = it.state["skin"]["words"]
        assert words["panel"] in it.prompt_i2v and words["bg"] in it.prompt_t2v
    with pytest.raises(ValueError):
        fam.generate(0, "extreme")
    with pytest.raises(ValueError):
        fam.generate(0, "easy", skin="nope")


# --- exactly one correct option, recomputed independently of the generator ----------------------------

def _correct(item) -> list[int]:
    s, p = item.state, item.state["puzzle"]
    fam = item.family
    if fam == "puzzle.counting":
        n = sum(1 for o in p["objects"] if [o[0], o[1]] == p["target"])
        return [k for k, v in enumerate(s["options"]) if v == n]
    if fam == "puzzle.arithmetic":
        expr = " ".join({"x": "*"}.get(t, t) for t in p["tokens"])
        return [k for k, v in enumerate(s["options"]) if v == eval(expr)]  # noqa: S307 (digits and + - * only)
    if fam == "puzzle.transitive":
        g = nx.DiGraph()
        for a, op, b in p["rows"]:
            g.add_edge(*((a, b) if op == ">" else (b, a)))  # edge: higher → lower
        tops = [v for v in g if g.in_degree(v) == 0]
        assert len(tops) == 1 and nx.descendants(g, tops[0]) == set(g) - {tops[0]}
        top = p["entities"][tops[0]]
        return [k for k, v in enumerate(s["options"]) if v == top]
    if fam == "puzzle.sequence":
        slot, shown = p["slot"], p["tiles"]
        row = shown[:slot] + [None] + shown[slot:]
        want = []
        for a in range(len(ATTRS)):  # smallest period that explains the shown tiles predicts the slot
            for per in range(1, 4):
                vals = {}
                if all(vals.setdefault(i % per, t[a]) == t[a] for i, t in enumerate(row) if t is not None):
                    want.append(vals[slot % per])
                    break
        return [k for k, v in enumerate(s["options"]) if v == want]
    if fam == "puzzle.odd_one_out":
        objs = [tuple(sorted(o.items())) for o in s["objects"]]
        common, _ = Counter(objs).most_common(1)[0]
        odd = [k for k, o in enumerate(objs) if o != common]
        assert len(odd) == 1
        differs = [a for a in s["objects"][0] if s["objects"][odd[0]][a] != dict(common)[a]]
        assert len(differs) == 1, differs
        return odd
    raise AssertionError(fam)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("difficulty", DIFFS)
def test_exactly_one_correct_option(name, difficulty):
    fam = FAMILIES[name]
    for it in fam.items(difficulty, 12, seed=5):
        assert _correct(it) == [it.state["answer"]], it.id
        opts = [repr(o) for o in it.state["options"]]
        assert len(set(opts)) == len(opts)


def test_difficulty_is_real():
    c = FAMILIES["puzzle.counting"]
    objs = {d: np.mean([len(i.state["puzzle"]["objects"]) for i in c.items(d, 8, seed=2)]) for d in DIFFS}
    assert objs["easy"] < objs["medium"] < objs["hard"]
    assert max(i.state["puzzle"]["count"] for i in c.items("hard", 8)) > COUNT_LEVELS["easy"].count[1]
    for name in ("puzzle.arithmetic", "puzzle.transitive", "puzzle.sequence", "puzzle.odd_one_out"):
        fam = FAMILIES[name]
        k = [len(fam.generate(0, d).state["options"]) for d in DIFFS]
        assert k[0] < k[1] < k[2], (name, k)
    assert max(FAMILIES["puzzle.arithmetic"].generate(i, "hard").state["puzzle"]["result"] for i in range(8)) > 18


# --- the checkers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_oracle_passes_every_skin_and_difficulty(name):
    fam = FAMILIES[name]
    for skin in SKIN_NAMES:
        for d in DIFFS:
            it = fam.generate(1, d, seed=2, skin=skin)
            v = judge_frames(fam, it, fam.solution_frames(it))
            assert v.status == "ok" and v.passed, (it.id, skin, v.failure, v.message)
            assert v.metrics["selected_last"] == v.metrics["selected_best"] == 1.0
            assert v.metrics["final_choice"] == it.state["answer"]


@pytest.mark.parametrize("name", NAMES)
def test_encoded_videos_on_model_canvases(name, tmp_path):
    """Through real H.264 files: the oracle in a wide letterboxed frame and a short 8 fps budget pass;
    static, a cut to a wrong answer and a wrong answer fail with their codes."""
    fam = FAMILIES[name]
    it = fam.generate(3, "hard", seed=0)
    v = judge_mp4(fam, it, fam.solution_frames(it), tmp_path / "o.mp4", (832, 480))
    assert v.passed, (v.failure, v.message)
    short = list(fam.solution_frames(it, num_frames=25))
    write_video(tmp_path / "s.mp4", short, 8)
    v = judge_video(fam, it, tmp_path / "s.mp4")
    assert len(short) == 25 and v.passed, (v.failure, v.message)
    n = len(list(fam.solution_frames(it)))
    v = judge_mp4(fam, it, [it.first_frame] * n, tmp_path / "st.mp4")
    assert not v.passed and v.failure == "STATIC", v.message
    rng = np.random.default_rng(0)
    wrong = list(fam.random_frames(it, rng))
    v = judge_mp4(fam, it, wrong, tmp_path / "w.mp4")
    assert not v.passed and v.failure == "WRONG_ANSWER", (v.failure, v.message)
    assert v.metrics["final_choice"] not in (-1, it.state["answer"])
    v = judge_mp4(fam, it, [it.first_frame] * (n // 2) + [wrong[-1]] * (n - n // 2), tmp_path / "c.mp4")
    assert not v.passed and v.failure == "TELEPORT", (v.failure, v.message)


@pytest.mark.parametrize("name", NAMES)
def test_family_perturbations_fail_with_their_codes(name):
    """The family's own must-fail perturbations, judged on frames (validate runs them encoded)."""
    fam = FAMILIES[name]
    it = fam.generate(2, "medium", seed=0)
    for p in fam.perturbations():
        rng = np.random.default_rng(1)
        clip = p.make(fam, it, rng)
        v = fam.check(it, clip.frames, clip.fit, clip.fps)
        assert not v.passed and v.failure == p.expect, (p.name, v.failure, v.message)


def test_pointer_evidence_tracks_the_marker():
    fam = FAMILIES["puzzle.counting"]
    it = fam.generate(0, "easy")
    v = judge_frames(fam, it, fam.solution_frames(it))
    xy, sel = v.evidence["xy"], v.evidence["selected"]
    assert len(xy) == len(sel) == v.metrics["frames"]
    assert sel[0] == -1 and sel[-1] == it.state["answer"]
    x0, y0 = xy[0]
    assert abs(x0 - it.state["start"][0] / 512) < 0.02 and abs(y0 - it.state["start"][1] / 400) < 0.02
