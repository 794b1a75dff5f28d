"""Text for people in the report: percentages, intervals, metric values and compact JSON."""

from __future__ import annotations

import json

from .svg import esc


def compact(x, limit: int = 2000) -> str:
    """JSON for people: long lists cut to their first elements with a count of the rest."""
    def cut(v, depth=0):
        if isinstance(v, list):
            head = [cut(e, depth + 1) for e in v[:24]]
            return head + ([f"… {len(v) - 24} more"] if len(v) > 24 else [])
        if isinstance(v, dict):
            return {str(k): cut(e, depth + 1) for k, e in v.items()}
        return v
    s = json.dumps(cut(x), ensure_ascii=False, default=str)
    return s if len(s) <= limit else s[:limit] + f" … ({len(s) - limit} more characters)"


def pct(x) -> str:
    return f"{x:.1%}" if isinstance(x, (int, float)) else "–"


def ci_text(ci) -> str:
    return f"[{ci[0]:.1%}, {ci[1]:.1%}]" if isinstance(ci, (list, tuple)) and len(ci) == 2 else ""


def num_ci_text(ci) -> str:
    return f"[{ci[0]:g}, {ci[1]:g}]" if isinstance(ci, (list, tuple)) and len(ci) == 2 else ""


def metric_text(key: str, v) -> str:
    """Rates in [0, 1] as percentages; VLM scores (0–100) and counts as numbers; absent as a dash."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:.1f}" if key == "overall" or not 0 <= v <= 1 else pct(v)
    return "–" if v is None else esc(v)
