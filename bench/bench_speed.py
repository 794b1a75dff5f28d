"""One table of speed per family, each figure against a reference measured in the same process.

  gen/s        items generated per second (layout, solutions, first frame and content hash)
  render       render + H.264 encode of the oracle at the native canvas ÷ pure encode of the same
               frames (1.0 = drawing is free)
  check WxHxF  checker ÷ decode: the oracle letterboxed into a model canvas (832×480×81 and
               1280×704×121 by default, 24 fps) judged by ``runner.judge_video`` (decode included),
               against a pure PyAV decode of the same file with no pixel conversion (threads as in
               production). 1.0 = the checker costs nothing beyond decoding. A trailing ``!`` marks a
               ground truth that did not pass its checker at that canvas (a bug, not a speed figure).

Every figure is taken in process CPU time and in wall time at once (``cpu/wall`` in each cell): CPU
time is steady on a shared machine, wall time shows what threads (the encoder's, the decoder's) buy.
Figures are medians of ``--repeats`` interleaved repeats (generation, encode, render + encode, decode
and check alternate, so load on a shared machine hits them alike).

  python bench/bench_speed.py --tasks all --difficulty medium
  python bench/bench_speed.py --tasks maze.grid,puzzle.sorting --difficulty hard --canvas 832x480x81
  python bench/bench_speed.py --tasks maze.grid,maze.sokoban --difficulty all --canvas none   # generation and render only
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from genbench import geometry
from genbench.registry import resolve_tasks, task_family
from genbench.runner import judge_video
from genbench.video import VideoWriter, open_video, write_video


def pure_decode(path: Path) -> int:
    """Reference: decode every frame, no pixel conversion, threads as read_frames uses them."""
    container = open_video(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        return sum(1 for _ in container.decode(stream))
    finally:
        container.close()


def canvas_clip(family, item, path: Path, w: int, h: int, frames: int, fps: float = 24.0) -> None:
    """The oracle at ``frames`` frames, letterboxed into a w×h model canvas."""
    fit = geometry.make_fit("letterbox", *item.canvas_size, w, h)
    write_video(path, (geometry.apply(fit, f) for f in family.solution_frames(item, num_frames=frames)), fps)


def timed(fn):
    """(cpu seconds, wall seconds, result) of one call."""
    c, w = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - c, time.perf_counter() - w, out


def median_pair(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def ratio(ref: tuple[float, float], subject: tuple[float, float]) -> tuple[float, float]:
    return tuple(r / s if s > 0 else float("inf") for r, s in zip(ref, subject))


def family_row(name: str, difficulty: str, args, tmp: Path) -> dict:
    """Generation, render and check figures of one family × difficulty, each a (cpu, wall) pair."""
    fam = task_family(name)
    fam.generate(0, difficulty, seed=args.seed)  # warm imports and caches
    item = fam.generate(0, difficulty, seed=args.seed)
    w, h = item.canvas_size
    frames = list(fam.solution_frames(item))

    def generate_batch(r: int):
        first = r * args.items  # fresh indices per repeat: no item is generated twice
        return [fam.generate(i, difficulty, seed=args.seed + 1) for i in range(first, first + args.items)]

    def encode_only():
        with VideoWriter(tmp / "enc.mp4", w, h, fam.default_fps) as wr:
            for f in frames:
                wr.write(f)

    def render_encode():
        write_video(tmp / "ren.mp4", fam.solution_frames(item), fam.default_fps)

    clips = {}
    for cw, ch, nf in args.canvas:
        clips[(cw, ch, nf)] = path = tmp / f"{name}_{cw}x{ch}x{nf}.mp4"
        canvas_clip(fam, item, path, cw, ch, nf)
        judge_video(fam, item, path)  # warm: per-item caches, as for every candidate after the first
    gen, enc, ren = [], [], []
    dec = {c: [] for c in clips}
    chk = {c: [] for c in clips}
    ok = {c: True for c in clips}
    for r in range(args.repeats):
        gen.append(timed(lambda: generate_batch(r))[:2])
        enc.append(timed(encode_only)[:2])
        ren.append(timed(render_encode)[:2])
        for c, path in clips.items():
            dec[c].append(timed(lambda: pure_decode(path))[:2])
            tc, tw, verdict = timed(lambda: judge_video(fam, item, path))
            chk[c].append((tc, tw))
            ok[c] = ok[c] and bool(verdict.passed)
    g = median_pair(gen)
    row = {"family": name, "difficulty": difficulty, "gen_s": ratio((args.items, args.items), g),
           "render": ratio(median_pair(enc), median_pair(ren))}
    for c in clips:
        row[c] = (ratio(median_pair(dec[c]), median_pair(chk[c])), ok[c])
    return row


def pair(x: tuple[float, float], digits: int) -> str:
    return f"{x[0]:.{digits}f}/{x[1]:.{digits}f}"


def parse_canvas(text: str) -> list[tuple[int, int, int]]:
    if text.strip().lower() == "none":
        return []
    out = []
    for part in text.split(","):
        w, h, f = (int(x) for x in part.lower().split("x"))
        out.append((w, h, f))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default="all")
    ap.add_argument("--difficulty", default="medium", help="one difficulty, a comma list, or 'all' (every "
                    "difficulty a family has; one row each)")
    ap.add_argument("--canvas", type=parse_canvas, default=parse_canvas("832x480x81,1280x704x121"),
                    help="model canvases as WxHxFRAMES, comma-separated; 'none' skips the check columns")
    ap.add_argument("--items", type=int, default=20, help="items per family and repeat for gen/s")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="genbench-speed-"))
    heads = [f"check {w}x{h}x{f}" for w, h, f in args.canvas]
    print(f"# cells are cpu/wall; median of {args.repeats} interleaved repeats, {args.items} items per repeat")
    print(f"{'family':<22} {'difficulty':<10} {'gen/s':>13} {'render':>9} " + " ".join(f"{x:>20}" for x in heads))
    ratios = {c: [] for c in args.canvas}
    for name in resolve_tasks(args.tasks):
        fam = task_family(name)
        wanted = fam.difficulties if args.difficulty == "all" else args.difficulty.split(",")
        for difficulty in (d for d in wanted if d in fam.difficulties):
            row = family_row(name, difficulty, args, tmp)
            cells = []
            for c in args.canvas:
                r, ok = row[c]
                ratios[c].append(r[0])
                cells.append(f"{pair(r, 2):>19}{' ' if ok else '!'}")
            print(f"{name:<22} {difficulty:<10} {pair(row['gen_s'], 0):>13} {pair(row['render'], 2):>9} "
                  + " ".join(cells), flush=True)
    for c, rs in ratios.items():
        if rs:
            print(f"# check {c[0]}x{c[1]}x{c[2]} (cpu): min {min(rs):.2f}, median {statistics.median(rs):.2f} "
                  f"over {len(rs)} rows")


if __name__ == "__main__":
    main()
