"""Side by side on a VR-Bench tree: per game × skin × difficulty, our pass rate on its ground truth and on
its cheats, VR-Bench's SR / EM (our implementation of its metrics, on the ground truth), and checker fps ÷
decode fps.

    python bench/bench_vrbench.py DIR                  # a tree VR-Bench's generator wrote (generated locally)
    python bench/bench_vrbench.py --synth 4 --difficulties easy,medium,hard   # our VR-Bench-style tree

VR-Bench's generator is not run here: ``--synth`` builds a tree of our own textured skins in its style
(tile images, sprite pictures, 12 frames per step at 24 fps, no end hold; genbench.vrbench.synth) and
says so in the table's title. Cheats (static first frame, cut to the last frame, reversed, middle third
replaced by a jump) are made from the decoded ground-truth frames and judged in memory, not re-encoded.
``--must-fail`` adds our must-fail set composited on the grid games' videos (genbench.vrbench.synth.must_fail:
wall erased, goal moved, agent duplicated, box moved, wall walk, teleport): passes per kind (target 0).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from genbench import geometry
from genbench.video import probe, read_frames
from genbench.vrbench import ImportedFamily, import_vrbench, load_imported
from genbench.vrbench.synth import cheats, must_fail


def bench(root: Path, work: Path, with_must_fail: bool = False) -> dict:
    items = work / "items.jsonl"
    res = import_vrbench(root, items)
    rows = defaultdict(lambda: {"n": 0, "not_judged": 0, "gt_pass": 0, "cheats": 0, "cheat_pass": 0, "sr": [], "em": [],
                                "frames": 0, "decode_s": 0.0, "check_s": 0.0, "failures": defaultdict(int),
                                "misses": [], "mf": defaultdict(lambda: [0, 0])})
    for item, row in load_imported(items):
        if not row.get("video"):
            continue
        w = item.state["vrbench"]
        r = rows[(item.state["game"], w.get("skin", "-"), item.difficulty)]
        fam = ImportedFamily(item.state["game"])
        path = root / row["video"]
        info = probe(path)
        t0 = time.perf_counter()
        frames = list(read_frames(path))
        t1 = time.perf_counter()
        fit = geometry.make_fit("letterbox", *item.canvas_size, info.width, info.height)
        fps = info.fps or fam.default_fps
        v = fam.check(item, frames, fit, fps)
        t2 = time.perf_counter()
        r["n"] += 1
        if v.failure == "NOT_JUDGED":  # no checker for this game (maze3d): counted apart, not as a failure
            r["not_judged"] += 1
            continue
        r["gt_pass"] += int(v.passed)
        if not v.passed:
            r["failures"][v.failure] += 1
            r["misses"].append(f"GT {row['video']}: {v.failure} at frame {v.first_error_frame}: {v.message}")
        r["sr"].append(v.metrics.get("sr", float(v.passed)))
        r["em"].append(v.metrics.get("em", float(v.passed)))
        r["frames"] += len(frames)
        r["decode_s"] += t1 - t0
        r["check_s"] += t2 - t1
        for name, fr in cheats(frames).items():
            r["cheats"] += 1
            passed = fam.check(item, fr, fit, fps).passed
            r["cheat_pass"] += int(passed)
            if passed:
                r["misses"].append(f"cheat {name} passes: {row['video']}")
        if with_must_fail and item.state["game"] in ("maze", "trapfield", "sokoban"):
            for name, fr in must_fail(frames, item).items():
                v = fam.check(item, fr, fit, fps)
                r["mf"][name][0] += int(v.passed)
                r["mf"][name][1] += 1
                if v.passed:
                    r["misses"].append(f"must-fail {name} passes: {row['video']}")
    return {"import": res, "rows": rows}


def table(out: dict, title: str, misses: bool = False) -> str:
    lines = [f"### {title}", "", "| game | skin | difficulty | GT videos | GT pass | cheat passes | SR | EM | "
             "checker fps ÷ decode fps | GT failure codes | must-fail passes |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for (game, skin, d), r in sorted(out["rows"].items()):
        ratio = (r["frames"] / r["check_s"]) / (r["frames"] / r["decode_s"]) if r["check_s"] and r["decode_s"] else 0
        codes = ", ".join(f"{k} {v}" for k, v in sorted(r["failures"].items())) or "—"
        judged = r["n"] - r["not_judged"]
        mf = ", ".join(f"{k} {p}/{t}" for k, (p, t) in sorted(r["mf"].items())) or "—"
        if not judged:
            lines.append(f"| {game} | {skin} | {d} | {r['n']} | not judged | — | — | — | — | "
                         f"NOT_JUDGED {r['n']} | — |")
            continue
        lines.append(f"| {game} | {skin} | {d} | {r['n']} | {100 * r['gt_pass'] / judged:.0f}% | "
                     f"{r['cheat_pass']}/{r['cheats']} | {np.mean(r['sr']):.2f} | {np.mean(r['em']):.2f} | "
                     f"{ratio:.2f} | {codes} | {mf} |")
    imp = out["import"]
    lines += ["", f"imported {imp['items']} levels; skipped games: {dict(imp['skipped_games']) or 'none'}; "
                  f"unreadable levels: {len(imp['errors'])}"]
    if misses:  # what to look at: every failing ground truth and every passing cheat
        lines += [""] + [m for r in out["rows"].values() for m in r["misses"]]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root", nargs="?", help="a VR-Bench tree ({split}/{game}/{skin}/{difficulty}/...)")
    ap.add_argument("--synth", type=int, default=0, help="build our VR-Bench-style tree, N levels per game × difficulty")
    ap.add_argument("--difficulties", default="easy,medium,hard")
    ap.add_argument("--skin", default="dungeon", help="our textured skin for --synth")
    ap.add_argument("--must-fail", action="store_true", help="also judge our must-fail set (grid games)")
    ap.add_argument("--misses", action="store_true", help="list every failing ground truth and passing cheat")
    a = ap.parse_args()
    if not a.root and not a.synth:
        ap.error("give a VR-Bench tree or --synth N")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if a.synth:
            from genbench.vrbench.synth import vrbench_style_tree

            root = work / "tree"
            vrbench_style_tree(root, a.synth, a.difficulties.split(","), skin=a.skin)
            title = (f"genbench's VR-Bench-style tree (our '{a.skin}' textured skin, no end hold) — NOT VR-Bench's "
                     "own generator")
        else:
            root, title = Path(a.root), f"VR-Bench tree {a.root}"
        print(table(bench(root, work, a.must_fail), title, a.misses))


if __name__ == "__main__":
    main()
