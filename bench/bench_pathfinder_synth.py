"""Sweep our VR-Bench-style pathfinder levels (maze.irregular layouts drawn as VR-Bench draws them, no
VR-Bench data needed): per difficulty × colour setting, how many ground truths pass and how many cheats
(static, cut to last, reversed, middle jump) pass, with each miss and, with --frames, the per-frame
reading of the missed videos (where the player is read, whether the place reading is on).

Colour settings: ``plain`` (white player, yellow goal), ``shared`` (both icons one colour, VR-Bench's
skin 4), ``goal_coloured`` (the player drawn in the goal's colour from frame 1 on: the colour reading
loses it once it moves). ``--video`` round-trips every video through the encoder as the tree does.

    python bench/bench_pathfinder_synth.py --indices 8 [--difficulties easy,medium,hard] [--frames]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

SHARED = (235, 225, 90)  # tests/test_vrbench_pathfinder.py's shared icon colour
GOAL = (230, 200, 60)  # pathfinder_level's goal colour
SETTINGS = {"plain": {}, "shared": {"player_colour": SHARED, "goal_colour": SHARED}, "goal_coloured": "switch"}


def level_frames(item, setting: str):
    """The level's state JSON and its ground-truth frames under a colour setting."""
    from genbench.vrbench.synth import pathfinder_level

    if setting == "goal_coloured":
        state, gt, frames_at = pathfinder_level(item)
        _, _, coloured = pathfinder_level(item, player_colour=GOAL)
        return state, frames_at(gt[:1]) + coloured(gt[1:])
    state, gt, frames_at = pathfinder_level(item, **SETTINGS[setting])
    return state, frames_at(gt)


def roundtrip(frames, path: Path):
    from genbench.video import read_frames, write_video

    write_video(path, iter(frames), 24.0)
    return list(read_frames(path))


def imported(state: dict, first: np.ndarray, where: Path, difficulty: str):
    from genbench.vrbench import read_state

    p = where / "states" / "level.json"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(state))
    return read_state(p, image=first, difficulty=difficulty, skin="synth", split="test")


def judge(item, frames, trace: bool = False):
    from genbench import geometry
    from genbench.vrbench import ImportedFamily
    from genbench.vrbench.pathfinder import RoadChecker

    fam = ImportedFamily("pathfinder")
    h, w = frames[0].shape[:2]
    fit = geometry.make_fit("letterbox", *item.canvas_size, w, h)
    if not trace:
        return fam.check(item, frames, fit, 24.0), None
    places = []
    real = RoadChecker._classify

    def spy(self, img, lut):  # the place switch after each reading
        out = real(self, img, lut)
        places.append(self._by_place)
        return out
    RoadChecker._classify = spy
    try:
        return fam.check(item, frames, fit, 24.0), places
    finally:
        RoadChecker._classify = real


def show(item, frames, v, places):
    s = item.state
    W, H = s["width"], s["height"]
    print(f"    start {s['start_xy']} goal {s['goal_xy']} road {s['road_px']} → {v.failure} "
          f"@{v.first_error_frame}: {v.message}")
    for i, p in enumerate(v.evidence.get("xy", [])):
        at = None if p is None else (round(p[0] * W), round(p[1] * H))
        print(f"      {i:3d} player {at} by_place={places[i] if places and i < len(places) else '?'}")


def main():
    from genbench.registry import task_family
    from genbench.vrbench.synth import cheats

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--indices", type=int, default=8)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--difficulties", default="easy,medium,hard")
    ap.add_argument("--settings", default=",".join(SETTINGS))
    ap.add_argument("--video", action="store_true", help="round-trip the videos through the encoder")
    ap.add_argument("--frames", action="store_true", help="print the per-frame reading of each miss")
    a = ap.parse_args()
    fam = task_family("maze.irregular")
    tmp = Path(tempfile.mkdtemp(prefix="pf_sweep_"))
    t0 = time.perf_counter()
    total = [0, 0, 0, 0]
    for setting in a.settings.split(","):
        for d in a.difficulties.split(","):
            gt_ok = n = cheat_pass = n_cheat = 0
            misses, codes = [], {}
            for k in range(a.first, a.first + a.indices):
                state, frames = level_frames(fam.generate(k, d, 0), setting)
                if a.video:
                    frames = roundtrip(frames, tmp / f"{setting}_{d}_{k}.mp4")
                item = imported(state, frames[0], tmp / f"{setting}_{d}_{k}", d)
                v, _ = judge(item, frames)
                n += 1
                gt_ok += v.passed
                if not v.passed:
                    misses.append((f"{d}_{k + 1:04d} GT", v.failure, item, frames))
                for name, fr in cheats(frames).items():
                    c, _ = judge(item, fr)
                    n_cheat += 1
                    cheat_pass += c.passed
                    codes.setdefault(name, {}).setdefault(c.failure, 0)
                    codes[name][c.failure] += 1
                    if c.passed:
                        misses.append((f"{d}_{k + 1:04d} {name}", "passed", item, fr))
            total = [total[0] + gt_ok, total[1] + n, total[2] + cheat_pass, total[3] + n_cheat]
            print(f"{setting:14s} {d:7s} GT {gt_ok}/{n}  cheats passed {cheat_pass}/{n_cheat}  "
                  + "  ".join(f"{k}: " + ",".join(f"{c} {m}" for c, m in v.items()) for k, v in codes.items()))
            for what, why, item, fr in misses:
                print(f"  miss {what}: {why}")
                if a.frames:
                    show(item, fr, *judge(item, fr, trace=True))
    print(f"total GT {total[0]}/{total[1]}  cheats passed {total[2]}/{total[3]}  "
          f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
