"""Fault injection: nothing lost, nothing duplicated, nothing leaked, concurrency bounded.

    python bench/bench_faults.py [--seconds 240] [--seed 0] [--out DIR]

A small reference-generator run (`--model oracle,static`, with a VLM judge) is made twice: once clean,
against a healthy judge server, and once the hard way, over and over until it finishes:

* the `genbench run` process is killed with SIGKILL at random moments;
* between runs, a random middle line of samples.jsonl is corrupted (cut, binary garbage, blank);
* the judge server (tests/chat_server.py on 127.0.0.1, nothing else is contacted) answers at random
  with 429, 500, a timeout, an empty reply, a malformed body, a 401 that echoes the API key, or a
  good answer that quotes the key;
* a secret is planted: the API key in OPENAI_API_KEY and a password inside OPENAI_BASE_URL.

Then it compares the survivor with the clean run and prints: rows lost, rows duplicated, checker
verdicts and videos that differ, secrets found in any file of the run directory (samples, rejected
lines, config, results, judge cache, report) or in anything genbench printed, and requests the server
saw beyond max_concurrency. Each of those must be 0 (the exit status says whether they were).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))
from chat_server import ChatServer, Delay, Error, Malformed  # noqa: E402

from genbench.store import retryable  # noqa: E402

KEY = "sk-proj-BENCHplanted0123456789abcdefSECRET"
PASSWORD = "BENCHpassw0rdSECRET"
NEEDLES = [KEY, KEY[3:], PASSWORD]
MAX_CONCURRENCY = 2
JUDGE_ARGS = (f"max_frames=3,long_side=64,max_retries=2,retry_base_delay=0.01,retry_max_delay=0.05,timeout=1,"
              f"max_concurrency={MAX_CONCURRENCY}")
FAULTS = {"good": 40, "429": 10, "500": 10, "timeout": 10, "empty": 8, "malformed": 8, "401-echo": 6,
          "good-quoting-key": 8}


def answer(req: dict, reasoning: str = "seen in the frames") -> str:
    text = req["messages"][1]["content"][-1]["text"]
    ids = re.findall(r"^([qb]\d+) ", text, flags=re.M)
    ans = "Good" if ids and ids[0].startswith("q") else "yes"
    return json.dumps({"answers": [{"id": i, "reasoning": reasoning, "answer": ans} for i in ids]})


class Flaky:
    """The judge server's behaviour: a seeded random fault (or a good answer) per request."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.counts: Counter = Counter()
        self.names, self.weights = zip(*FAULTS.items())

    def __call__(self, req: dict):
        kind = self.rng.choices(self.names, self.weights)[0]
        self.counts[kind] += 1
        return {
            "good": lambda: answer(req),
            "429": lambda: Error(429, retry_after=0),
            "500": lambda: Error(500),
            "timeout": lambda: Delay(3.0, answer(req)),  # past the client's 1 s timeout: the client hangs up
            "empty": lambda: "",
            "malformed": lambda: Malformed(),
            "401-echo": lambda: Error(401, message=f"Incorrect API key provided: {KEY} (Authorization: Bearer {KEY})"),
            "good-quoting-key": lambda: answer(req, f"the frames; by the way your key is {KEY}"),
        }[kind]()


def run_args(out: Path, tasks: str, limit: int) -> list[str]:
    return [sys.executable, "-m", "genbench.cli", "run", "--tasks", tasks, "--model", "oracle,static",
            "--limit", str(limit), "--difficulty", "easy", "--out", str(out), "--quiet", "--judge", "openai:bench",
            "--judge-args", JUDGE_ARGS, "--max-retries", "1000"]


def env_for(base_url: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "OPENAI_API_KEY": KEY}
    host = base_url.split("://", 1)[1]
    env["OPENAI_BASE_URL"] = f"http://genbench:{PASSWORD}@{host}"
    return env


def finished_rows(out: Path) -> dict[str, dict]:
    rows = {}
    for line in (out / "samples.jsonl").read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if isinstance(r, dict) and r.get("done") and r.get("key"):
            rows.setdefault(r["key"], []).append(r)
    return rows


def corrupt_middle_line(path: Path, rng: random.Random) -> str:
    lines = path.read_bytes().split(b"\n")
    if len(lines) < 4:
        return ""
    i = rng.randrange(1, len(lines) - 2)
    how = rng.choice(["cut", "garbage", "blank"])
    if how == "cut":
        lines[i] = lines[i][: max(1, len(lines[i]) // 3)]
    elif how == "garbage":
        lines.insert(i, bytes(rng.randrange(256) for _ in range(40)).replace(b"\n", b"?"))
    else:
        lines.insert(i, b"")
    path.write_bytes(b"\n".join(lines))
    return how


def video_digest(out: Path, row: dict) -> str | None:
    p = out / row["video"] if row.get("video") else None
    return hashlib.sha256(p.read_bytes()).hexdigest() if p and p.is_file() else None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=240, help="time budget for the kill/corrupt loop")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tasks", default="maze.grid,puzzle.sorting,puzzle.hanoi")
    ap.add_argument("--limit", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="work directory (default: a temporary one, removed)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    work = a.out or Path(tempfile.mkdtemp(prefix="bench-faults-"))
    work.mkdir(parents=True, exist_ok=True)
    clean, faulty = work / "clean", work / "faulty"
    for d in (clean, faulty):
        shutil.rmtree(d, ignore_errors=True)
    printed: list[str] = []
    t_start = time.monotonic()

    # the reference: one uninterrupted run against a healthy server
    with ChatServer(reply_fn=answer) as healthy:
        p = subprocess.run(run_args(clean, a.tasks, a.limit), env=env_for(healthy.base_url), capture_output=True,
                           text=True, timeout=600)
        printed += [p.stdout, p.stderr]
        if p.returncode != 0:
            print(p.stdout, p.stderr)
            return 2
    ref = {k: v[-1] for k, v in finished_rows(clean).items()}
    t_clean = time.monotonic() - t_start

    flaky = Flaky(a.seed)
    kills = corruptions = runs = 0
    corrupted: Counter = Counter()
    deadline = time.monotonic() + a.seconds
    with ChatServer(reply_fn=flaky) as srv:
        env = env_for(srv.base_url)
        while True:
            runs += 1
            killing = time.monotonic() < deadline - 2 * t_clean  # leave time to finish without kills
            proc = subprocess.Popen(run_args(faulty, a.tasks, a.limit), env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, start_new_session=True)
            try:
                if killing:
                    try:
                        proc.wait(timeout=rng.uniform(0.1, 0.7) * t_clean)
                    except subprocess.TimeoutExpired:
                        os.kill(proc.pid, signal.SIGKILL)  # our own child, by its id
                        kills += 1
                stdout, stderr = proc.communicate(timeout=600)
            finally:
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait()
            printed += [stdout or "", stderr or ""]
            samples = faulty / "samples.jsonl"
            if killing and samples.exists() and rng.random() < 0.5:
                how = corrupt_middle_line(samples, rng)
                if how:
                    corruptions += 1
                    corrupted[how] += 1
            if proc.returncode == 0:
                res = json.loads((faulty / "results.json").read_text())
                if not killing and res["unfinished"]["generation_failed"] == 0 and res["unfinished"]["judge_errors"] == 0:
                    break
            if time.monotonic() > deadline + 10 * t_clean + 120:
                print("gave up: the faulty run did not finish in time")
                break
        max_in_flight = srv.max_in_flight
        cancelled = srv.cancelled
        requests = srv.request_count
    rep = subprocess.run([sys.executable, "-m", "genbench.cli", "report", str(faulty)], env=env,
                         capture_output=True, text=True, timeout=600)
    printed += [rep.stdout, rep.stderr]

    rows = finished_rows(faulty)
    final = {}
    for k, rs in rows.items():
        final[k] = rs[-1]
    lost = sorted(set(ref) - set(final))
    dup = sum(len([r for r in rs if not retryable(r)]) - 1 for rs in rows.values()
              if len([r for r in rs if not retryable(r)]) > 1)
    verdict = lambda r: (r["verdict"]["status"], r["verdict"]["passed"], r["verdict"]["failure"])  # noqa: E731
    differ = sum(verdict(ref[k]) != verdict(final[k]) for k in ref if k in final)
    videos_differ = sum(video_digest(clean, ref[k]) != video_digest(faulty, final[k]) for k in ref if k in final)
    judge_errors = sum(retryable(r) for r in final.values())
    secrets = []
    for p in sorted(faulty.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            secrets += [f"{p.relative_to(faulty)}: {n[:12]}…" for n in NEEDLES if n.encode() in data]
    secrets += [f"printed output: {n[:12]}…" for n in NEEDLES if any(n in s for s in printed)]
    rejected = faulty / "samples.rejected.jsonl"
    n_rejected = len(rejected.read_text().splitlines()) if rejected.exists() else 0
    beyond = max(0, max_in_flight - MAX_CONCURRENCY)

    print(f"work directory: {work}")
    print(f"samples per run: {len(ref)} (tasks {a.tasks}, limit {a.limit}, models oracle,static, VLM judge)")
    print(f"clean run: {t_clean:.1f} s; faulty: {runs} runs, {kills} kill -9, {corruptions} corrupted middle lines "
          f"({dict(corrupted)}), {n_rejected} lines moved to samples.rejected.jsonl")
    print(f"judge server: {requests} requests, faults {dict(flaky.counts)}, {cancelled} abandoned requests cancelled")
    print()
    figures = [("rows lost", len(lost)), ("rows duplicated", dup), ("checker verdicts differing", differ),
               ("videos differing", videos_differ), ("secrets found", len(secrets)),
               ("requests beyond max_concurrency", beyond), ("judge errors left", judge_errors)]
    for name, v in figures:
        print(f"{name:34s} {v}")
    print(f"{'peak requests in flight':34s} {max_in_flight} (max_concurrency {MAX_CONCURRENCY})")
    for s in secrets[:10]:
        print("  secret:", s)
    if lost:
        print("  lost:", lost[:10])
    if a.out is None:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if any(v for _, v in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
