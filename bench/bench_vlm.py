"""VLM judge throughput against the local scripted server, and the cache hit rate of a resumed run.

    python bench/bench_vlm.py [--videos 24] [--delay 0.2]

The server answers every request after a fixed delay (a stand-in for model latency). Printed:
judge requests/s with max_concurrency 1 and 8 and their ratio (the ideal is min(8, videos) when the
delay dominates), the same-run reference of frame sampling alone (decode + resize + PNG, the local
work per request), and the response-cache hit rate when a finished run is resumed with a judge added.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from chat_server import ChatServer  # noqa: E402

from genbench.judges.backends import OpenAIChatBackend, image_part  # noqa: E402
from genbench.judges.frames import FrameSampling, sample_video  # noqa: E402
from genbench.judges.vlm import JudgeSettings, VLMJudge  # noqa: E402
from genbench.registry import task_family  # noqa: E402
from genbench.runner import RunConfig, run  # noqa: E402
from genbench.video import write_video  # noqa: E402


def scripted(delay: float):
    def reply(req):
        time.sleep(delay)
        text = req["messages"][1]["content"][-1]["text"]
        ids = re.findall(r"^([qb]\d+) ", text, flags=re.M)
        ans = "Good" if ids and ids[0].startswith("q") else "yes"
        return json.dumps({"answers": [{"id": i, "reasoning": "r", "answer": ans} for i in ids]})
    return reply


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--videos", type=int, default=24)
    ap.add_argument("--delay", type=float, default=0.2, help="server latency per request, seconds")
    a = ap.parse_args()
    maze = task_family("maze.grid")
    item = maze.generate(0, "easy", 0)
    tmp = Path(tempfile.mkdtemp(prefix="bench-vlm-"))
    paths = []
    for k in range(a.videos):  # distinct videos → distinct requests (no accidental cache hits)
        p = tmp / f"{k}.mp4"
        write_video(p, (np.roll(f, k, axis=1) for f in maze.solution_frames(item, num_frames=48)), 12)
        paths.append(p)
    sampling = FrameSampling()  # defaults: 2 fps, ≤ 16 frames, long side ≤ 512

    t0 = time.perf_counter()
    for p in paths:
        [image_part(f.image) for f in sample_video(p, sampling).frames]
    local_rate = len(paths) / (time.perf_counter() - t0)
    print(f"reference: frame sampling + PNG encoding alone: {local_rate:.1f} videos/s")

    rates = {}
    with ChatServer(reply_fn=scripted(a.delay)) as srv:
        for conc in (1, 8):
            backend = OpenAIChatBackend("bench", base_url=srv.base_url, api_key="x", max_concurrency=conc)
            judge = VLMJudge(backend, "checklist", JudgeSettings(sampling))
            n0 = srv.request_count
            t0 = time.perf_counter()
            verdicts = judge.judge_many([(maze, item, p) for p in paths])
            dt = time.perf_counter() - t0
            assert all(v.status == "ok" for v in verdicts), [v.message for v in verdicts if v.status != "ok"]
            rates[conc] = (srv.request_count - n0) / dt
            print(f"concurrency {conc}: {rates[conc]:.2f} judge requests/s "
                  f"(server delay {a.delay:.2f} s, peak in flight {srv.max_in_flight})")
        print(f"ratio concurrency 8 / 1: {rates[8] / rates[1]:.2f}x "
              f"(ideal {min(8, a.videos)}x if latency dominated; bounded by local work at {local_rate:.1f}/s)")

        os.environ["OPENAI_BASE_URL"], os.environ["OPENAI_API_KEY"] = srv.base_url, "x"
        out = tmp / "run"
        base = dict(tasks="maze.grid", models="oracle,static", out=str(out), limit=3, difficulties="easy")
        run(RunConfig(**base, judges="openai:bench"), progress=False)
        n0 = srv.request_count
        res = run(RunConfig(**base, judges="openai:bench,binary:openai:bench"), progress=False)
        u = res["judge_usage"]
        print(f"resumed run with a judge added: generated {res['counts']['generated']}, "
              f"re-judged {res['counts']['rejudged']}, new requests {srv.request_count - n0}; cache hit rate "
              f"checklist {u['openai:bench']['cache_hit_rate']:.2f}, new binary judge "
              f"{u['binary:openai:bench']['cache_hit_rate']:.2f}")


if __name__ == "__main__":
    main()
