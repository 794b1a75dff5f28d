"""VideoTPO / best-of-N overhead around the pipeline calls (tiny random-weight Wan pipeline), and the
compute-matched table on the SIMULATED maze solver (a labelled simulation, not a video model).

  overhead = wall time of the strategy ÷ time inside the pipeline, the critic and the selector
             (target ≤ 1.05); the selector (the task's checker) is reported on its own
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from chat_server import ChatServer  # noqa: E402

from genbench.judges.backends import OpenAIChatBackend  # noqa: E402
from genbench.registry import task_family  # noqa: E402
from genbench.tpo import BestOfN, CheckerSelector, VideoTPO  # noqa: E402
from genbench.tpo.search import compare  # noqa: E402
from genbench.tpo.simulated import RULES, SimulatedMazeSolver  # noqa: E402


def critic_reply(req) -> str:
    text = "\n".join(p.get("text", "") for m in req["messages"] for p in
                     (m["content"] if isinstance(m["content"], list) else [{"text": m["content"]}]))
    prompt = re.search(r"Current prompt: (.*)", text).group(1)
    missing = [p for p in RULES if p not in prompt.lower()]
    if "CRITIQUE" in text or "EDIT DIRECTIONS" in text:
        return "; ".join(missing) or "fine"
    return prompt + (" The agent moves " + missing[0] + "." if missing else "")


class TimedBackend:
    """Wraps a backend to measure time spent waiting on the critic."""

    def __init__(self, inner):
        self.inner, self.seconds = inner, 0.0
        self.model_id = inner.model_id

    def complete(self, *a, **k):
        t = time.perf_counter()
        try:
            return self.inner.complete(*a, **k)
        finally:
            self.seconds += time.perf_counter() - t


def main() -> None:
    from genbench.generators.tiny import build_tiny_pipeline

    pipe = build_tiny_pipeline("wan2", "t2v")
    fam = task_family("maze.grid")
    item = fam.generate(0, "easy")
    kw = dict(num_inference_steps=4, num_frames=9, height=64, width=64)
    with ChatServer(reply_fn=critic_reply) as srv:
        backend = OpenAIChatBackend("critic", base_url=srv.base_url, api_key="x")
        pipe(prompt="warm up", **kw)
        print(f"{'strategy':<20} {'gens':>5} {'NFE':>5} {'wall s':>7} {'pipe s':>7} {'critic s':>8} "
          f"{'select s':>8} {'overhead':>9}")
        for name in ("videotpo-faithful", "videotpo-genbench", "best-of-6"):
            critic = backend
            sel = CheckerSelector(fam, item)
            if name == "best-of-6":
                strat = BestOfN(pipe, 6, sel)
            else:
                strat = VideoTPO(pipe, critic, mode=name.split("-")[1], width=2, depth=3, selector=sel)
            t = time.perf_counter()
            res = strat("Move the red circle to the green square.", **kw)
            wall = time.perf_counter() - t
            c = res.compute
            inside = c.pipeline_seconds + c.critic_seconds + c.selector_seconds
            print(f"{name:<20} {c.generations:>5} {c.nfe:>5} {wall:>7.2f} {c.pipeline_seconds:>7.2f} "
                  f"{c.critic_seconds:>8.2f} {c.selector_seconds:>8.2f} {wall / inside:>9.3f}")

        print("\nSIMULATED solver, compute-matched (success over items, same generations per item):")
        items = list(fam.items("easy", 20, seed=3))
        rows = compare(items, lambda it: SimulatedMazeSolver(fam, it, num_frames=40),
                       lambda it: CheckerSelector(fam, it), backend,
                       lambda it: "Move the red circle to the green square.",
                       lambda it: "move the agent to the goal by the rules", pipe_kwargs={"num_inference_steps": 4})
        print(f"{'strategy':<20} {'gens/item':>9} {'success':>8} {'NFE/item':>9} {'critic/item':>11}")
        for r in rows:
            print(f"{r['strategy']:<20} {r['generations_per_item']:>9.0f} {r['success']:>8.2f} "
                  f"{r['nfe_per_item']:>9.0f} {r['critic_calls_per_item']:>11.0f}")


if __name__ == "__main__":
    main()
