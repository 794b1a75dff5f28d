"""Aggregation: rates with Wilson 95% intervals, metric means, failure counts, unbiased pass@k."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Iterable


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval: sane at 0/n and n/n, unlike the normal approximation."""
    if n == 0:
        return 0.0, 0.0
    p = k / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, centre - half), min(1.0, centre + half)


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from n samples with c correct: 1 − C(n−c, k) / C(n, k)."""
    if k > n:
        raise ValueError(f"pass@{k} needs at least {k} samples, got {n}")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def aggregate(rows: Iterable[dict]) -> dict:
    """Group sample rows by family × difficulty × model and summarise each group."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["family"], r["difficulty"], r["model"])].append(r)
    out = []
    for (family, difficulty, model), rs in sorted(groups.items()):
        group = {"family": family, "difficulty": difficulty, "model": model, **summarise(rs)}
        vlm = summarise_vlm(rs)
        if vlm:
            group["vlm"] = vlm
        out.append(group)
    return {"groups": out}


def summarise_vlm(rows: list[dict]) -> dict:
    """Per VLM judge (rows' ``vlm_verdicts``): the same summary as the checker's, plus how often the
    judge's pass/fail agrees with the programmatic verdict on the rows where both are ``ok``."""
    out = {}
    for name in sorted({n for r in rows for n in (r.get("vlm_verdicts") or {})}):
        rs = [{**r, "verdict": r["vlm_verdicts"][name]} for r in rows if name in (r.get("vlm_verdicts") or {})]
        s = summarise(rs)
        both = [(r["verdict"]["passed"], r["vlm_verdicts"][name]["passed"]) for r in rows
                if name in (r.get("vlm_verdicts") or {}) and r["verdict"]["status"] == "ok"
                and r["vlm_verdicts"][name]["status"] == "ok"]
        if both:
            s["agreement_with_checker"] = round(sum(a == b for a, b in both) / len(both), 4)
        out[name] = s
    return out


# Metrics renamed since results were first written: (family prefix, old name) → name. Old rows and
# results.json read with today's names. Mazes' "success" (goal reached and held) counted illegal
# solutions beside a 0% pass rate, so it says what it measures now.
RENAMED_METRICS = {("maze.", "success"): "goal_reached_held"}


def current_metric_names(family: str, group: dict) -> dict:
    """Rename, in place, old metric names in ``group["metrics"]`` (a verdict or a results group) and
    their ``NAME_ci95`` keys; returns ``group``."""
    for (prefix, old), new in RENAMED_METRICS.items():
        if family.startswith(prefix):
            metrics = group.get("metrics") or {}
            if old in metrics and new not in metrics:
                metrics[new] = metrics.pop(old)
            if f"{old}_ci95" in group:
                group[f"{new}_ci95"] = group.pop(f"{old}_ci95")
    return group


def summarise(rows: list[dict]) -> dict:
    verdicts = [current_metric_names(r.get("family", ""), {**r["verdict"], "metrics": dict(r["verdict"]["metrics"])})
                for r in rows]
    ok = [v for v in verdicts if v["status"] == "ok"]
    n, n_err = len(verdicts), len(verdicts) - len(ok)
    passed = sum(bool(v["passed"]) for v in verdicts)  # an error counts as a failure, never dropped
    means: dict[str, float] = {}
    keys = sorted({k for v in ok for k, x in v["metrics"].items() if isinstance(x, (int, float)) and not isinstance(x, bool)})
    for k in keys:
        xs = [v["metrics"][k] for v in ok if isinstance(v["metrics"].get(k), (int, float))]
        if xs:
            means[k] = round(sum(xs) / len(xs), 4)
    lo, hi = wilson(passed, n)
    res = {
        "n": n, "errors": n_err, "passed": passed,
        "pass_rate": round(passed / n, 4) if n else 0.0, "pass_ci95": [round(lo, 4), round(hi, 4)],
        "metrics": means,
        "failures": dict(Counter(v["failure"] for v in verdicts if v["failure"] and not v["passed"])),
    }
    for name in ("goal_reached_held", "success"):  # rates of their own: a Wilson interval each
        if name in means:
            k = sum(int(v["metrics"].get(name, 0)) for v in ok)
            res[f"{name}_ci95"] = [round(x, 4) for x in wilson(k, n)]
    # test-time strategies: each row may carry the compute-matched baselines it also ran
    strat: dict[str, list] = defaultdict(list)
    for r in rows:
        for name, st in ((r.get("generation") or {}).get("meta", {}).get("strategies") or {}).items():
            strat[name].append(st)
    if strat:
        res["strategies"] = {name: {
            "n": len(v), "success": round(sum(bool(x["passed"]) for x in v) / len(v), 4),
            **({"pass_at_k": round(sum(x["value"] for x in v) / len(v), 4)} if all("value" in x for x in v) else {}),
            "generations_per_item": sum(x["generations"] for x in v) / len(v)} for name, v in sorted(strat.items())}
    # pass@k over candidates of the same item
    per_item: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        per_item[r["item_id"]].append(bool(r["verdict"]["passed"]))
    m = min(len(v) for v in per_item.values())
    if m > 1:
        res["pass_at_k"] = {f"pass@{k}": round(sum(pass_at_k(len(v), sum(v), k) for v in per_item.values())
                                               / len(per_item), 4) for k in range(1, m + 1)}
    return res
