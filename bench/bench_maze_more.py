"""Throughput of maze.trapfield, maze.sokoban and maze.multilevel (and imported VR-Bench items),
each figure next to a reference measured in the same run.

  check fps    decode + judge of the oracle video ÷ pure PyAV decode to RGB of the same file
  items/s      (imported rows only) VR-Bench import + load rate; generation items/s of the families
               themselves is bench/bench_speed.py's column (--difficulty all --canvas none)

  python bench/bench_maze_more.py [--items 20] [--videos 2]     (pin a core: taskset -c 0 …)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from genbench.registry import task_family
from genbench.runner import judge_video
from genbench.video import read_frames, write_video

FAMILIES = ("maze.trapfield", "maze.sokoban", "maze.multilevel")


def rate(n: float, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def check_vs_decode(fam, item, path: Path, n_frames: int) -> tuple[float, float]:
    t = time.perf_counter()
    for _ in read_frames(path):
        pass
    dec = time.perf_counter() - t
    t = time.perf_counter()
    v = judge_video(fam, item, path)
    chk = time.perf_counter() - t
    assert v.status == "ok" and v.passed, (fam.name, v.failure, v.message)
    return rate(n_frames, chk), rate(n_frames, dec)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--videos", type=int, default=2, help="oracle videos per difficulty for check fps")
    ap.add_argument("--no-vrbench", action="store_true", help="skip the imported VR-Bench round trip")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="genbench-bench-more-"))
    print(f"{'family':<16} {'difficulty':<10} {'items/s':>8} | {'check fps':>9} {'decode fps':>10} {'ratio':>6}")
    for name in FAMILIES:
        fam = task_family(name)
        for d in fam.difficulties:
            fam.generate(0, d)  # warm caches
            cf, df = [], []
            for k in range(args.videos):
                item = fam.generate(k, d, seed=2)
                path = tmp / f"{name}_{d}_{k}.mp4"
                n = write_video(path, fam.solution_frames(item), fam.default_fps)
                c, dd = check_vs_decode(fam, item, path, n)
                cf.append(c)
                df.append(dd)
            c, dd = sum(cf) / len(cf), sum(df) / len(df)
            print(f"{name:<16} {d:<10} {'':>8} | {c:9.1f} {dd:10.1f} {c / dd:6.2f}")
    if not args.no_vrbench:
        from genbench.vrbench import ImportedFamily, export_vrbench, import_vrbench, load_imported

        root = tmp / "vr"
        export_vrbench("maze.grid,maze.trapfield,maze.sokoban", 1, ["medium"], root)
        t = time.perf_counter()
        import_vrbench(root, tmp / "items.jsonl")
        loaded = load_imported(tmp / "items.jsonl")
        imp_s = rate(len(loaded), time.perf_counter() - t)
        for item, row in loaded:
            n = sum(1 for _ in read_frames(row["video"]))
            c, dd = check_vs_decode(ImportedFamily(item.state["game"]), item, Path(row["video"]), n)
            print(f"{item.family:<16} {'medium':<10} {imp_s:8.1f} | {c:9.1f} {dd:10.1f} {c / dd:6.2f}  (imported)")


if __name__ == "__main__":
    main()
