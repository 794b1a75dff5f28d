"""Layout reader accuracy: read maze.grid from the first decoded frame of validate's clips.

For every skin × difficulty, N items, and each must-pass perturbation (the clip encoded and decoded
as a model's video would be), ``genbench.checkers.read_grid_maze`` must recover the exact block grid
and the agent's and goal's cells (markers matched by the skin's colours, the prompt's words in a
text-to-video run). Must-fail clips whose first frame differs (a layout changed later does not
change the first frame) are not the reader's to reject. Rows by perturbation, skin, difficulty and
the decoded canvas (W×H), with Wilson 95% intervals on the totals. A clip whose first frame, before
encoding, is the oracle clip's at the same encoder settings (other frame rates, holds, camera motion
that starts still) shows the reader nothing new and is skipped, unless ``--every-clip`` or ``--t2v``.
``--t2v`` also judges each whole clip in text-to-video mode (the oracle drawn and solved, judged
knowing only the prompt's size, start and goal): the pass rate per row; ``--misses`` lists every
clip that was misread or failed. ``--t2v --cheats`` also judges the family's must-fail clips (static,
cut to the answer, teleport, wall crossing, …) in text-to-video mode: each that passes is a false pass.

Must-fail frames — every other family's first frames (3 items per difficulty; maze.grid-draw is a
grid maze and is left out), noise, blank, a gradient, a blurred photo-like frame — must raise
LayoutNotFound: the table counts how many did not (a confident wrong grid).

Clips stream to ``--out``/clips.jsonl one skin × difficulty at a time: an interrupted run picks up at
the first unfinished one (same parameters); ``--jobs`` runs combos in parallel processes.
``--keep-clips DIR`` (with ``--t2v``) keeps every encoded clip there and judges a kept one again as it
is: a checker change is re-judged without rendering and encoding again.

    python bench/bench_maze_reader.py --n 1 --jobs 2 --out runs/reader
    python bench/bench_maze_reader.py --t2v --difficulty hard --misses \\
        --only crf40,letterbox_832x480,blur,stretch_1280x720,drift_crf38,drift_letterbox_crf40
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import cv2
import numpy as np

from genbench import validate as V
from genbench.checkers import LayoutNotFound, read_grid_maze
from genbench.metrics import wilson
from genbench.registry import entries, task_family
from genbench.runner import judge_video
from genbench.video import read_frames, write_video

NOT_MAZES_EXCLUDED = ("maze.grid", "maze.grid-draw")  # grid mazes: reading them is right


def judge(item, frame) -> tuple[bool, bool]:
    """(grid exact, agent and goal cells exact)."""
    try:
        r = read_grid_maze(frame)
    except LayoutNotFound:
        return False, False
    grid = r.block_grid().shape == np.shape(item.state["grid"]) and np.array_equal(r.block_grid(), item.state["grid"])
    sk = item.state["skin"]
    # agent and goal are two markers: the pair nearest the skin's two colours (a codec can shift a colour
    # nearer the other's, as on agent_near_goal at CRF 40, where each by itself would pick the goal twice)
    dist = lambda m, rgb: float(np.linalg.norm(np.subtract(m.colour, rgb, dtype=np.float64)))  # noqa: E731
    pairs = [(dist(a, sk["agent"]) + dist(g, sk["goal"]), a, g) for a in r.markers for g in r.markers if a is not g]
    if not pairs:
        return grid, False
    _, a, g = min(pairs, key=lambda p: p[0])
    cells = (tuple(a.cell), tuple(g.cell)) == (tuple(item.state["solutions"][0][0]), tuple(item.state["goal"]))
    return grid, grid and cells


def _combo(args) -> list[dict]:
    """Every must-pass clip of one (difficulty, skin): one record each."""
    difficulty, skin, n, only, t2v, every_clip, cheats, keep_clips = args
    fam = task_family("maze.grid")
    tmp = Path(tempfile.mkdtemp(prefix="genbench-reader-"))
    path = tmp / "c.mp4"
    token = V.BUDGET.set(72 if t2v else 24)  # only the first frame is read (the whole clip with --t2v)
    out = []
    try:
        for item in fam.items(difficulty, n, 0, skin):
            seen = set()  # (raw first frame, crf, preset) already read for this item
            for p in V.perturbations_for(fam):
                if (not p.must_pass and not cheats) or (only and p.name not in only):
                    continue
                kept = Path(keep_clips) / f"{difficulty}_{skin}_{item.index}_{p.name}.mp4" if keep_clips else None
                if kept and kept.exists() and t2v:  # encoded by an earlier run: judged again as it is
                    out.append(_judge_clip(fam, item, p, kept, difficulty, skin))
                    continue
                clip = p.make(fam, item, np.random.default_rng(item.index))
                if clip is None:  # not applicable to this item
                    continue
                frames = list(clip.frames)
                key = (frames[0].tobytes(), frames[0].shape, clip.crf, clip.preset)
                if key in seen and not (every_clip or t2v):
                    continue
                seen.add(key)
                write_video(kept or path, frames, clip.fps, crf=clip.crf, preset=clip.preset)
                out.append(_judge_clip(fam, item, p, kept or path, difficulty, skin, t2v))
    finally:
        V.BUDGET.reset(token)
        path.unlink(missing_ok=True)
    return out


def not_maze_frames():
    """(name, frame) for frames that are no grid maze."""
    for name in entries("task"):
        if name in NOT_MAZES_EXCLUDED:
            continue
        fam = task_family(name)
        for d in fam.difficulties:
            for i in range(3):
                skin = fam.skins[i % len(fam.skins)] if fam.skins else None
                yield name, fam.generate(i, d, skin=skin).first_frame
    rng = np.random.default_rng(0)
    H, W = 480, 832
    y, x = np.mgrid[0:H, 0:W]
    gradient = np.stack([x * 255 / W, y * 255 / H, (x + y) * 127 / (H + W)], -1).astype(np.uint8)
    photo = cv2.GaussianBlur(rng.integers(0, 256, (H // 16, W // 16, 3), dtype=np.uint8), (0, 0), 1.5)
    photo = cv2.resize(photo, (W, H), interpolation=cv2.INTER_CUBIC)  # smooth blobs of colour
    yield "noise", rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    yield "blank", np.full((H, W, 3), 128, np.uint8)
    yield "black", np.zeros((H, W, 3), np.uint8)
    yield "gradient", gradient
    yield "photo-like", photo


def _load(stream: Path, params: dict) -> dict:
    """Combos already judged with these parameters: (difficulty, skin) -> records."""
    done = {}
    for line in stream.read_text().splitlines() if stream.exists() else []:
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue  # a torn last line: that combo runs again
        if rec.get("params") == params:
            done[tuple(rec["combo"])] = rec["clips"]
    return done


def _pct(k: int, n: int) -> str:
    lo, hi = wilson(k, n)
    return f"{k}/{n} = {k / n:.2%} [{lo:.2%}, {hi:.2%}]" if n else "none"


def print_tables(clips: list[dict], t2v: bool) -> dict:
    rows = defaultdict(lambda: [0, 0, 0, 0])  # key -> [n, grid ok, grid+markers ok, t2v passed]
    cheats = [c for c in clips if "expect" in c]
    clips = [c for c in clips if "expect" not in c]
    for c in clips:
        for key in (("perturbation", c["perturbation"]), ("skin", c["skin"]), ("difficulty", c["difficulty"]),
                    ("canvas", c["canvas"]), ("all", "")):
            r = rows[key]
            r[0] += 1
            r[1] += c["grid"]
            r[2] += c["markers"]
            r[3] += bool(c.get("t2v"))
    t2v_col = f" {'t2v passed':>11}" if t2v else ""
    print(f"{'by':<13} {'':<24} {'n':>5} {'grid exact':>12} {'+ agent, goal':>14}{t2v_col}")
    for (kind, name), (n, g, m, t) in sorted(rows.items()):
        print(f"{kind:<13} {name:<24} {n:>5} {g / n:>12.2%} {m / n:>14.2%}" + (f" {t / n:>11.2%}" if t2v else ""))
    n, g, m, t = rows[("all", "")]
    print(f"\ntotal: grid exact {_pct(g, n)}; + agent, goal {_pct(m, n)}" + (f"; t2v passed {_pct(t, n)}" if t2v else ""))
    if cheats:
        by = defaultdict(lambda: [0, 0, Counter()])  # must-fail perturbation -> [n, passed, failure codes]
        for c in cheats:
            r = by[c["perturbation"]]
            r[0] += 1
            r[1] += c["t2v"]
            r[2][c["failure"] or "pass"] += 1
        print(f"\n{'must-fail (t2v)':<24} {'n':>5} {'passed':>7}  verdicts")
        for name, (n, k, got) in sorted(by.items()):
            print(f"{name:<24} {n:>5} {k:>7}  {dict(got)}")
        n, k = len(cheats), sum(c["t2v"] for c in cheats)
        print(f"must-fail clips passed in t2v: {_pct(k, n)}")
        rows[("must-fail", "passed")] = [n, 0, 0, k]
    return {f"{k}/{name}": v for (k, name), v in rows.items()}


def _judge_clip(fam, item, p, path: Path, difficulty: str, skin: str, t2v: bool = True) -> dict:
    """One encoded clip's record: a cheat's t2v verdict, or a must-pass clip's first-frame read (and t2v)."""
    rec = {"difficulty": difficulty, "skin": skin, "item": item.index, "perturbation": p.name}
    if not p.must_pass:  # a cheat: only whether text-to-video judging passes it counts
        v = judge_video(fam, item, path, mode="t2v")
        return {**rec, "expect": p.expect, "t2v": bool(v.passed), "failure": v.failure}
    frame = next(iter(read_frames(path)))
    g, m = judge(item, frame)
    rec.update(canvas=f"{frame.shape[1]}x{frame.shape[0]}", grid=bool(g), markers=bool(m))
    if t2v:
        v = judge_video(fam, item, path, mode="t2v")
        rec.update(t2v=bool(v.passed), failure=v.failure, message=(v.message or "")[:160])
    return rec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1)
    ap.add_argument("--difficulty", default=None, help="Only these difficulties, comma-separated.")
    ap.add_argument("--skin", default=None, help="Only these skins, comma-separated.")
    ap.add_argument("--t2v", action="store_true", help="Also judge each whole clip in text-to-video mode.")
    ap.add_argument("--cheats", action="store_true", help="With --t2v: also judge the must-fail clips.")
    ap.add_argument("--only", default=None, help="Only these must-pass perturbations, comma-separated.")
    ap.add_argument("--every-clip", action="store_true", help="Also read clips whose first frame is the oracle's.")
    ap.add_argument("--misses", action="store_true", help="List every misread or failed clip.")
    ap.add_argument("--jobs", type=int, default=1, help="processes (one skin × difficulty each)")
    ap.add_argument("--out", default=None, help="stream clips here and write reader.json; resumes")
    ap.add_argument("--keep-clips", default=None,
                    help="with --t2v: keep each encoded clip in this folder and judge a kept one again as it is "
                         "(a checker change re-judged without rendering and encoding again)")
    ap.add_argument("--skip-must-fail", action="store_true", help="Do not read the no-maze frames.")
    ap.add_argument("--report-only", action="store_true",
                    help="judge nothing: print the tables of the combos --out holds (a run cut short)")
    args = ap.parse_args()
    split = lambda s: [x.strip() for x in s.split(",") if x.strip()] if s else None  # noqa: E731
    params = {"n": args.n, "only": split(args.only), "t2v": args.t2v, "every_clip": args.every_clip}
    if args.cheats:
        params["cheats"] = True
    combos = [(d, s) for _, d, s in V.combos("maze.grid", split(args.difficulty), split(args.skin))]
    out = Path(args.out) if args.out else None
    stream = out / "clips.jsonl" if out else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    done = _load(stream, params) if stream else {}
    if args.keep_clips:
        Path(args.keep_clips).mkdir(parents=True, exist_ok=True)
    todo = [(d, s, args.n, params["only"], args.t2v, args.every_clip, args.cheats and args.t2v, args.keep_clips)
            for d, s in combos if (d, s) not in done]
    print(f"{len(combos)} combos, {len(combos) - len(todo)} already done", flush=True)
    if args.report_only:
        todo = []
    results = {c: done[c] for c in combos if c in done}
    t0 = time.perf_counter()

    def keep(w, clips):
        results[(w[0], w[1])] = clips
        if stream:
            with stream.open("a") as fh:
                fh.write(json.dumps({"params": params, "combo": [w[0], w[1]], "clips": clips}) + "\n")
        bad = sum(c["t2v"] if "expect" in c else not c["grid"] or not c["markers"] or c.get("t2v") is False
                  for c in clips)
        print(f"[{len(results)}/{len(combos)} {time.perf_counter() - t0:.0f}s] {w[0]}/{w[1]}: "
              f"{len(clips)} clips, {bad} misread or failed", flush=True)

    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as ex:
            futs = {ex.submit(_combo, w): w for w in todo}
            for fut in as_completed(futs):
                keep(futs[fut], fut.result())
    else:
        for w in todo:
            keep(w, _combo(w))
    clips = [c for cs in results.values() for c in cs]
    table = print_tables(clips, args.t2v) if clips else {}
    if args.misses:
        for c in clips:
            if "expect" in c:
                if c["t2v"]:
                    print(f"FALSE PASS {c['difficulty']}/{c['skin']}/{c['item']} {c['perturbation']}")
                continue
            if not c["grid"] or not c["markers"] or c.get("t2v") is False:
                what = "grid misread" if not c["grid"] else "markers misread" if not c["markers"] else "t2v failed"
                print(f"MISS {c['difficulty']}/{c['skin']}/{c['item']} {c['perturbation']} {c['canvas']}: {what}"
                      + (f" ({c.get('failure')}: {c.get('message')})" if c.get("t2v") is False else ""))
    wrong = defaultdict(lambda: [0, 0])  # source -> [frames, read as a maze]
    if not args.skip_must_fail:
        for name, frame in not_maze_frames():
            try:
                read_grid_maze(frame)
                wrong[name][1] += 1
            except LayoutNotFound:
                pass
            wrong[name][0] += 1
        total, bad = sum(v[0] for v in wrong.values()), sum(v[1] for v in wrong.values())
        print(f"\nmust-fail frames (no grid maze): {total}, read as a maze anyway: {bad}"
              + "".join(f"\n  {k}: {b}/{n} read" for k, (n, b) in sorted(wrong.items()) if b))
    if out:
        (out / "reader.json").write_text(json.dumps({"params": params, "must_pass": table,
                                                     "must_fail": dict(wrong)}, indent=1))


if __name__ == "__main__":
    main()
