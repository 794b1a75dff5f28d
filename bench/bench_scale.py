"""Scaling out on reference generators: one process against a 2-process data-parallel launch
(``torchrun --nproc_per_node 2 -m genbench run``) and against two ``--shard K/2`` processes started
together, on the same work; then the cost of ``genbench merge`` against re-reading the samples files.

  samples/s    finished samples ÷ wall time of the whole command (process start-up included)
  speed-up     samples/s ÷ the one-process figure measured in this run
  merge        wall time of `genbench merge` (work list + every slice file + results.json) and its
               ratio to a plain parse of the same samples files

  python bench/bench_scale.py --limit 12 --models oracle,static,random-walk
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def env() -> dict:
    e = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def timed(cmds: list[list[str]]) -> float:
    t = time.perf_counter()
    procs = [subprocess.Popen(c, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for c in cmds]
    for p in procs:
        if p.wait() != 0:
            raise SystemExit(f"failed: {' '.join(p.args)}")
    return time.perf_counter() - t


def samples(out: Path) -> int:
    return sum(1 for p in out.glob("samples*.jsonl") for line in p.read_text().splitlines()
               if line.strip() and json.loads(line).get("done"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default="maze.grid")
    ap.add_argument("--models", default="oracle,static,random-walk")
    ap.add_argument("--limit", type=int, default=12)
    ap.add_argument("--difficulty", default="easy,medium")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="genbench-scale-"))
    base = [sys.executable, "-m", "genbench", "run", "--tasks", args.tasks, "--model", args.models, "--limit",
            str(args.limit), "--difficulty", args.difficulty, "--quiet"]
    launch = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "-m", "genbench", *base[3:]]
    runs = {
        "1 process": [base + ["--out", str(tmp / "one")]],
        "torchrun 2 processes": [launch + ["--out", str(tmp / "dp")]],
        "--shard 0/2 + 1/2": [base + ["--out", str(tmp / "sh"), "--shard", f"{k}/2"] for k in range(2)],
    }
    print(f"{'setup':<24} {'samples':>8} {'wall s':>8} {'samples/s':>10} {'speed-up':>9}")
    ref = None
    for name, cmds in runs.items():
        seconds = timed(cmds)
        out = Path(cmds[0][cmds[0].index("--out") + 1])
        n = samples(out)
        rate = n / seconds
        ref = ref or rate
        print(f"{name:<24} {n:>8} {seconds:>8.1f} {rate:>10.2f} {rate / ref:>9.2f}")
    sh = tmp / "sh"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "genbench", "merge", str(sh)], env=env(), check=True,
                   stdout=subprocess.DEVNULL)
    merge_s = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import json,glob,sys; [json.loads(l) for p in glob.glob(sys.argv[1] + "
                    "'/samples*.jsonl') for l in open(p)]", str(sh)], check=True)
    parse_s = time.perf_counter() - t
    print(f"merge of {samples(sh)} samples: {merge_s:.2f} s wall (process start-up included); a bare parse of "
          f"the same files in a fresh process: {parse_s:.2f} s; ratio {merge_s / parse_s:.1f}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
