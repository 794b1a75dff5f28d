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
        out.append({"family": family, "difficulty": difficulty, "model": model, **summarise(rs)})
    return {"groups": out}


def summarise(rows: list[dict]) -> dict:
    verdicts = [r["verdict"] for r in rows]
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
    if "success" in means:
        k = sum(int(v["metrics"].get("success", 0)) for v in ok)
        res["success_ci95"] = [round(x, 4) for x in wilson(k, n)]
    # pass@k over candidates of the same item
    per_item: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        per_item[r["item_id"]].append(bool(r["verdict"]["passed"]))
    m = min(len(v) for v in per_item.values())
    if m > 1:
        res["pass_at_k"] = {f"pass@{k}": round(sum(pass_at_k(len(v), sum(v), k) for v in per_item.values())
                                               / len(per_item), 4) for k in range(1, m + 1)}
    return res
