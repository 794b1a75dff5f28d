"""Both sides of Sokoban's pace rule (``checkers.events.first_leap`` with ``sokoban.MIN_LEAP``): how close
ground truth comes to being called a leap, and how far VR-Bench's middle-third jump is beyond it.

    python bench/bench_pace.py                          # our Sokoban oracle, every preset and pace perturbation
    python bench/bench_pace.py --vrbench /work/vrdata/sokoban   # + VR-Bench's own GT and its middle jumps

For each kind of clip it prints how many are judged right, and two margins of the player's one-frame
moves (the largest over the clips, the smallest in brackets): the largest move ÷ its pace among moves
over MIN_LEAP cells, and the largest move in cells among moves over LEAP_PACE× the pace. A move is a
leap only where it exceeds both (none may on clips that must pass). Clips are judged in memory at
the item's canvas (not encoded): the pace is what this measures; encoding is validate's part.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from genbench import geometry
from genbench.checkers.events import LEAP_PACE, walker_pace
from genbench.checkers.sokoban import MIN_LEAP
from genbench.video import resample_indices
from genbench.vrbench.synth import FRAMES_PER_STEP, cheats

EASINGS = {"smoothstep": lambda t: t * t * (3 - 2 * t),
           "cubic": lambda t: np.where(t < 0.5, 4 * t ** 3, 1 - (2 - 2 * t) ** 3 / 2)}


def margins(track) -> tuple[float, float]:
    """(largest move ÷ pace among one-frame moves over MIN_LEAP cells, largest move in cells among
    one-frame moves over LEAP_PACE× the pace); 0 where there is none."""
    _, gaps, per, pace = walker_pace(track, 1.0)
    if pace is None:
        return 0.0, 0.0
    one = gaps == 1
    big = per[one & (per > MIN_LEAP)]
    fast = per[one & (per > LEAP_PACE * pace)]
    return float(big.max() / pace) if len(big) else 0.0, float(fast.max()) if len(fast) else 0.0


def _eased(fam, item, path, ease, per_step: int) -> list:
    """The solution with every step eased (the player stops at each cell), ``per_step`` frames a step,
    picked from a 24-frames-a-step rendering."""
    fine = list(fam.frames_for(item, path, frames_per_step=24, hold=4))
    steps = len(path) - 1
    idx = [s * 24 + int(round(float(ease(j / per_step)) * 24)) for s in range(steps) for j in range(per_step)]
    return [fine[k] for k in idx] + fine[steps * 24:]


def _drop(frames, rng, p: float) -> list:
    keep = rng.random(len(frames)) >= p
    keep[0] = keep[-1] = True
    return [f for f, k in zip(frames, keep) if k]


def _drop_run(frames, at: int, k: int = 2) -> list:
    """``k`` frames in a row dropped from ``at`` (a stutter)."""
    return frames[:at] + frames[at + k:]


def _duplicate(frames, rng, p: float) -> list:
    return [g for f in frames for g in ([f, f] if rng.random() < p else [f])]


def our_clips(fam, item, rng) -> dict:
    """name → (frames, fps, must pass) for one item."""
    path = [tuple(p) for p in item.state["solution"]]
    natural = list(fam.solution_frames(item))
    vr = list(fam.frames_for(item, path, frames_per_step=FRAMES_PER_STEP, hold=0))
    out = {"natural (6 frames a step, hold)": (natural, 24.0, True),
           "VR-Bench pace (12 a step, no hold)": (vr, 24.0, True)}
    for n in (49, 81, 121, 129, 161):
        if n >= (fam.min_frames(item) or 0):
            out[f"preset {n} frames"] = (list(fam.solution_frames(item, num_frames=n)), 24.0, True)
    for name, src in (("natural", natural), ("VR-Bench pace", vr)):
        for fps in (8, 16):
            out[f"{name} at fps {fps}"] = ([src[i] for i in resample_indices(len(src), 24, fps)], float(fps), True)
        out[f"{name}, 10% frames dropped"] = (_drop(src, rng, 0.1), 24.0, True)
        out[f"{name}, 10% frames duplicated"] = (_duplicate(src, rng, 0.1), 24.0, True)
        out[f"{name}, 2 in a row dropped"] = (_drop_run(src, 5), 24.0, True)
    for ename, ease in EASINGS.items():
        for per_step in (6, 12):
            eased = _eased(fam, item, path, ease, per_step)
            out[f"{ename} steps, {per_step} a step"] = (eased, 24.0, True)
            out[f"{ename} steps, {per_step} a step, 10% dropped"] = (_drop(eased, rng, 0.1), 24.0, True)
            # at the fastest frames of the first step: the worst place for a stutter
            out[f"{ename} steps, {per_step} a step, 2 in a row dropped"] = (
                _drop_run(eased, per_step // 2 - 1), 24.0, True)
    out["natural + 3 s hold"] = (natural + [natural[-1]] * 72, 24.0, True)
    out["VR-Bench pace: middle third jump (cheat)"] = (cheats(vr)["middle_jump"], 24.0, False)
    return out


def _row() -> dict:
    return {"n": 0, "right": 0, "big": [], "fast": [], "must_pass": True, "wrong": []}


def _count(r: dict, v, must_pass: bool, what: str) -> None:
    big, fast = margins([None if p is None else tuple(p) for p in v.evidence.get("player", [])])
    r["n"] += 1
    r["right"] += int(v.passed == must_pass)
    r["big"].append(big)
    r["fast"].append(fast)
    r["must_pass"] = must_pass
    if v.passed != must_pass:
        r["wrong"].append(f"{what}: {'passes' if v.passed else f'{v.failure} {v.message}'}")


def judge_ours(skins: list[str], difficulties: list[str], items: int, short: bool) -> dict:
    from genbench.registry import task_family

    fam = task_family("maze.sokoban")
    rows = defaultdict(_row)
    rng = np.random.default_rng(0)
    for skin in skins:
        levels = [(d, i, None) for d in difficulties for i in range(items)]
        if short:  # VR-Bench's shortest levels: one and two moves (rooms 3×3, no walls)
            cfg = fam.config("easy", {"rows": 3, "cols": 3, "walls": 0.0, "min_pushes": 1})
            levels += [("easy", i, cfg) for i in (1, 7)]
        for d, i, cfg in levels:
            item = fam.generate(i, d, 0, skin, config=cfg) if cfg else fam.generate(i, d, 0, skin)
            fit = geometry.identity(*item.canvas_size)
            for name, (frames, fps, must_pass) in our_clips(fam, item, rng).items():
                v = fam.check(item, frames, fit, fps)
                _count(rows[name], v, must_pass, f"{item.id} {skin}")
    return rows


def judge_vrbench(root: Path) -> dict:
    from genbench.video import probe, read_frames
    from genbench.vrbench import ImportedFamily, import_vrbench, load_imported

    rows = defaultdict(_row)
    with tempfile.TemporaryDirectory() as tmp:
        items = Path(tmp) / "items.jsonl"
        import_vrbench(root, items)
        for item, row in load_imported(items):
            if not row.get("video") or item.state["game"] != "sokoban":
                continue
            fam = ImportedFamily("sokoban")
            info = probe(root / row["video"])
            frames = list(read_frames(root / row["video"]))
            fit = geometry.make_fit("letterbox", *item.canvas_size, info.width, info.height)
            for name, fr, must_pass in (("VR-Bench GT", frames, True),
                                        ("VR-Bench middle third jump", cheats(frames)["middle_jump"], False)):
                key = f"{name}, {'1-2 moves' if len(frames) <= 25 else '3+ moves'}"
                _count(rows[key], fam.check(item, fr, fit, info.fps or 24.0), must_pass, row["video"])
    return rows


def table(rows: dict, title: str) -> str:
    lines = [f"### {title}", "", f"pace rule: a one-frame move over {MIN_LEAP} cell and over {LEAP_PACE:g}× the "
             "player's pace (upper quartile over its moving frames) is a leap", "",
             "| clips | must | n | right | move ÷ pace, moves > MIN_LEAP: max (min over clips) | "
             "move in cells, moves > 4× pace: max (min over clips) |", "|---|---|---|---|---|---|"]
    for name, r in rows.items():
        lines.append(f"| {name} | {'pass' if r['must_pass'] else 'fail'} | {r['n']} | {r['right']} | "
                     f"{max(r['big']):.2f} ({min(r['big']):.2f}) | {max(r['fast']):.2f} ({min(r['fast']):.2f}) |")
    wrong = [w for r in rows.values() for w in r["wrong"]]
    return "\n".join(lines + ([""] + wrong if wrong else []))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skins", default="warehouse,dungeon")
    ap.add_argument("--difficulties", default="easy,medium,hard")
    ap.add_argument("--items", type=int, default=2, help="items per skin × difficulty")
    ap.add_argument("--vrbench", help="a VR-Bench sokoban tree (generated locally by their generator)")
    a = ap.parse_args()
    print(table(judge_ours(a.skins.split(","), a.difficulties.split(","), a.items, short=True),
                "our Sokoban oracle (maze.sokoban) + one- and two-move rooms"))
    if a.vrbench:
        print()
        print(table(judge_vrbench(Path(a.vrbench)), f"VR-Bench tree {a.vrbench}"))


if __name__ == "__main__":
    main()
