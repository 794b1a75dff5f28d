"""The big checker-validity run: every perturbation on N items per family × difficulty × skin.

Prints, per family and perturbation, what the checker must decide, how often it did (must-pass
accuracy for "pass" rows, must-fail accuracy for the others), the verdicts actually seen, and the
checker's throughput (decode + judge, frames per second) next to pure PyAV decode of the same clips
measured in the same run. Target: 100% on both sides; every miss is listed.

    python bench/bench_validate.py --tasks maze.grid --n 50 --jobs 16 --out runs/validate-big
    python bench/bench_validate.py --tasks all --n 10 --max-frames 96   # quicker, shorter clips
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from genbench import validate as V


def _combo(args) -> tuple[list[dict], float, int]:
    """Validate one (family, difficulty, skin); also time pure decode of one clip per perturbation."""
    fam_name, difficulty, skin, n, seed, max_frames, only = args
    from genbench.registry import task_family
    from genbench.video import read_frames, write_video

    family = task_family(fam_name)
    tmp = Path(tempfile.mkdtemp(prefix="genbench-bv-"))
    plist = [p for p in V.perturbations_for(family) if not only or p.name in only]
    outcomes, dec_s, dec_frames = [], 0.0, 0
    for k, item in enumerate(family.items(difficulty, n, seed, skin)):
        for p in plist:
            o = V.run_one(family, item, p, seed, tmp, max_frames, skin)
            outcomes.append(o.to_json())
        if k == 0:  # decode reference: the oracle clip, decoded with nothing else done
            clip = V.canvas_clip(family, item, family.solution_frames(item))
            path = tmp / "ref.mp4"
            write_video(path, clip.frames, clip.fps, crf=clip.crf, preset=clip.preset)
            t = time.perf_counter()
            dec_frames += sum(1 for _ in read_frames(path))
            dec_s += time.perf_counter() - t
            path.unlink()
    return outcomes, dec_s, dec_frames


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default="maze.grid")
    ap.add_argument("--n", type=int, default=50, help="items per family × difficulty × skin")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--difficulty", default=None, help="comma-separated (default: all)")
    ap.add_argument("--skin", default=None, help="comma-separated (default: all, hard ones included)")
    ap.add_argument("--only", default=None, help="only these perturbations, comma-separated")
    ap.add_argument("--max-frames", type=int, default=None, help="frame budget for pace-free clips")
    ap.add_argument("--jobs", type=int, default=1, help="processes (one combo each)")
    ap.add_argument("--out", default=None, help="write validate.json here")
    args = ap.parse_args()
    split = lambda s: [x.strip() for x in s.split(",") if x.strip()] if s else None  # noqa: E731
    combos = V.combos(args.tasks, split(args.difficulty), split(args.skin))
    work = [(f, d, s, args.n, args.seed, args.max_frames, split(args.only)) for f, d, s in combos]
    report, dec_s, dec_frames = V.Report(), 0.0, 0
    t0 = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as ex:
            results = list(ex.map(_combo, work))
    else:
        results = [_combo(w) for w in work]
    for outs, ds, df in results:
        report.outcomes += [V.Outcome(**o) for o in outs]
        dec_s += ds
        dec_frames += df
    wall = time.perf_counter() - t0

    print(f"{'family':<16} {'perturbation':<18} {'expect':<17} {'n':>5} {'acc':>7}  verdicts seen")
    for r in report.table():
        got = ", ".join(f"{k}:{v}" for k, v in sorted(r["got"].items(), key=lambda kv: -kv[1]))
        print(f"{r['family']:<16} {r['perturbation']:<18} {r['expect']:<17} {r['n']:>5} {r['accuracy']:>7.2%}  {got}")
    s = report.summary()
    decode_fps = dec_frames / dec_s if dec_s else float("nan")
    print(f"\n{s['videos']} videos ({s['not_applicable']} not applicable) in {wall:.0f} s: must-pass "
          f"{s['must_pass_accuracy']:.2%}, must-fail {s['must_fail_accuracy']:.2%}, misses {s['misses']}")
    print(f"checker (decode + judge) {s['checker_fps']} fps; pure decode {decode_fps:.0f} fps; "
          f"ratio {s['checker_fps'] / decode_fps:.2f}")
    for o in [o for o in report.outcomes if not o.ok][:40]:
        print(f"MISS {o.item_id} {o.skin} {o.perturbation}: expected {o.expect}, got {o.got} ({o.message[:90]})")
    if args.out:
        path = V.write_report(report, args.out)
        data = json.loads(path.read_text())
        data["summary"]["decode_fps"] = round(decode_fps, 1)
        path.write_text(json.dumps(data, indent=2) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
