"""VideoTPO / best-of-N overhead around the pipeline calls (tiny random-weight Wan pipeline), and the
compute-matched table on the SIMULATED maze solver (a labelled simulation, not a video model).

  overhead = wall time of the strategy ÷ time inside the pipeline, the critic and the selector
             (target ≤ 1.05); the selector (the task's checker) is reported on its own

The table: single, pass@N, best-of-N, VideoTPO faithful and genbench, screen — with the deployable
selector — and, apart and labelled, the same strategies with the task's checker as selector
(oracle-selected upper bounds). The deployable selector is the first-frame maze self-verifier when
genbench.checkers provides the layout reader (issue 22); until then an uninformed selector (every
candidate ties) stands in, and the table says so. The critic is scripted: it names the rules the
prompt lacks (it reads the prompt, not the videos).
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
from genbench.tpo import BestOfN, CheckerSelector, VideoTPO, maze_self_verifier  # noqa: E402
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
            res = strat("Move the red circle to the green square.", **kw).results[0]
            wall = time.perf_counter() - t
            c = res.compute
            inside = c.pipeline_seconds + c.critic_seconds + c.selector_seconds
            print(f"{name:<20} {c.generations:>5} {c.nfe:>5} {wall:>7.2f} {c.pipeline_seconds:>7.2f} "
                  f"{c.critic_seconds:>8.2f} {c.selector_seconds:>8.2f} {wall / inside:>9.3f}")

        deployable, label = _deployable()
        print(f"\nSIMULATED solver (not a video model), {N_ITEMS} maze.grid easy items, compute-matched; "
              f"deployable selector: {label}")
        items = list(fam.items("easy", N_ITEMS, seed=3))
        rows = compare(items, lambda it: SimulatedMazeSolver(fam, it, num_frames=40), deployable,
                       lambda it: CheckerSelector(fam, it), backend,
                       lambda it: "Move the red circle to the green square.",
                       lambda it: "move the agent to the goal by the rules", pipe_kwargs={"num_inference_steps": 10})
        for oracle in (False, True):
            if oracle:
                print("\noracle-selected (the task's checker picked: upper bounds, not deployable):")
            print(f"{'strategy':<36} {'gens/item':>9} {'NFE/item':>9} {'success':>8} {'critic/item':>11}")
            for r in (r for r in rows if r["oracle_selected"] == oracle):
                print(f"{r['strategy']:<36} {r['generations_per_item']:>9.2f} {r['nfe_per_item']:>9.1f} "
                      f"{r['success']:>8.2f} {r['critic_calls_per_item']:>11.0f}")
        _agreement(fam)


N_ITEMS = 40


def _agreement(fam) -> None:
    """How often the deployable first-frame self-verifier agrees with the checker, per candidate."""
    try:
        maze_self_verifier()
    except ValueError as e:
        print(f"\nself-verifier agreement with the checker: not measured ({str(e).split(';')[0]})")
        return
    agree = total = 0
    for it in fam.items("easy", N_ITEMS, seed=3):
        sim, verify, check = SimulatedMazeSolver(fam, it, num_frames=40), maze_self_verifier(it.prompt_i2v), \
            CheckerSelector(fam, it)
        for c in BestOfN(sim, 6, lambda v: 0.0)("Move the red circle to the green square.",
                                                num_inference_steps=1).results[0].candidates:
            agree += verify(c.video).passed == check(c.video).passed
            total += 1
    print(f"\nself-verifier agrees with the checker on {agree}/{total} simulated candidates ({agree / total:.1%})")


def _deployable():
    try:
        maze_self_verifier()
    except ValueError:
        def uninformed(video):
            return 0.0

        return (lambda it: uninformed), "UNINFORMED stand-in (every candidate ties; the self-verifier needs issue 22)"
    return (lambda it: maze_self_verifier(it.prompt_i2v)), "first-frame self-verifier"


if __name__ == "__main__":
    main()
