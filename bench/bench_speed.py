"""One table of speed per family, each figure against a reference measured in the same process.

  gen/s        items generated per second (layout, solutions, first frame and content hash)
  render       render + H.264 encode of the oracle at the native canvas ÷ pure encode of the same
               frames (1.0 = drawing is free)
  check WxHxF  checker ÷ decode: the oracle letterboxed into a model canvas (832×480×81 and
               1280×704×121 by default, 24 fps) judged by ``runner.judge_video`` (decode included),
               against a pure PyAV decode of the same file with no pixel conversion (threads as in
               production). 1.0 = the checker costs nothing beyond decoding. A trailing ``!`` marks a
               ground truth that did not pass its checker at that canvas (a bug, not a speed figure).

Figures are medians of ``--repeats`` interleaved repeats (reference and subject alternate, so load on
a shared machine hits both alike), in process CPU time (``--clock cpu``, default) or wall time.

  python bench/bench_speed.py --tasks all --difficulty medium
  python bench/bench_speed.py --tasks maze.grid,puzzle.sorting --difficulty hard --canvas 832x480x81
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


def _clock(kind: str):
    return time.process_time if kind == "cpu" else time.perf_counter


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


def timed(now, fn):
    t = now()
    out = fn()
    return now() - t, out


def family_row(name: str, difficulty: str, args, tmp: Path, now) -> dict:
    fam = task_family(name)
    fam.generate(0, difficulty, seed=args.seed)  # warm imports and caches
    gen_t, _ = timed(now, lambda: [fam.generate(i, difficulty, seed=args.seed + 1) for i in range(args.items)])
    item = fam.generate(0, difficulty, seed=args.seed)
    w, h = item.canvas_size
    frames = list(fam.solution_frames(item))

    def encode_only():
        with VideoWriter(tmp / "enc.mp4", w, h, fam.default_fps) as wr:
            for f in frames:
                wr.write(f)

    def render_encode():
        write_video(tmp / "ren.mp4", fam.solution_frames(item), fam.default_fps)

    enc, ren = [], []
    for _ in range(args.repeats):
        enc.append(timed(now, encode_only)[0])
        ren.append(timed(now, render_encode)[0])
    row = {"family": name, "gen_s": args.items / gen_t if gen_t > 0 else float("inf"),
           "render": statistics.median(enc) / statistics.median(ren)}
    for cw, ch, nf in args.canvas:
        path = tmp / f"{name}_{cw}x{ch}x{nf}.mp4"
        canvas_clip(fam, item, path, cw, ch, nf)
        judge_video(fam, item, path)  # warm: per-item caches, as for every candidate after the first
        dec, chk, ok = [], [], True
        for _ in range(args.repeats):
            dec.append(timed(now, lambda: pure_decode(path))[0])
            t, verdict = timed(now, lambda: judge_video(fam, item, path))
            chk.append(t)
            ok = ok and bool(verdict.passed)
        row[(cw, ch, nf)] = (statistics.median(dec) / statistics.median(chk), ok)
    return row


def parse_canvas(text: str) -> list[tuple[int, int, int]]:
    out = []
    for part in text.split(","):
        w, h, f = (int(x) for x in part.lower().split("x"))
        out.append((w, h, f))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default="all")
    ap.add_argument("--difficulty", default="medium")
    ap.add_argument("--canvas", type=parse_canvas, default=parse_canvas("832x480x81,1280x704x121"),
                    help="model canvases as WxHxFRAMES, comma-separated")
    ap.add_argument("--items", type=int, default=20, help="items per family for gen/s")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    args = ap.parse_args()
    now = _clock(args.clock)
    tmp = Path(tempfile.mkdtemp(prefix="genbench-speed-"))
    heads = [f"check {w}x{h}x{f}" for w, h, f in args.canvas]
    print(f"# {args.clock} time, difficulty {args.difficulty}, median of {args.repeats} interleaved repeats")
    print(f"{'family':<24} {'gen/s':>8} {'render':>7} " + " ".join(f"{x:>20}" for x in heads))
    ratios = {c: [] for c in args.canvas}
    for name in resolve_tasks(args.tasks):
        fam = task_family(name)
        if args.difficulty not in fam.difficulties:
            continue
        row = family_row(name, args.difficulty, args, tmp, now)
        cells = []
        for c in args.canvas:
            r, ok = row[c]
            ratios[c].append(r)
            cells.append(f"{r:>19.2f}{' ' if ok else '!'}")
        print(f"{name:<24} {row['gen_s']:>8.1f} {row['render']:>7.2f} " + " ".join(cells), flush=True)
    for c, rs in ratios.items():
        if rs:
            print(f"# check {c[0]}x{c[1]}x{c[2]}: min {min(rs):.2f}, median {statistics.median(rs):.2f} "
                  f"over {len(rs)} families")


if __name__ == "__main__":
    main()
