"""The report's summary: the per-group table from results.json, test-time strategies, VLM judges,
and the pass-rate and failure-code plots."""

from __future__ import annotations

from collections import Counter, defaultdict

from .fmt import ci_text, compact, metric_text, num_ci_text, pct
from .svg import esc, rate_bars, stacked_bars

# Metrics worth a column in the summary, in this order, when a group reports them.
HEADLINE = ("goal_reached_held", "success", "reached", "legal", "optimal", "exact", "progress", "solved_last", "selected_last",
            "score_last", "sr", "pr", "em", "overall")
MAX_HEADLINE = 7


def summary_html(results: dict) -> str:
    groups = [g for g in results.get("groups", []) if isinstance(g, dict)]
    if not groups:
        return "<h2>Summary</h2><p class='muted'>results.json has no groups (run unfinished?).</p>"
    present = {k for g in groups for k in (g.get("metrics") or {})}
    heads = [k for k in HEADLINE if k in present][:MAX_HEADLINE]
    passk = sorted({k for g in groups for k in (g.get("pass_at_k") or {})}, key=lambda s: int(s.split("@")[1]))
    cols = (["family", "difficulty", "model", "pass (checker)", "95% CI", "n", "judged", "video errors",
             "generation failures", "not judged"] + heads + passk + ["failures"])
    out = ["<h2>Summary</h2><p class='muted'>From results.json, over every sample of the run directory. "
           "<b>pass</b> is the checker's strict verdict, passed ÷ n with n = judged + video errors + generation "
           "failures (both count as failures of the model); <b>not judged</b> samples (a text-to-video layout no "
           "checker reads, a judge that failed) are left out and counted apart. Metric columns are means over "
           "judged samples. Every interval is 95%, clustered by item (README, Statistics).</p><table class='summary'><tr>"
           + "".join(f"<th>{esc(c)}</th>" for c in cols) + "</tr>"]
    for g in groups:
        m, mci = g.get("metrics") or {}, g.get("metrics_ci95") or {}
        model = f"{g.get('model', '')}" + (f" ({g['mode']})" if g.get("mode", "i2v") != "i2v" else "")
        cells = [esc(g.get("family", "")), esc(g.get("difficulty", "")), esc(model),
                 f'<td class="num">{pct(g.get("pass_rate")) if g.get("n") else "–"} ({esc(g.get("passed", ""))})</td>',
                 f'<td class="num">{ci_text(g.get("pass_ci95")) if g.get("n") else "–"}</td>']
        cells += [f'<td class="num">{esc(g.get(k, "–"))}</td>' for k in
                  ("n", "judged", "errors", "generation_failures", "not_judged")]
        for k in heads:
            ci = ci_text(mci.get(k)) if metric_text(k, m.get(k)).endswith("%") else ""
            cells.append(f'<td class="num">{metric_text(k, m.get(k))} {ci}</td>')
        pci = g.get("pass_at_k_ci95") or {}
        cells += [f'<td class="num">{pct((g.get("pass_at_k") or {}).get(k))} {ci_text(pci.get(k))}</td>' for k in passk]
        fails = ", ".join(f"{k} {v}" for k, v in sorted((g.get("failures") or {}).items(), key=lambda kv: -kv[1]))
        cells += [f"<td>{esc(fails)}</td>"]
        out.append("<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    out.append(_strategies(groups))
    out.append(_vlm_summary(groups))
    other = sorted(present - set(heads))
    if other:
        out.append("<details><summary>all metric means per group</summary><table class='summary'><tr><th>family</th>"
                   "<th>difficulty</th><th>model</th>" + "".join(f"<th>{esc(k)}</th>" for k in other) + "</tr>")
        for g in groups:
            m = g.get("metrics") or {}
            out.append(f"<tr><td>{esc(g.get('family'))}</td><td>{esc(g.get('difficulty'))}</td><td>{esc(g.get('model'))}</td>"
                       + "".join(f'<td class="num">{esc(m.get(k, "–"))}</td>' for k in other) + "</tr>")
        out.append("</table></details>")
    return "".join(out)


def _strategies(groups: list[dict]) -> str:
    rows = [(g, name, st) for g in groups for name, st in (g.get("strategies") or {}).items() if isinstance(st, dict)]
    # rows the task's checker selected are upper bounds: a table of their own, never ranked with the rest
    oracle = [r for r in rows if "oracle-selected" in r[1]]
    return _strategy_table("Test-time strategies (same generations per item)", [r for r in rows if r not in oracle]) \
        + _strategy_table("oracle-selected: the task's checker picked (upper bounds, not deployable)", oracle)


def _strategy_table(title: str, rows: list) -> str:
    if not rows:
        return ""
    out = [f"<h3>{esc(title)}</h3><table><tr><th>family</th><th>difficulty</th>"
           "<th>model</th><th>strategy</th><th>generations/item</th><th>success [95% CI]</th><th>pass@k [95% CI]</th><th>n</th></tr>"]
    for g, name, st in rows:
        labels = ", ".join(str(v) for k, v in st.items() if isinstance(v, str))
        out.append(f"<tr><td>{esc(g.get('family'))}</td><td>{esc(g.get('difficulty'))}</td><td>{esc(g.get('model'))}</td>"
                   f"<td>{esc(name)}{f' ({esc(labels)})' if labels else ''}</td>"
                   f"<td class='num'>{esc(st.get('generations_per_item', '–'))}</td>"
                   f"<td class='num'>{pct(st.get('success'))} {ci_text(st.get('success_ci95'))}</td>"
                   f"<td class='num'>{pct(st.get('pass_at_k'))} {ci_text(st.get('pass_at_k_ci95'))}</td>"
                   f"<td class='num'>{esc(st.get('n', '–'))}</td></tr>")
    return "".join(out) + "</table>"


def _vlm_summary(groups: list[dict]) -> str:
    rows = [(g, name, s) for g in groups for name, s in (g.get("vlm") or {}).items() if isinstance(s, dict)]
    if not rows:
        return ""
    out = ["<h3>VLM judges</h3><table><tr><th>family</th><th>difficulty</th><th>model</th><th>judge</th><th>n</th>"
           "<th>pass</th><th>95% CI</th><th>agreement with checker [95% CI]</th><th>not judged</th>"
           "<th>metric means [95% CI]</th></tr>"]
    for g, name, s in rows:
        means = {k: f"{v} {num_ci_text((s.get('metrics_ci95') or {}).get(k))}" for k, v in (s.get("metrics") or {}).items()}
        out.append(f"<tr><td>{esc(g.get('family'))}</td><td>{esc(g.get('difficulty'))}</td><td>{esc(g.get('model'))}</td>"
                   f"<td>{esc(name)}</td><td class='num'>{esc(s.get('n'))}</td><td class='num'>{pct(s.get('pass_rate'))}</td>"
                   f"<td class='num'>{ci_text(s.get('pass_ci95'))}</td>"
                   f"<td class='num'>{pct(s.get('agreement_with_checker'))} {ci_text(s.get('agreement_ci95'))}</td>"
                   f"<td class='num'>{esc(s.get('not_judged', 0))}</td><td>{esc(compact(means, 400))}</td></tr>")
    return "".join(out) + "</table>"


def _pooled(rows: list[dict], key) -> dict:
    """Pass rate per label over the samples (metrics.rate: the same denominators and intervals as
    results.json)."""
    from ..metrics import rate

    by: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by[key(r)].append(r)
    out = {}
    for label, rs in by.items():
        r = rate(rs)
        out[label] = {"label": label, "k": r["passed"], "n": r["n"], "rate": r["pass_rate"],
                      "lo": r["pass_ci95"][0], "hi": r["pass_ci95"][1]}
    return out


def plots_html(results: dict, rows: list[dict]) -> str:
    groups = [g for g in results.get("groups", []) if isinstance(g, dict) and g.get("n")]
    rows = [r for r in rows if isinstance(r.get("verdict"), dict)]
    if not groups or not rows:
        return ""
    out = ["<h2>Plots</h2><p class='muted'>Pass rates over every sample of the run (passed ÷ n, n = judged + "
           "video errors + generation failures; not-judged samples left out), whiskers: 95% interval clustered "
           "by item. Hover a bar for its numbers.</p>"]
    per_model = _pooled(rows, lambda r: str(r.get("model")))
    out.append(rate_bars(sorted(per_model.values(), key=lambda r: -r["rate"]), "pass rate per model"))
    families = {r.get("family") for r in rows}
    if len(families) > 1 and len(families) * len(per_model) <= 60:
        fm = _pooled(rows, lambda r: f"{r.get('family')} · {r.get('model')}")
        out.append(rate_bars(sorted(fm.values(), key=lambda r: r["label"]), "pass rate per family × model"))
    fails: dict[str, Counter] = defaultdict(Counter)
    for g in groups:
        fails[str(g.get("model"))].update({str(k): int(v) for k, v in (g.get("failures") or {}).items()})
    total = Counter()
    for c in fails.values():
        total.update(c)
    codes = [c for c, _ in total.most_common()]
    chart = stacked_bars(sorted(fails.items()), codes, "failure codes per model (count of failed samples)")
    out.append(chart or "<p class='muted'>No failures.</p>")
    return "".join(out)
