"""Compute-matched comparison of test-time strategies, deployable and oracle-selected rows apart.

single             the first seed with the original prompt (1 generation)
pass@N             any of the same N samples passes: the ceiling of selection among them
best-of-N          N seeds, the best by the selector (N generations)
videotpo-faithful  width × depth generations, as published (no selection)
videotpo-genbench  width × depth generations, the best by the selector
screen             best-of-N's NFE budget; hopeless seeds stopped early, the rest spent on new seeds

Every strategy runs twice where a selector picks: with the deployable selector, and with the task's
checker (``[oracle-selected]``, an upper bound). Success is always the checker's verdict on the
chosen video. ``nfe_per_item`` makes equal-NFE comparisons possible (screen vs best-of-N).
"""

from __future__ import annotations

from typing import Callable

from .screen import Screen
from .selectors import ORACLE_LABEL, Selector
from .videotpo import BestOfN, VideoTPO


def compare(items: list, pipe_for: Callable, deployable_for: Callable[..., Selector],
            oracle_for: Callable[..., Selector], critic, prompt_for: Callable, task_definition_for: Callable,
            width: int = 2, depth: int = 3, pipe_kwargs: dict | None = None, screen_at: float = 0.2) -> list[dict]:
    budget = width * depth
    kw = pipe_kwargs or {}
    stats: dict[str, dict] = {}

    def add(name, passed, gens, nfe, critic_calls=0, oracle=False):
        s = stats.setdefault(f"{name}[{ORACLE_LABEL}]" if oracle else name,
                             {"passed": 0, "generations": 0, "nfe": 0, "critic_calls": 0, "oracle": oracle})
        s["passed"] += int(bool(passed))
        s["generations"] += gens
        s["nfe"] += nfe
        s["critic_calls"] += critic_calls

    for item in items:
        pipe, truth, prompt = pipe_for(item), oracle_for(item), prompt_for(item)
        task = task_definition_for(item)
        for oracle, sel in ((False, deployable_for(item)), (True, truth)):
            bon = BestOfN(pipe, budget, sel)(prompt, **kw).results[0]
            verdicts = [truth(c.video).passed for c in bon.candidates]
            if not oracle:  # selector-free rows: the first seed, and any-of-N over the same draws
                add("single", verdicts[0], 1, bon.compute.nfe // budget)
                add(f"pass@{budget}", any(verdicts), budget, bon.compute.nfe)
                faithful = VideoTPO(pipe, critic, mode="faithful", width=width, depth=depth,
                                    task_definition=task)(prompt, **kw).results[0]
                add("videotpo-faithful", truth(faithful.video).passed, faithful.compute.generations,
                    faithful.compute.nfe, faithful.compute.critic_calls)
            add(f"best-of-{budget}", truth(bon.video).passed, budget, bon.compute.nfe, oracle=oracle)
            tpo = VideoTPO(pipe, critic, mode="genbench", width=width, depth=depth, selector=sel,
                           task_definition=task)(prompt, **kw).results[0]
            add("videotpo-genbench", truth(tpo.video).passed, tpo.compute.generations, tpo.compute.nfe,
                tpo.compute.critic_calls, oracle=oracle)
            scr = Screen(pipe, budget, sel, screen_at=screen_at)(prompt, **kw).results[0]
            add("screen", truth(scr.video).passed, scr.trace["seeds_started"], scr.compute.nfe, oracle=oracle)
    n = max(len(items), 1)
    return [{"strategy": k, "items": len(items), "oracle_selected": v["oracle"],
             "generations_per_item": v["generations"] / n, "success": round(v["passed"] / n, 4),
             "nfe_per_item": v["nfe"] / n, "critic_calls_per_item": v["critic_calls"] / n}
            for k, v in sorted(stats.items(), key=lambda kv: kv[1]["oracle"])]
