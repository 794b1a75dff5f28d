"""The checkers of the graph mazes (hex, circular, irregular) and the draw-the-path grid maze.

Generation items/s (layout, shortest paths, first frame, content hash) is bench/bench_speed.py's column:
  python bench/bench_speed.py --tasks maze.hex,maze.circular,maze.irregular,maze.grid-draw --difficulty all --canvas none

  check fps    decode (at the checker's working size) + judge of the oracle video
  decode fps   pure PyAV decode of the same file to full-size RGB (the reference, same run)
  ratio        check fps ÷ decode fps

One CPU core: run as `taskset -c 0 python bench/bench_maze_graphs.py` to pin it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from genbench.registry import task_family
from genbench.runner import judge_video
from genbench.video import read_frames, write_video

FAMILIES = ("maze.hex", "maze.circular", "maze.irregular", "maze.grid-draw")


def rate(n: float, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--videos", type=int, default=2, help="oracle videos per family × difficulty")
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--difficulties", default="easy,hard,ood")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="genbench-bench-"))
    print(f"{'family':<15} {'difficulty':<10} {'frames':>6} {'check fps':>9} "
          f"{'decode fps':>10} {'ratio':>6}")
    for name in args.families.split(","):
        fam = task_family(name)
        for d in args.difficulties.split(","):
            fam.generate(0, d)  # warm caches and imports
            frames = c_time = dec_time = 0.0
            for k in range(args.videos):
                item = fam.generate(k, d, seed=2)
                path = tmp / f"{name}_{d}_{k}.mp4"
                n = write_video(path, fam.solution_frames(item), fam.default_fps)
                fam.region_map(item) if hasattr(fam, "region_map") else fam.stroke_map(item)  # built once per item
                t = time.perf_counter()
                for _ in read_frames(path):
                    pass
                dec_time += time.perf_counter() - t
                t = time.perf_counter()
                v = judge_video(fam, item, path)
                c_time += time.perf_counter() - t
                assert v.passed, (name, d, v.failure, v.message)
                frames += n
            print(f"{name:<15} {d:<10} {frames:>6.0f} {rate(frames, c_time):>9.0f} "
                  f"{rate(frames, dec_time):>10.0f} {dec_time / c_time:>6.2f}")


if __name__ == "__main__":
    main()
