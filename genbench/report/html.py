"""One self-contained HTML page per run: what the run found and why each video passed or failed.

No JS, no network: inline CSS, inline SVG plots (``svg.py``) and thumbnails as base64 JPEG data URIs
(``thumbs.py``). Numbers in the summary come from results.json as written by the run; the gallery reads
samples.jsonl and the videos. Every text from a run (prompts, messages, model names) is escaped.
This module reads the run and assembles the page; ``summary.py`` writes the summary and plots,
``gallery.py`` the per-sample cards, ``fmt.py`` the numbers and JSON shown in both.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from ..metrics import current_metric_names
from ..store import sample_files
from ..fsio import replace_durably
from ..redact import redact
from .fmt import compact
from .gallery import gallery_html, select_samples  # noqa: F401  (select_samples: importable from here)
from .summary import HEADLINE, MAX_HEADLINE, plots_html, summary_html  # noqa: F401
from .svg import esc


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
             summary_html(results), plots_html(results, rows),
             gallery_html(run_dir, rows, config, max_samples, thumbs, thumb_width, items), "</main></body></html>\n"]
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
    facts += [(k, v if isinstance(v, str) else compact(v, 300)) for k, v in cfg.items() if v not in (None, "", {}, [])]
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
