"""The report's gallery: one card per sample with its input frame (and tracked path), video frames,
timeline, and the verdict's evidence, VLM answers and test-time search trace."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from .fmt import compact
from .svg import esc, path_overlay, timeline

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


def gallery_html(run_dir: Path, rows: list[dict], config: dict, max_samples: int, thumbs: int, width: int,
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
        out.append("<tr>" + "".join(f"<td>{esc(compact(r.get(k, ''), 400) if not isinstance(r.get(k), str) else r[k])}</td>"
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
        out.append(f"<p><b>evidence</b></p><pre>{esc(compact(evidence, 4000))}</pre>")
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
            out.append(f"<pre>{esc(compact(rest, 3000))}</pre>")
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
                                "candidates": compact(r.get("candidates"), 300)} for r in rounds if isinstance(r, dict)]))
        out.append(f"<pre>{esc(compact({k: x for k, x in meta.items() if k not in ('strategies',)}, 3000))}</pre>")
    timings = row.get("timings")
    if isinstance(timings, dict):
        out.append(f"<p class='muted'>timings: {esc(compact(timings, 300))}</p>")
    out.append("</details>")
    return "".join(out)
