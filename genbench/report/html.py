"""One self-contained HTML page per run: what the run found and why each video passed or failed.

No JS, no network: inline CSS, inline SVG plots (``svg.py``) and thumbnails as base64 JPEG data URIs
(``thumbs.py``). Numbers in the summary come from results.json as written by the run; the gallery reads
samples.jsonl and the videos. Every text from a run (prompts, messages, model names) is escaped.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter, defaultdict
from pathlib import Path

from ..metrics import current_metric_names
from ..store import sample_files
from ..fsio import replace_durably
from ..redact import redact
from .svg import esc, path_overlay, rate_bars, stacked_bars, timeline

# Metrics worth a column in the summary, in this order, when a group reports them.
HEADLINE = ("goal_reached_held", "success", "reached", "legal", "optimal", "exact", "progress", "solved_last", "selected_last",
            "score_last", "sr", "pr", "em", "overall")
MAX_HEADLINE = 7


# --- reading a run ------------------------------------------------------------------------------

def load_rows(paths) -> tuple[list[dict], int]:
    """Every sample (the latest row of each video; a generation that failed is kept: the page shows
    it as an error) and the number of unreadable lines: :func:`genbench.metrics.read_samples`."""
    from ..metrics import read_samples

    return read_samples(paths)


def _read_json(path: Path) -> tuple[dict, str | None]:
    if not path.exists():
        return {}, f"{path.name} missing"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return (data if isinstance(data, dict) else {}), None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        return {}, f"{path.name} unreadable ({e})"


def _video_path(run_dir: Path, row: dict) -> Path | None:
    v = row.get("video")  # (generation.path is relative to the cwd of the run, not to the run directory)
    if not v or not isinstance(v, str):
        return None
    p = Path(v)
    if p.is_absolute():
        return p
    # `run` stores paths relative to the run directory; `judge` stores them as given (relative to its cwd)
    return run_dir / p if (run_dir / p).exists() or not p.exists() else p


class _Items:
    """The input frame of each sample's item as a thumbnail (uri, w, h), rebuilt from the suite seed, skin
    and index (items are deterministic); kept only if its content hash matches the row's, so a changed
    generator never shows a wrong image. Only the thumbnail is cached, not the item."""

    def __init__(self, config: dict, enabled: bool, width: int):
        self.seed = config.get("seed", 0) if isinstance(config.get("seed", 0), int) else 0
        self.skin = config.get("skin")
        self.enabled = enabled
        self.width = width
        self.cache: dict[tuple, tuple | None] = {}

    def thumb(self, row: dict) -> tuple[str, int, int] | None:
        from .thumbs import jpeg_uri, resize_to_width

        key = (row.get("item_id", ""), row.get("item_hash"))
        if not self.enabled or not key[1] or key in self.cache:
            return self.cache.get(key)
        made = None
        try:
            from ..registry import task_family

            family, difficulty, index = key[0].rsplit("/", 2)
            item = task_family(row.get("family") or family).rebuild(int(index), difficulty, self.seed, self.skin,
                                                                    row.get("task_config"))
            if item.content_hash == key[1]:
                small = resize_to_width(item.first_frame, min(self.width, item.first_frame.shape[1]))
                made = (jpeg_uri(small), small.shape[1], small.shape[0])
        except Exception:  # an item that cannot be rebuilt just has no input thumbnail
            made = None
        self.cache[key] = made
        return made


# --- the page -------------------------------------------------------------------------------------

def write_report(run_dir: str | os.PathLike, out: str | os.PathLike | None = None, max_samples: int = 200,
                 thumbs: int = 5, thumb_width: int = 160, items: bool = True) -> Path:
    """Write ``report.html`` (or ``out``) for a run directory and return its path.

    ``max_samples`` caps the gallery (failures and errors first, then evenly spaced passes);
    ``thumbs`` video frames per sample; ``items`` rebuilds each item to show its input frame.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"{run_dir}: not a run directory")
    out = Path(out) if out else run_dir / "report.html"
    config, cfg_problem = _read_json(run_dir / "config.json")
    results, res_problem = _read_json(run_dir / "results.json")
    for group in (results or {}).get("groups", []):  # older runs: today's metric names
        current_metric_names(group.get("family", ""), group)
    rows, bad_lines = load_rows(sample_files(run_dir))  # every slice of a split run
    problems = [p for p in (cfg_problem, res_problem) if p]
    if bad_lines:
        problems.append(f"samples.jsonl: {bad_lines} unreadable line(s) skipped")
    if not rows:
        problems.append("samples.jsonl has no finished samples")
    counted = sum(int(g.get("samples", g.get("n", 0)) or 0) for g in results.get("groups", []) if isinstance(g, dict))
    if results and counted != len(rows):
        problems.append(f"results.json counts {counted} samples, samples.jsonl holds {len(rows)} (an interrupted "
                        "run, or results.json from an older genbench): the summary is results.json's, the plots "
                        "and the gallery show every sample")

    parts = [_head(run_dir), _header(run_dir, config, results, rows, problems),
             _summary(results), _plots(results, rows), _gallery(run_dir, rows, config, max_samples, thumbs,
                                                             thumb_width, items), "</main></body></html>\n"]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(redact("".join(parts)), encoding="utf-8")  # no key or URL credential reaches the page
    replace_durably(tmp, out)  # a reader never sees half a page
    return out


CSS = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1200px;margin:0 auto;padding:12px 20px 40px}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:22px 0 8px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:6px 0;background:#fff}
table.summary{max-width:100%}table.summary td,table.summary th{overflow-wrap:anywhere;padding:3px 5px}
td,th{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}
.kv td:first-child{font-weight:600;white-space:nowrap}
.warn{background:#fff3cd;border:1px solid #e0c36a;padding:6px 10px;margin:6px 0}
.badge{display:inline-block;min-width:44px;text-align:center;font-weight:700;border-radius:3px;padding:1px 6px;color:#fff}
.b-pass{background:#1a7f37}.b-fail{background:#c62828}.b-error{background:#6d4c41}
.card{background:#fff;border:1px solid #ddd;border-left:5px solid #999;margin:8px 0;padding:6px 10px}
.card.pass{border-left-color:#1a7f37}.card.fail{border-left-color:#c62828}.card.error{border-left-color:#6d4c41}
.card .line{display:flex;flex-wrap:wrap;gap:10px;align-items:baseline}
.code{font-family:ui-monospace,Menlo,monospace;font-weight:700;color:#c62828}
.muted{color:#666}.msg{margin:2px 0}
.strip{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0}
figure{margin:0;text-align:center;font-size:11px;color:#555}
figure img,figure svg.thumb{display:block;border:2px solid #ddd}
figure.err img{border:3px solid #d00}figure.err figcaption{color:#d00;font-weight:700}
.unavail{padding:10px;border:1px dashed #c62828;color:#c62828;background:#fff5f5}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:6px;max-height:300px;overflow:auto;font-size:12px}
details{margin:3px 0}summary{cursor:pointer}
svg .t{font-weight:700;font-size:13px}svg .lb{font-size:12px}svg .ax{font-size:10px;fill:#555}
svg .grid{stroke:#eee}svg .bar{fill:#4c78a8}svg .ci{stroke:#111;stroke-width:1.5}
svg.tl .lane{fill:#f7f7f7;stroke:#e4e4e4}svg .s0{fill:none;stroke:#0072B2;stroke-width:1.4}
svg .s1{fill:none;stroke:#E69F00;stroke-width:1.2}svg .s0f{fill:#0072B2}svg .s1f{fill:#E69F00}
svg .unseen{fill:#aaa}svg .ev{fill:#d00}svg .mv{fill:#555}svg .shown{stroke:#999;stroke-dasharray:2 2}
svg .err{stroke:#d00;stroke-width:2}svg .errt{fill:#d00;font-weight:700}
svg .trk{fill:none;stroke:#ff00ff;stroke-width:2;stroke-opacity:.85}svg .trs{fill:#00c853}
svg .tre{fill:none;stroke:#ff00ff;stroke-width:2}svg .trx{stroke:#d00;stroke-width:3}
body:has(#only-fail:checked) .card.pass{display:none}
label.filter{position:sticky;top:0;display:block;background:#fafafa;padding:4px 20px;border-bottom:1px solid #ddd;z-index:1}
"""


def _head(run_dir: Path) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width,initial-scale=1"><title>genbench report: {esc(run_dir.name)}</title>'
            f'<style>{CSS}</style></head><body><label class="filter"><input type="checkbox" id="only-fail"> '
            f'show only failures and errors in the gallery</label><main>')


def _compact(x, limit: int = 2000) -> str:
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


def _header(run_dir: Path, config: dict, results: dict, rows: list[dict], problems: list[str]) -> str:
    cfg = {k: v for k, v in (config or results.get("config") or {}).items() if k not in ("history", "versions")}
    versions = results.get("versions") or config.get("versions") or {}
    times = sorted(r["time"] for r in rows if isinstance(r.get("time"), str))
    families = sorted({r.get("family", "?") for r in rows})
    models = sorted({r.get("model", "?") for r in rows})
    seeds = sorted({r.get("seed") for r in rows if isinstance(r.get("seed"), int)})
    facts = [("run directory", str(run_dir)),
             ("report written", time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())),
             ("samples finished", f"{sum(bool(r.get('done')) for r in rows)} "
                                  f"({sum(not r.get('done') for r in rows)} generation errors without a video)"),
             ("models in samples", ", ".join(models)), ("task families in samples", ", ".join(families)),
             ("sample seeds", _seed_text(seeds))]
    if times:
        facts.append(("samples written", f"{times[0]} … {times[-1]}"))
    facts += [(k, v if isinstance(v, str) else _compact(v, 300)) for k, v in cfg.items() if v not in (None, "", {}, [])]
    if versions:
        facts.append(("versions", ", ".join(f"{k} {v}" for k, v in versions.items())))
    counts = results.get("counts")
    if counts:
        facts.append(("last invocation", ", ".join(f"{k} {v}" for k, v in counts.items())))
    prov = results.get("provenance") or {}
    facts += [(f"results: {k}", str(v)) for k, v in prov.items() if v]
    if results.get("covers"):
        facts.append(("results cover", results["covers"]))
    html = [f"<h1>genbench report: {esc(run_dir.name)}</h1>"]
    html += [f'<div class="warn">{esc(p)}</div>' for p in problems]
    html.append('<table class="kv">' + "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in facts)
                + "</table>")
    return "".join(html)


def _seed_text(seeds: list[int]) -> str:
    if not seeds:
        return "–"
    return ", ".join(map(str, seeds)) if len(seeds) <= 6 else f"{len(seeds)} distinct ({seeds[0]} … {seeds[-1]})"


def _pct(x) -> str:
    return f"{x:.1%}" if isinstance(x, (int, float)) else "–"


def _ci(ci) -> str:
    return f"[{ci[0]:.1%}, {ci[1]:.1%}]" if isinstance(ci, (list, tuple)) and len(ci) == 2 else ""


def _num_ci(ci) -> str:
    return f"[{ci[0]:g}, {ci[1]:g}]" if isinstance(ci, (list, tuple)) and len(ci) == 2 else ""


def _metric(key: str, v) -> str:
    """Rates in [0, 1] as percentages; VLM scores (0–100) and counts as numbers; absent as a dash."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:.1f}" if key == "overall" or not 0 <= v <= 1 else _pct(v)
    return "–" if v is None else esc(v)


def _summary(results: dict) -> str:
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
                 f'<td class="num">{_pct(g.get("pass_rate")) if g.get("n") else "–"} ({esc(g.get("passed", ""))})</td>',
                 f'<td class="num">{_ci(g.get("pass_ci95")) if g.get("n") else "–"}</td>']
        cells += [f'<td class="num">{esc(g.get(k, "–"))}</td>' for k in
                  ("n", "judged", "errors", "generation_failures", "not_judged")]
        for k in heads:
            ci = _ci(mci.get(k)) if _metric(k, m.get(k)).endswith("%") else ""
            cells.append(f'<td class="num">{_metric(k, m.get(k))} {ci}</td>')
        pci = g.get("pass_at_k_ci95") or {}
        cells += [f'<td class="num">{_pct((g.get("pass_at_k") or {}).get(k))} {_ci(pci.get(k))}</td>' for k in passk]
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
                   f"<td class='num'>{_pct(st.get('success'))} {_ci(st.get('success_ci95'))}</td>"
                   f"<td class='num'>{_pct(st.get('pass_at_k'))} {_ci(st.get('pass_at_k_ci95'))}</td>"
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
        means = {k: f"{v} {_num_ci((s.get('metrics_ci95') or {}).get(k))}" for k, v in (s.get("metrics") or {}).items()}
        out.append(f"<tr><td>{esc(g.get('family'))}</td><td>{esc(g.get('difficulty'))}</td><td>{esc(g.get('model'))}</td>"
                   f"<td>{esc(name)}</td><td class='num'>{esc(s.get('n'))}</td><td class='num'>{_pct(s.get('pass_rate'))}</td>"
                   f"<td class='num'>{_ci(s.get('pass_ci95'))}</td>"
                   f"<td class='num'>{_pct(s.get('agreement_with_checker'))} {_ci(s.get('agreement_ci95'))}</td>"
                   f"<td class='num'>{esc(s.get('not_judged', 0))}</td><td>{esc(_compact(means, 400))}</td></tr>")
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


def _plots(results: dict, rows: list[dict]) -> str:
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


# --- gallery -----------------------------------------------------------------------------------

def _status(row: dict) -> str:
    v = row.get("verdict") or {}
    if v.get("status") != "ok" or not row.get("done", True):
        return "error"
    return "pass" if v.get("passed") else "fail"


def _spread(xs: list, k: int) -> list:
    """``k`` elements evenly spaced over ``xs`` (all of them if they fit): every family and model of a
    sorted list keeps a share, where a head cut would keep the first family only."""
    if k >= len(xs):
        return list(xs)
    return [xs[int(i * len(xs) / k)] for i in range(k)] if k > 0 else []


def select_samples(rows: list[dict], max_samples: int) -> tuple[list[dict], dict]:
    """Failures and errors first (spread over the run if they do not all fit), then passes, spread."""
    bad = [r for r in rows if _status(r) != "pass"]
    good = [r for r in rows if _status(r) == "pass"]
    keep_bad = _spread(bad, max_samples)
    keep_good = _spread(good, max(0, max_samples - len(keep_bad)))
    info = {"failures": len(bad), "failures_shown": len(keep_bad), "passes": len(good), "passes_shown": len(keep_good)}
    return keep_bad + keep_good, info


def _sort_key(r: dict):
    return (str(r.get("family")), str(r.get("item_id")), str(r.get("model")), r.get("candidate") or 0)


def _gallery(run_dir: Path, rows: list[dict], config: dict, max_samples: int, thumbs: int, width: int,
             items: bool) -> str:
    rows = sorted(rows, key=_sort_key)  # (select_samples spreads over this order)
    shown, info = select_samples(rows, max_samples)
    left = len(rows) - len(shown)
    out = ["<h2>Samples</h2>",
           f"<p>Showing {len(shown)} of {len(rows)} samples: {info['failures_shown']} of {info['failures']} "
           f"failures/errors and {info['passes_shown']} of {info['passes']} passes"
           + (f"; <b>{left} left out</b> (raise --max-samples to see more)" if left else "") + ". "
           "Thumbnails: the item's input frame (with the tracked path drawn over it where the checker "
           "recorded one), then video frames; the first error frame is outlined in red.</p>"]
    by_family: dict[str, list[dict]] = defaultdict(list)
    for r in sorted(shown, key=_sort_key):
        by_family[str(r.get("family"))].append(r)
    maker = _Items(config, items, width)
    for fam, rs in by_family.items():
        c = Counter(_status(r) for r in rs)
        out.append(f"<details open><summary><b>{esc(fam)}</b> — {len(rs)} shown: {c['pass']} pass, "
                   f"{c['fail']} fail, {c['error']} error</summary>")
        for r in rs:
            out.append(_card(run_dir, r, maker, thumbs, width))
        out.append("</details>")
    return "".join(out)


def _badge(status: str) -> str:
    return f'<span class="badge b-{status}">{status.upper()}</span>'


def _card(run_dir: Path, row: dict, maker: _Items, thumbs: int, width: int) -> str:
    try:
        return _card_inner(run_dir, row, maker, thumbs, width)
    except Exception as e:  # one odd row never ends the report
        return (f'<div class="card error"><div class="line">{_badge("error")} <b>{esc(row.get("item_id", "?"))}</b>'
                f'<span>{esc(row.get("model", "?"))}</span></div><div class="unavail">this sample could not be '
                f'shown: {esc(type(e).__name__)}: {esc(e)}</div></div>')


def _card_inner(run_dir: Path, row: dict, maker: _Items, thumbs: int, width: int) -> str:
    from ..schema import FAILURE_CODES
    from .thumbs import video_strip

    v = row.get("verdict") or {}
    status = _status(row)
    metrics = v.get("metrics") if isinstance(v.get("metrics"), dict) else {}
    evidence = v.get("evidence") if isinstance(v.get("evidence"), dict) else {}
    err_frame = v.get("first_error_frame") if isinstance(v.get("first_error_frame"), int) else None
    n_hint = metrics.get("frames") if isinstance(metrics.get("frames"), int) else None
    failure = v.get("failure") if status != "pass" else None

    head = [_badge(status), f"<b>{esc(row.get('item_id', '?'))}</b>", f"<span>{esc(row.get('model', '?'))}</span>"]
    if row.get("candidate"):
        head.append(f"<span class='muted'>candidate {esc(row['candidate'])}</span>")
    if isinstance(row.get("seed"), int):
        head.append(f"<span class='muted'>seed {row['seed']}</span>")
    head.append(f"<span class='muted'>{esc(v.get('checker', ''))} {esc(v.get('version', ''))}</span>")
    if isinstance(v.get("score"), (int, float)):
        head.append(f"<span>score {v['score']:.2f}</span>")
    if failure:
        head.append(f'<span class="code" title="{esc(FAILURE_CODES.get(failure, ""))}">{esc(failure)}</span>')
    if err_frame is not None:
        head.append(f"<span>first error frame <b>{err_frame}</b></span>")
    for name, jv in (row.get("vlm_verdicts") or {}).items():
        if isinstance(jv, dict):
            js = "error" if jv.get("status") != "ok" else ("pass" if jv.get("passed") else "fail")
            head.append(f"<span class='muted'>VLM {esc(name)}: {_badge(js)}</span>")
    parts = [f'<div class="card {status}"><div class="line">{" ".join(head)}</div>']
    if v.get("message"):
        parts.append(f'<div class="msg">{esc(v["message"])}</div>')

    # thumbnails: the item's input frame (path drawn over it), then the picked video frames
    figs = []
    item_thumb = maker.thumb(row)
    if item_thumb is not None:
        uri, w, h = item_thumb
        pts = _normalised_points(evidence)
        if pts:
            key, track = pts
            figs.append(f"<figure>{path_overlay(uri, w, h, track, err_frame, f'tracked {key} over the input frame')}"
                        f"<figcaption>input + tracked {esc(key)}</figcaption></figure>")
        else:
            figs.append(f'<figure><img src="{uri}" width="{w}" height="{h}" alt="input frame">'
                        f"<figcaption>input (item)</figcaption></figure>")
    video = _video_path(run_dir, row)
    strip = None
    if video is None:
        parts.append(f'<div class="unavail">video unavailable: no video recorded for this sample'
                     f'{" (" + esc(v.get("message")) + ")" if v.get("message") else ""}</div>')
    else:
        strip = video_strip(video, n_hint, err_frame, thumbs, width)
        if strip.error:
            parts.append(f'<div class="unavail">video unavailable: {esc(strip.error)}'
                         + (f" (decoded {strip.n_decoded} frames before it failed)" if strip.n_decoded else "")
                         + "</div>")
        tw, th = strip.size
        for i, uri in sorted(strip.frames.items()):
            is_err = i == err_frame
            cap = f"frame {i} ✗ first error" if is_err else ("frame 0" if i == 0 else
                                                              f"frame {i} (last)" if i == strip.n_decoded - 1 else f"frame {i}")
            figs.append(f'<figure class="{"err" if is_err else ""}"><img src="{uri}" width="{tw}" height="{th}" '
                        f'alt="frame {i}"><figcaption>{esc(cap)}</figcaption></figure>')
    if figs:
        parts.append(f'<div class="strip">{"".join(figs)}</div>')
    n_frames = n_hint or (strip.n_decoded if strip and not strip.error else None)
    parts.append(timeline(evidence, n_frames, err_frame, sorted(strip.frames) if strip else []))
    parts.append(_details(row, v, metrics, evidence, video))
    parts.append("</div>")
    return "".join(parts)


def _normalised_points(evidence: dict):
    """The first per-frame point track whose coordinates are normalised to the canvas ([0, 1])."""
    for key, val in evidence.items():
        if isinstance(val, list) and len(val) > 1 and all(
                p is None or (isinstance(p, (list, tuple)) and len(p) == 2
                              and all(isinstance(c, (int, float)) and -0.05 <= c <= 1.05 for c in p)) for p in val) \
                and any(p is not None for p in val):
            return key, val
    return None


def _table(records: list[dict], limit: int = 50) -> str:
    keys: list[str] = []
    for r in records[:limit]:
        keys += [k for k in r if k not in keys]
    out = ["<table><tr>" + "".join(f"<th>{esc(k)}</th>" for k in keys) + "</tr>"]
    for r in records[:limit]:
        out.append("<tr>" + "".join(f"<td>{esc(_compact(r.get(k, ''), 400) if not isinstance(r.get(k), str) else r[k])}</td>"
                                    for k in keys) + "</tr>")
    out.append("</table>")
    if len(records) > limit:
        out.append(f"<p class='muted'>… {len(records) - limit} more</p>")
    return "".join(out)


def _details(row: dict, v: dict, metrics: dict, evidence: dict, video: Path | None) -> str:
    out = ["<details><summary>prompt, metrics, evidence"
           + (", VLM judges" if row.get("vlm_verdicts") else "")
           + (", test-time search" if (row.get("generation") or {}).get("meta", {}).get("strategy") else "")
           + "</summary>"]
    if row.get("prompt"):
        out.append(f"<p><b>prompt</b> ({esc(row.get('mode', ''))}):</p><pre>{esc(row['prompt'])}</pre>")
    if metrics:
        out.append("<table><tr>" + "".join(f"<th>{esc(k)}</th>" for k in metrics) + "</tr><tr>"
                   + "".join(f"<td class='num'>{esc(x)}</td>" for x in metrics.values()) + "</tr></table>")
    if video is not None:
        out.append(f"<p class='muted'>video: {esc(video)}</p>")
    if evidence:
        out.append(f"<p><b>evidence</b></p><pre>{esc(_compact(evidence, 4000))}</pre>")
    for name, jv in (row.get("vlm_verdicts") or {}).items():
        if not isinstance(jv, dict):
            continue
        ev = jv.get("evidence") if isinstance(jv.get("evidence"), dict) else {}
        out.append(f"<p><b>VLM judge {esc(name)}</b>: {esc(jv.get('status'))}, passed={esc(jv.get('passed'))}, "
                   f"score {esc(jv.get('score'))}, {esc(jv.get('failure') or '')} {esc(jv.get('message') or '')}</p>")
        answers = ev.get("answers")
        if isinstance(answers, list) and answers and all(isinstance(a, dict) for a in answers):
            out.append(_table(answers))
        rest = {k: x for k, x in ev.items() if k != "answers"}
        if rest:
            out.append(f"<pre>{esc(_compact(rest, 3000))}</pre>")
    meta = (row.get("generation") or {}).get("meta") or {}
    if isinstance(meta, dict) and meta.get("strategy"):
        strat = meta.get("strategies") or {}
        out.append(f"<p><b>test-time strategy</b> {esc(meta.get('strategy'))}, selector {esc(meta.get('selector', ''))}</p>")
        if isinstance(strat, dict) and strat:
            out.append(_table([{"strategy": k, **(s if isinstance(s, dict) else {"value": s})} for k, s in strat.items()]))
        trace = meta.get("trace") or {}
        rounds = trace.get("rounds") if isinstance(trace, dict) else None
        if isinstance(rounds, list) and rounds:
            out.append(_table([{"round": r.get("round"), "prompt": r.get("prompt"),
                                "candidates": _compact(r.get("candidates"), 300)} for r in rounds if isinstance(r, dict)]))
        out.append(f"<pre>{esc(_compact({k: x for k, x in meta.items() if k not in ('strategies',)}, 3000))}</pre>")
    timings = row.get("timings")
    if isinstance(timings, dict):
        out.append(f"<p class='muted'>timings: {esc(_compact(timings, 300))}</p>")
    out.append("</details>")
    return "".join(out)
