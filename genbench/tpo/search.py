"""Compute-matched comparison of test-time strategies: every row spends the same generations.

single        one sample with the original prompt (1 generation)
best-of-N     N seeds, the best by the selector (N generations)
pass@N        the unbiased estimator over the same N samples: an oracle selector's ceiling
VideoTPO      width × depth generations, faithful (no selection) and genbench (selected)
"""

from __future__ import annotations

from typing import Callable

from ..metrics import pass_at_k
from .videotpo import BestOfN, Selector, VideoTPO


def compare(items: list, pipe_for: Callable, selector_for: Callable[..., Selector], critic,
            prompt_for: Callable, task_definition_for: Callable, width: int = 2, depth: int = 3,
            pipe_kwargs: dict | None = None) -> list[dict]:
    budget = width * depth
    kw = pipe_kwargs or {}
    stats = {k: {"passed": 0, "generations": 0, "nfe": 0, "critic_calls": 0}
             for k in ("single", f"best-of-{budget}", f"pass@{budget}", "videotpo-faithful", "videotpo-genbench")}
    p_at = 0.0
    for item in items:
        pipe, sel = pipe_for(item), selector_for(item)
        prompt = prompt_for(item)
        bon = BestOfN(pipe, budget, sel)(prompt, **kw).results[0]
        first = bon.candidates[0]  # the single-sample baseline is the first seed of the same draws
        _add(stats["single"], first.score.passed, 1, bon.compute.nfe // budget, 0)
        _add(stats[f"best-of-{budget}"], bon.selected.score.passed, budget, bon.compute.nfe, 0)
        c = sum(x.score.passed for x in bon.candidates)
        p_at += pass_at_k(budget, c, budget)
        _add(stats[f"pass@{budget}"], c > 0, budget, bon.compute.nfe, 0)
        for mode in ("faithful", "genbench"):
            tpo = VideoTPO(pipe, critic, mode=mode, width=width, depth=depth, selector=sel,
                           task_definition=task_definition_for(item))(prompt, **kw).results[0]
            passed = sel(tpo.video).passed
            _add(stats[f"videotpo-{mode}"], passed, tpo.compute.generations, tpo.compute.nfe,
                 tpo.compute.critic_calls)
    n = max(len(items), 1)
    return [{"strategy": k, "items": len(items), "generations_per_item": v["generations"] / n,
             "success": round(v["passed"] / n, 4), "nfe_per_item": v["nfe"] / n,
             "critic_calls_per_item": v["critic_calls"] / n} for k, v in stats.items()]


def _add(s: dict, passed: bool, gens: int, nfe: int, critic_calls: int) -> None:
    s["passed"] += int(bool(passed))
    s["generations"] += gens
    s["nfe"] += nfe
    s["critic_calls"] += critic_calls
