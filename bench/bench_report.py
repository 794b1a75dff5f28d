"""Throughput of `genbench report`, next to pure decoding of the same videos measured in the same run.

  report samples/s   write_report() over a run of N samples (thumbnails, timelines, items rebuilt
                     for their input frame; the whole page written), and without rebuilding items
  decode samples/s   genbench.video.read_frames over every frame of the same videos (full size, RGB)
  ratio              report samples/s ÷ decode samples/s (> 1: the page costs less than decoding the
                     videos once; the report converts only the picked frames to RGB, at thumbnail size)

The run is made here with the reference generators (or pass --run DIR for an existing run). On a
shared machine use `--clock cpu` (process CPU time: other tenants' load does not count).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from genbench.report import write_report
from genbench.runner import RunConfig, run
from genbench.video import read_frames

now = time.perf_counter


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, default=None, help="an existing run directory (default: make one)")
    ap.add_argument("--tasks", default="maze.grid,puzzle.hanoi,puzzle.arithmetic")
    ap.add_argument("--models", default="oracle,static,jumpcut,random-walk")
    ap.add_argument("--limit", type=int, default=3, help="items per family and difficulty")
    ap.add_argument("--difficulty", default="easy,medium")
    ap.add_argument("--repeat", type=int, default=2, help="timed repeats (best is reported)")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall", help="wall time, or process CPU time")
    args = ap.parse_args()
    global now
    now = time.process_time if args.clock == "cpu" else time.perf_counter

    run_dir = args.run
    if run_dir is None:
        run_dir = Path(tempfile.mkdtemp(prefix="genbench-bench-report-")) / "run"
        run(RunConfig(tasks=args.tasks, models=args.models, limit=args.limit, difficulties=args.difficulty,
                      out=str(run_dir)), progress=False)
    rows = [json.loads(x) for x in (run_dir / "samples.jsonl").read_text().splitlines() if x.strip()]
    videos = [run_dir / r["video"] if not Path(r["video"]).is_absolute() else Path(r["video"])
              for r in rows if r.get("video")]
    n = len(rows)
    out = run_dir / "bench_report.html"
    write_report(run_dir, out, max_samples=n)  # warm: imports, registry discovery

    def best(fn) -> float:
        times = []
        for _ in range(args.repeat):
            t = now()
            fn()
            times.append(now() - t)
        return min(times)

    t_report = best(lambda: write_report(run_dir, out, max_samples=n))
    t_plain = best(lambda: write_report(run_dir, out, max_samples=n, items=False))
    frames = 0

    def decode_all():
        nonlocal frames
        frames = sum(1 for p in videos if p.exists() for _ in read_frames(p))

    t_decode = best(decode_all)
    size = out.stat().st_size
    print(f"run: {run_dir}  samples: {n}  videos: {len(videos)}  frames: {frames}  page: {size / 1e6:.2f} MB "
          f"({size / max(n, 1) / 1e3:.0f} kB/sample)")
    print(f"{'':<30} {'samples/s':>10} {'ratio vs decode':>16}")
    dec = len(videos) / t_decode
    print(f"{'decode (read_frames, full)':<30} {dec:>10.1f} {1.0:>16.2f}")
    for name, t in (("report (items rebuilt)", t_report), ("report (--no-items)", t_plain)):
        print(f"{name:<30} {n / t:>10.1f} {(n / t) / dec:>16.2f}")


if __name__ == "__main__":
    main()
