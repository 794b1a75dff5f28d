"""Aggregation: one rule for every rate's denominator, 95% intervals clustered by item, unbiased
pass@k, and paired comparisons of two runs.

Every sample falls in exactly one class (:func:`outcome`):

- ``passed`` / ``failed``: the judge read the video (``status == "ok"``);
- ``error``: the model's video could not be read (empty, corrupt): a failure of the model;
- ``generation_failure``: no video at all (the model crashed): a failure of the model;
- ``not_judged``: the judge could not judge (a text-to-video layout no checker reads, a judge or
  checker that failed): not the model's doing, so left out of every rate and counted apart.

A rate is ``passed / n`` with ``n = judged + errors + generation failures``.

Intervals (:func:`clustered_interval`): candidates of one item are not independent samples, so the
item is the unit that is resampled. With one sample per item and a 0/1 outcome the interval is
Wilson's on the items; otherwise a percentile bootstrap over items (2000 resamples, fixed seed, so
the same samples give the same interval) of the pooled mean ``Σ values / Σ samples``. When every
item has the same mean the bootstrap has no spread; a 0/1 outcome then gets Wilson's interval on
the items (as if each item were one sample: never narrower than the truth).
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .schema import canonical_json, sha256_hex

Z95 = 1.959964
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0

# failure codes of verdicts that judged nothing (the judge's limit or fault, not the model's)
NOT_JUDGED_CODES = frozenset({"NOT_JUDGED", "JUDGE_ERROR"})
OUTCOMES = ("passed", "failed", "error", "generation_failure", "not_judged")


def wilson(k: float, n: int, z: float = Z95) -> tuple[float, float]:
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


# --- denominators ----------------------------------------------------------------------------------

def outcome(row: dict, verdict: dict | None = None) -> str:
    """The class of one sample (see the module docstring); ``verdict`` replaces the row's checker
    verdict (a VLM judge's, say)."""
    if not row.get("done", True):
        return "generation_failure"
    v = verdict if verdict is not None else (row.get("verdict") or {})
    if v.get("status") == "ok":
        return "passed" if v.get("passed") else "failed"
    return "not_judged" if v.get("failure") in NOT_JUDGED_CODES else "error"


def counts(outcomes: Iterable[str]) -> dict:
    """Denominators of a rate: ``n`` (what the rate divides by) and what it is made of."""
    c = Counter(outcomes)
    judged = c["passed"] + c["failed"]
    return {"n": judged + c["error"] + c["generation_failure"], "passed": c["passed"], "judged": judged,
            "errors": c["error"], "generation_failures": c["generation_failure"], "not_judged": c["not_judged"]}


def item_of(row: dict) -> str:
    """The cluster a sample belongs to: its item's content (an id is reused across suite seeds)."""
    return row.get("item_hash") or row.get("item_id") or "?"


# --- intervals -------------------------------------------------------------------------------------

def clustered_interval(per_item: list[list[float]], binary: bool | None = None) -> list[float]:
    """95% interval of the pooled mean of ``per_item`` (a list of each item's sample values)."""
    per_item = [v for v in per_item if len(v)]
    if not per_item:
        return [0.0, 0.0]
    sums = np.array([sum(v) for v in per_item], np.float64)
    sizes = np.array([len(v) for v in per_item], np.float64)
    if binary is None:
        binary = all(x in (0, 1) for v in per_item for x in v)
    means = sums / sizes
    if binary and (sizes == 1).all():
        return _rounded(wilson(int(sums.sum()), len(sums)))
    if np.ptp(means) == 0:  # no spread to resample
        return _rounded(wilson(means[0] * len(means), len(means)) if binary else (means[0], means[0]))
    return _rounded(_bootstrap((np.arange(len(sums)),),
                               lambda i, axis=-1: sums[i].sum(axis) / sizes[i].sum(axis), paired=True))


def _bootstrap(data: tuple, statistic: Callable, paired: bool) -> tuple[float, float]:
    from scipy.stats import bootstrap

    res = bootstrap(data, statistic, paired=paired, vectorized=True, n_resamples=BOOTSTRAP_RESAMPLES,
                    confidence_level=0.95, method="percentile", rng=np.random.default_rng(BOOTSTRAP_SEED))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def _rounded(ci) -> list[float]:
    return [round(float(ci[0]), 4), round(float(ci[1]), 4)]


def by_item(pairs: Iterable[tuple[str, float]]) -> list[list[float]]:
    """(item, value) pairs → each item's list of values (the input of :func:`clustered_interval`), in
    a canonical order: the interval depends on the samples, not on the order rows were written in."""
    groups: dict[str, list[float]] = defaultdict(list)
    for item, x in pairs:
        groups[item].append(float(x))
    return [sorted(v) for _, v in sorted(groups.items())]


# --- reading a run ---------------------------------------------------------------------------------

def latest_rows(rows: Iterable[dict]) -> list[dict]:
    """One row per sample: rows of the same video (generation key) judged again — another checker
    version, VLM judges added — keep the latest; a finished row is never replaced by an unfinished one."""
    latest: dict[str, dict] = {}
    for row in rows:
        key = row.get("gen_key") or row.get("key") or f"{row.get('model')}|{row.get('item_id')}|{row.get('candidate')}"
        if row.get("done", True) or not latest.get(key, {}).get("done", False):
            latest[key] = row
    return list(latest.values())


def read_samples(paths: str | Path | Iterable[str | Path]) -> tuple[list[dict], int]:
    """Every sample of a ``samples.jsonl`` (or of all the files of a split run), one row each
    (:func:`latest_rows`), and the number of unreadable lines."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    rows, bad = [], 0
    for path in map(Path, paths):
        if not path.exists():
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    bad += 1
                    continue
                if not isinstance(row, dict) or not isinstance(row.get("verdict"), dict):
                    bad += 1
                    continue
                rows.append(row)
    return latest_rows(rows), bad


# --- summaries -------------------------------------------------------------------------------------

def aggregate(rows: Iterable[dict]) -> dict:
    """Group sample rows by family × difficulty × model × mode and summarise each group. A model
    name run with several configurations is labelled with each configuration's hash."""
    rows = list(rows)
    configs: dict[str, set] = defaultdict(set)
    for r in rows:
        configs[r["model"]].add(_config_hash(r))
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        model = r["model"] if len(configs[r["model"]]) == 1 else f"{r['model']} (config {_config_hash(r)})"
        groups[(r["family"], r["difficulty"], model, r.get("mode", "i2v"))].append(r)
    out = []
    for (family, difficulty, model, mode), rs in sorted(groups.items()):
        group = {"family": family, "difficulty": difficulty, "model": model, "mode": mode, **summarise(rs)}
        vlm = summarise_vlm(rs)
        if vlm:
            group["vlm"] = vlm
        out.append(group)
    return {"groups": out}


def _config_hash(row: dict) -> str:
    return sha256_hex(canonical_json(row.get("model_config") or {}))[:8]


def rate(rows: list[dict], verdict_of: Callable[[dict], dict] | None = None, classes=None) -> dict:
    """Pass rate of some samples with its denominators and item-clustered 95% interval: the one
    place a pass rate is computed (results.json, the terminal, the report's plots)."""
    classes = classes if classes is not None else _classes(rows, verdict_of or (lambda r: r["verdict"]))
    res = {"samples": len(rows), **counts(c for _, c in classes)}
    res["pass_rate"] = round(res["passed"] / res["n"], 4) if res["n"] else 0.0
    res["pass_ci95"] = clustered_interval(by_item((item_of(r), c == "passed") for r, c in classes
                                                   if c != "not_judged"), binary=True)
    return res


def _classes(rows, verdict_of) -> list[tuple[dict, str]]:
    return [(r, outcome(r, verdict_of(r) if r.get("done", True) else None)) for r in rows]


# Metrics renamed since results were first written: (family prefix, old name) → name. Old rows and
# results.json read with today's names. Mazes' "success" (goal reached and held) counted illegal
# solutions beside a 0% pass rate, so it says what it measures now.
RENAMED_METRICS = {("maze.", "success"): "goal_reached_held"}


def current_metric_names(family: str, group: dict) -> dict:
    """Rename, in place, old metric names in ``group["metrics"]`` (a verdict or a results group) and
    in its ``metrics_ci95``; returns ``group``."""
    for (prefix, old), new in RENAMED_METRICS.items():
        if family.startswith(prefix):
            for field in ("metrics", "metrics_ci95"):
                metrics = group.get(field) or {}
                if old in metrics and new not in metrics:
                    metrics[new] = metrics.pop(old)
    return group


def summarise(rows: list[dict], verdict_of: Callable[[dict], dict] | None = None) -> dict:
    """Denominators, pass rate, metric means, pass@k and strategies of a group, each rate with its
    item-clustered 95% interval. ``verdict_of(row)`` picks the verdict to judge by (default: the
    checker's)."""
    verdict_of = verdict_of or (lambda r: r["verdict"])
    classes = _classes(rows, verdict_of)
    counted = [(r, c) for r, c in classes if c != "not_judged"]
    res = rate(rows, verdict_of, classes)
    judged = [(r, current_metric_names(r.get("family", ""), {**verdict_of(r), "metrics": dict(verdict_of(r)["metrics"])}))
              for r, c in counted if c in ("passed", "failed")]
    means, cis = {}, {}
    for k in sorted({k for _, v in judged for k, x in v["metrics"].items() if _number(x)}):
        pairs = [(item_of(r), v["metrics"][k]) for r, v in judged if _number(v["metrics"].get(k))]
        means[k] = round(sum(x for _, x in pairs) / len(pairs), 4)
        cis[k] = clustered_interval(by_item(pairs))
    res["metrics"], res["metrics_ci95"] = means, cis
    failures: Counter = Counter()
    for r, c in counted:  # a failed generation's row from before GENERATION_FAILED existed says UNREADABLE
        code = "GENERATION_FAILED" if c == "generation_failure" else verdict_of(r).get("failure")
        if c != "passed" and code:
            failures[code] += 1
    res["failures"] = dict(failures)
    strategies = summarise_strategies(rows)
    if strategies:
        res["strategies"] = strategies
    res.update(_pass_at_k(counted))
    return res


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _pass_at_k(counted: list[tuple[dict, str]]) -> dict:
    """pass@1…pass@m over the candidates of each item (m: the fewest candidates any item has)."""
    per_item: dict[str, list[bool]] = defaultdict(list)
    for r, c in counted:
        per_item[item_of(r)].append(c == "passed")
    if not per_item:
        return {}
    m = min(len(v) for v in per_item.values())
    if m < 2:
        return {}
    values, cis = {}, {}
    for k in range(1, m + 1):
        est = [[pass_at_k(len(v), sum(v), k)] for _, v in sorted(per_item.items())]
        values[f"pass@{k}"] = round(sum(e[0] for e in est) / len(est), 4)
        cis[f"pass@{k}"] = clustered_interval(est)
    return {"pass_at_k": values, "pass_at_k_ci95": cis}


def summarise_strategies(rows: list[dict]) -> dict:
    """Test-time strategies: each row may carry the compute-matched baselines it also ran
    (``generation.meta.strategies``: name → {passed, generations, value?, labels…}). Per strategy:
    success (and pass@k where a value is given) with item-clustered intervals; text fields (labels
    such as a selector's kind) are passed through when every row agrees on them."""
    strat: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for r in rows:
        for name, st in ((r.get("generation") or {}).get("meta", {}).get("strategies") or {}).items():
            strat[name].append((item_of(r), st))
    out = {}
    for name, entries in sorted(strat.items()):
        sts = [st for _, st in entries]
        s = {"n": len(sts), "success": round(sum(bool(x["passed"]) for x in sts) / len(sts), 4),
             "success_ci95": clustered_interval(by_item((i, bool(st["passed"])) for i, st in entries), binary=True),
             "generations_per_item": sum(x["generations"] for x in sts) / len(sts)}
        if all("value" in x for x in sts):
            s["pass_at_k"] = round(sum(x["value"] for x in sts) / len(sts), 4)
            s["pass_at_k_ci95"] = clustered_interval(by_item((i, st["value"]) for i, st in entries))
        labels = {k for x in sts for k, v in x.items() if isinstance(v, str)}
        s.update({k: sts[0][k] for k in sorted(labels) if all(x.get(k) == sts[0][k] for x in sts)})
        out[name] = s
    return out


def summarise_vlm(rows: list[dict]) -> dict:
    """Per VLM judge (rows' ``vlm_verdicts``): the same summary as the checker's, plus how often the
    judge's pass/fail agrees with the programmatic verdict where both judged (with its interval)."""
    out = {}
    for name in sorted({n for r in rows for n in (r.get("vlm_verdicts") or {})}):
        judged = [r for r in rows if name in (r.get("vlm_verdicts") or {})]
        failed = [r for r in rows if not r.get("done", True)]  # no video: a failure under every judge
        s = summarise(judged + failed, verdict_of=lambda r, name=name: r["vlm_verdicts"][name])
        s.pop("strategies", None)
        both = [(item_of(r), r["verdict"]["passed"] == r["vlm_verdicts"][name]["passed"]) for r in judged
                if r["verdict"]["status"] == "ok" and r["vlm_verdicts"][name]["status"] == "ok"]
        if both:
            s["agreement_with_checker"] = round(sum(a for _, a in both) / len(both), 4)
            s["agreement_ci95"] = clustered_interval(by_item(both), binary=True)
        out[name] = s
    return out


# --- comparing two runs ----------------------------------------------------------------------------

def compare(rows_a: list[dict], rows_b: list[dict], by: str = "family") -> list[dict]:
    """Pass rate of A minus pass rate of B per ``by`` (a row field: family, difficulty) with a 95%
    bootstrap interval: paired by item over the items both runs hold (the same items resampled for
    both), or two independent cluster bootstraps when they share no item (other suite seeds). A
    difference is significant when its interval excludes 0."""
    out = []
    for key in sorted({r[by] for r in rows_a} & {r[by] for r in rows_b}):
        a, b = (_item_tallies([r for r in rows if r[by] == key]) for rows in (rows_a, rows_b))
        common = sorted(set(a) & set(b))
        if common:
            a, b = {i: a[i] for i in common}, {i: b[i] for i in common}
        (sa, za), (sb, zb) = _arrays(a), _arrays(b)
        rate_a, rate_b = sa.sum() / za.sum(), sb.sum() / zb.sum()
        diff = rate_a - rate_b
        if common:
            per_item = sa / za - sb / zb
            ci = (diff, diff) if np.ptp(per_item) == 0 else _bootstrap(
                (np.arange(len(common)),), lambda i, axis=-1: sa[i].sum(axis) / za[i].sum(axis)
                - sb[i].sum(axis) / zb[i].sum(axis), paired=True)
        else:
            ci = _bootstrap((np.arange(len(sa)), np.arange(len(sb))),
                            lambda i, j, axis=-1: sa[i].sum(axis) / za[i].sum(axis) - sb[j].sum(axis) / zb[j].sum(axis),
                            paired=False)
        lo, hi = _rounded(ci)
        out.append({by: key, "a": round(float(rate_a), 4), "b": round(float(rate_b), 4),
                    "difference": round(float(diff), 4), "ci95": [lo, hi], "significant": lo > 0 or hi < 0,
                    "paired": bool(common), "items_a": len(a), "items_b": len(b),
                    "n_a": int(za.sum()), "n_b": int(zb.sum())})
    return out


def _item_tallies(rows: list[dict]) -> dict[str, tuple[int, int]]:
    """item → (passed, n) under the denominator rule (not-judged samples left out)."""
    t: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        c = outcome(r)
        if c != "not_judged":
            t[item_of(r)][0] += c == "passed"
            t[item_of(r)][1] += 1
    return {i: (p, n) for i, (p, n) in t.items() if n}


def _arrays(tallies: dict) -> tuple[np.ndarray, np.ndarray]:
    v = np.array([tallies[i] for i in sorted(tallies)], np.float64).reshape(-1, 2)  # canonical order
    return v[:, 0], v[:, 1]
