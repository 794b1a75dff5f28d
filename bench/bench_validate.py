"""The big checker-validity run: perturbations of N items per family × difficulty × skin.

Prints, per family and perturbation, what the checker must decide, how often it did (must-pass
accuracy for "pass" rows, must-fail accuracy for the others), the verdicts actually seen, a table per
perturbation over all families, and the checker's throughput (decode + judge, frames per second) next
to pure PyAV decode of the same clips measured in the same run. Target: 100% on both sides; every miss
is listed.

Every item gets every perturbation, or with ``--rotate K`` only K of them taken in turn (each combo
starting at a different place), so that many distinct items fit in a small budget while every
(family, perturbation) is still exercised about N·K/P times per combo. Outcomes stream to
``--out``/outcomes.jsonl one combo at a time: an interrupted run picks up at the first unfinished combo.

    python bench/bench_validate.py --tasks maze.grid --n 50 --jobs 16 --out runs/validate-big
    python bench/bench_validate.py --tasks all --n 50 --rotate 1 --max-frames 72 --jobs 2 --out runs/vbig
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import zlib
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from itertools import zip_longest
from pathlib import Path

from genbench import validate as V


def _combo(args) -> dict:
    """Validate one (family, difficulty, skin); also time pure decode of one clip."""
    fam_name, difficulty, skin, n, seed, max_frames, only, rotate = args
    from genbench.registry import task_family
    from genbench.video import read_frames, write_video

    family = task_family(fam_name)
    tmp = Path(tempfile.mkdtemp(prefix="genbench-bv-"))
    plist = V.selected(V.perturbations_for(family), only)
    start = zlib.crc32(f"{fam_name}/{difficulty}/{skin}".encode())  # combos start the rotation apart
    outcomes, dec_s, dec_frames = [], 0.0, 0
    for k, item in enumerate(family.items(difficulty, n, seed, skin)):
        chosen = plist if not rotate else [plist[(start + k * rotate + j) % len(plist)]
                                           for j in range(min(rotate, len(plist)))]
        for p in chosen:
            outcomes.append(V.run_one(family, item, p, seed, tmp, max_frames, skin).to_json())
        if k == 0:  # decode reference: the oracle clip, decoded with nothing else done
            clip = V.canvas_clip(family, item, family.solution_frames(item))
            path = tmp / "ref.mp4"
            write_video(path, clip.frames, clip.fps, crf=clip.crf, preset=clip.preset)
            t = time.perf_counter()
            dec_frames += sum(1 for _ in read_frames(path))
            dec_s += time.perf_counter() - t
            path.unlink()
    return {"combo": [fam_name, difficulty, skin], "outcomes": outcomes, "decode_s": dec_s,
            "decode_frames": dec_frames}


def _rate(rows) -> str:
    n = len(rows)
    return f"{sum(r.ok for r in rows)}/{n} {sum(r.ok for r in rows) / n:.2%}" if n else "none"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default="maze.grid")
    ap.add_argument("--n", type=int, default=50, help="items per family × difficulty × skin")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--difficulty", default=None, help="comma-separated (default: all)")
    ap.add_argument("--skin", default=None, help="comma-separated (default: all, hard ones included)")
    ap.add_argument("--only", default=None, help="only these perturbations, comma-separated names or shell patterns (preset_*, *+drift)")
    ap.add_argument("--rotate", type=int, default=None, help="perturbations per item, taken in turn")
    ap.add_argument("--max-frames", type=int, default=None, help="frame budget for pace-free clips")
    ap.add_argument("--jobs", type=int, default=1, help="processes (one combo each)")
    ap.add_argument("--out", default=None, help="stream outcomes here and write validate.json; resumes")
    ap.add_argument("--interleave", action="store_true",
                    help="take combos round-robin over families, so a run cut short covers every family")
    ap.add_argument("--report-only", action="store_true",
                    help="run nothing: print the tables of the combos --out holds (a run cut short)")
    args = ap.parse_args()
    split = lambda s: [x.strip() for x in s.split(",") if x.strip()] if s else None  # noqa: E731
    combos = V.combos(args.tasks, split(args.difficulty), split(args.skin))
    params = {"n": args.n, "seed": args.seed, "max_frames": args.max_frames, "only": split(args.only),
              "rotate": args.rotate}
    stream, done = None, {}
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        stream = out / "outcomes.jsonl"
        for line in stream.read_text().splitlines() if stream.exists() else []:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line: that combo runs again
            if rec.get("params") == params:
                done[tuple(rec["combo"])] = rec  # a combo written twice (two workers) counts once
    if args.interleave:  # round-robin over families; within one, every difficulty of a skin in turn
        by_family = defaultdict(list)
        for c in combos:
            by_family[c[0]].append(c)
        for cs in by_family.values():
            skins = list(dict.fromkeys(c[2] for c in cs))
            cs.sort(key=lambda c: skins.index(c[2]))  # stable: difficulties keep their order
        combos = [c for tier in zip_longest(*by_family.values()) for c in tier if c]
    finished = set(done)
    todo = [(f, d, s, args.n, args.seed, args.max_frames, split(args.only), args.rotate)
            for f, d, s in combos if (f, d, s) not in finished]
    print(f"{len(combos)} combos, {len(combos) - len(todo)} already done", flush=True)
    if args.report_only:
        todo = []

    results = [r for c, r in done.items() if c in set(combos)]
    t0 = time.perf_counter()

    def keep(rec):
        rec["params"] = params
        results.append(rec)
        if stream:
            with stream.open("a") as fh:
                fh.write(json.dumps(rec) + "\n")
        bad = sum(not o["ok"] for o in rec["outcomes"])
        print(f"[{len(results)}/{len(combos)} {time.perf_counter() - t0:.0f}s] {'/'.join(rec['combo'])}: "
              f"{len(rec['outcomes'])} videos, {bad} misses", flush=True)

    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as ex:
            for fut in as_completed([ex.submit(_combo, w) for w in todo]):
                keep(fut.result())
    else:
        for w in todo:
            keep(_combo(w))

    report, dec_s, dec_frames = V.Report(), 0.0, 0
    for rec in results:
        report.outcomes += [V.Outcome(**o) for o in rec["outcomes"]]
        dec_s += rec["decode_s"]
        dec_frames += rec["decode_frames"]
    judged = [o for o in report.outcomes if o.got != V.NOT_APPLICABLE]

    print(f"\n{'family':<24} {'perturbation':<20} {'expect':<17} {'n':>5} {'acc':>7}  verdicts seen")
    for r in report.table():
        got = ", ".join(f"{k}:{v}" for k, v in sorted(r["got"].items(), key=lambda kv: -kv[1]))
        print(f"{r['family']:<24} {r['perturbation']:<20} {r['expect']:<17} {r['n']:>5} {r['accuracy']:>7.2%}  {got}")

    print(f"\n{'perturbation (all families)':<28} {'expect':<10} {'correct/n':>16}")
    by_p = defaultdict(list)
    for o in judged:
        by_p[(o.perturbation, "pass" if o.expect == V.PASS else "fail")].append(o)
    for (p, side), rows in sorted(by_p.items(), key=lambda kv: (kv[0][1] != "pass", kv[0][0])):
        print(f"{p:<28} {side:<10} {_rate(rows):>16}")

    print(f"\n{'family':<24} {'items':>6} {'videos':>7} {'must-pass':>18} {'must-fail':>18}")
    by_f = defaultdict(list)
    for o in judged:
        by_f[o.family].append(o)
    for f, rows in sorted(by_f.items()):
        items = len({(o.difficulty, o.skin, o.item_id) for o in rows})
        print(f"{f:<24} {items:>6} {len(rows):>7} {_rate([o for o in rows if o.expect == V.PASS]):>18} "
              f"{_rate([o for o in rows if o.expect != V.PASS]):>18}")

    print(f"\n{'family':<24} {'must-pass false-fail [95% CI]':>36} {'must-fail false-pass [95% CI]':>36}")
    for r in report.error_rates():
        print(f"{r['family']:<24} {V.rate_text(r['false_fail'], r['pass_n'], r['false_fail_ci']):>36} "
              f"{V.rate_text(r['false_pass'], r['fail_n'], r['false_pass_ci']):>36}")

    s = report.summary()
    decode_fps = dec_frames / dec_s if dec_s else float("nan")
    print(f"\n{s['videos']} videos ({s['not_applicable']} not applicable) in {time.perf_counter() - t0:.0f} s "
          f"this run: {V.summary_line(s)}, misses {s['misses']}")
    if s["checker_fps"]:
        print(f"checker (decode + judge) {s['checker_fps']} fps; pure decode {decode_fps:.0f} fps; "
              f"ratio {s['checker_fps'] / decode_fps:.2f}")
    for o in [o for o in report.outcomes if not o.ok][:60]:
        print(f"MISS {o.item_id} {o.skin} {o.perturbation}: expected {o.expect}, got {o.got} ({o.message[:90]})")
    if args.out:
        path = V.write_report(report, args.out)
        data = json.loads(path.read_text())
        data["summary"]["decode_fps"] = round(decode_fps, 1)
        data["params"] = params
        path.write_text(json.dumps(data, indent=2) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
