"""Small inline-SVG plots for the HTML report: bars with CI whiskers, stacked failure bars, per-frame
evidence timelines and a tracked path over the item's first frame.

Hand-written on purpose: the page must be one self-contained file with no JS and matplotlib is not a
dependency; each plot here is a few rectangles and polylines. Every text goes through ``esc``.
"""

from __future__ import annotations

from html import escape

# Colour-blind-safe palette (Okabe–Ito) for categorical series such as failure codes.
PALETTE = ["#D55E00", "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
           "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF"]


def esc(x) -> str:
    return escape(str(x), quote=True)


def colour_for(name: str, names: list[str]) -> str:
    return PALETTE[names.index(name) % len(PALETTE)] if name in names else "#999"


def rate_bars(rows: list[dict], title: str, width: int = 640) -> str:
    """Horizontal bars: rows of {label, rate, lo, hi, n, k}; rate and CI in [0, 1]."""
    if not rows:
        return ""
    label_w, right_w, bar_h, gap, top = 230, 110, 16, 6, 26
    plot_w = width - label_w - right_w
    height = top + len(rows) * (bar_h + gap) + 22
    out = [f'<svg class="plot" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{esc(title)}"><text x="4" y="16" class="t">{esc(title)}</text>']
    for t in (0, 0.25, 0.5, 0.75, 1.0):  # grid with percent ticks
        x = label_w + t * plot_w
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 18}" class="grid"/>'
                   f'<text x="{x:.1f}" y="{height - 6}" class="ax" text-anchor="middle">{int(t * 100)}%</text>')
    for i, r in enumerate(rows):
        y = top + i * (bar_h + gap)
        x0 = label_w
        w = max(0.0, min(1.0, r["rate"])) * plot_w
        lo, hi = (label_w + max(0.0, min(1.0, v)) * plot_w for v in (r["lo"], r["hi"]))
        tip = f'{r["label"]}: {r["k"]}/{r["n"]} = {r["rate"]:.1%}, 95% CI [{r["lo"]:.1%}, {r["hi"]:.1%}]'
        out.append(f'<g><title>{esc(tip)}</title>'
                   f'<text x="{label_w - 6}" y="{y + bar_h - 4}" class="lb" text-anchor="end">{esc(r["label"])}</text>'
                   f'<rect x="{x0}" y="{y}" width="{w:.1f}" height="{bar_h}" class="bar"/>'
                   f'<line x1="{lo:.1f}" y1="{y + bar_h / 2}" x2="{hi:.1f}" y2="{y + bar_h / 2}" class="ci"/>'
                   f'<line x1="{lo:.1f}" y1="{y + 3}" x2="{lo:.1f}" y2="{y + bar_h - 3}" class="ci"/>'
                   f'<line x1="{hi:.1f}" y1="{y + 3}" x2="{hi:.1f}" y2="{y + bar_h - 3}" class="ci"/>'
                   f'<text x="{label_w + plot_w + 6}" y="{y + bar_h - 4}" class="lb">'
                   f'{r["rate"]:.0%} ({r["k"]}/{r["n"]})</text></g>')
    out.append("</svg>")
    return "".join(out)


def stacked_bars(rows: list[tuple[str, dict]], codes: list[str], title: str, width: int = 640) -> str:
    """Horizontal stacked bars of counts: rows of (label, {code: count}); one colour per code."""
    rows = [(label, counts) for label, counts in rows if sum(counts.values())]
    if not rows:
        return ""
    label_w, right_w, bar_h, gap, top = 230, 50, 16, 6, 26
    plot_w = width - label_w - right_w
    vmax = max(sum(c.values()) for _, c in rows)
    legend_rows = (len(codes) + 3) // 4
    height = top + len(rows) * (bar_h + gap) + 8 + legend_rows * 16
    out = [f'<svg class="plot" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{esc(title)}"><text x="4" y="16" class="t">{esc(title)}</text>']
    for i, (label, counts) in enumerate(rows):
        y = top + i * (bar_h + gap)
        x = float(label_w)
        out.append(f'<text x="{label_w - 6}" y="{y + bar_h - 4}" class="lb" text-anchor="end">{esc(label)}</text>')
        for code in codes:
            c = counts.get(code, 0)
            if not c:
                continue
            w = c / vmax * plot_w
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour_for(code, codes)}">'
                       f'<title>{esc(label)}: {esc(code)} × {c}</title></rect>')
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + bar_h - 4}" class="lb">{sum(counts.values())}</text>')
    ly = top + len(rows) * (bar_h + gap) + 8
    for j, code in enumerate(codes):
        lx, yy = 4 + (j % 4) * (width // 4), ly + (j // 4) * 16
        out.append(f'<rect x="{lx}" y="{yy}" width="10" height="10" fill="{colour_for(code, codes)}"/>'
                   f'<text x="{lx + 14}" y="{yy + 9}" class="ax">{esc(code)}</text>')
    out.append("</svg>")
    return "".join(out)


# --- per-frame evidence ------------------------------------------------------------------------

# Evidence lists whose records start with a frame index (trajectory, process, board and Sokoban checkers).
FRAME_FIRST = {"moves", "changes", "box_moves", "pushes"}


def _is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _is_point(x) -> bool:
    return isinstance(x, (list, tuple)) and len(x) == 2 and all(_is_num(v) for v in x)


def frame_tracks(evidence: dict, n_frames: int | None) -> tuple[list, list, list]:
    """Split a verdict's evidence into what a timeline can draw, by shape rather than by name:

    - scalar tracks: lists with one number (or None / -1 for "not seen") per frame, e.g. ``cells``,
      ``frame_state``, ``selected``;
    - point tracks: one [a, b] (or None) per frame, e.g. ``xy``, ``player``;
    - frame markers: lists of dicts with a ``frame`` key, e.g. ``events``, and the checkers' lists of
      records that start with a frame index (``FRAME_FIRST``: by name, since a list of states such as
      Hanoi's ``[[6, 1, 0], …]`` has the same shape).
    """
    lists = {k: v for k, v in evidence.items() if isinstance(v, list) and v}
    if not n_frames:
        n_frames = max((len(v) for v in lists.values()), default=0)
    scalars, points, markers = [], [], []
    for k, v in lists.items():
        if len(v) == n_frames and n_frames > 1:
            if all(x is None or _is_num(x) for x in v) and any(_is_num(x) for x in v):
                scalars.append((k, v))
                continue
            if all(x is None or _is_point(x) for x in v) and any(x is not None for x in v):
                points.append((k, v))
                continue
        if all(isinstance(x, dict) and isinstance(x.get("frame"), int) for x in v):
            markers.append((k, [(x["frame"], " ".join(str(x.get(f, "")) for f in ("code", "detail")).strip()
                                 or _short(x)) for x in v]))
        elif k in FRAME_FIRST and all(isinstance(x, (list, tuple)) and len(x) > 1 and isinstance(x[0], int)
                                      and not isinstance(x[0], bool) for x in v):
            markers.append((k, [(x[0], _short(list(x[1:]))) for x in v]))
    return scalars, points, markers


def _short(x, limit: int = 80) -> str:
    import json

    s = json.dumps(x, ensure_ascii=False, default=str)
    return s if len(s) <= limit else s[:limit - 1] + "…"


def timeline(evidence: dict, n_frames: int | None, error_frame: int | None = None,
             shown_frames: list[int] = (), width: int = 640) -> str:
    """One lane per per-frame track over the frame axis, event/move markers below, the first error
    frame as a red line across all lanes, and the frames shown as thumbnails as grey ticks."""
    scalars, points, markers = frame_tracks(evidence, n_frames)
    if not n_frames:
        n_frames = max([len(v) for _, v in scalars + points] + [0])
    if n_frames < 2 or not (scalars or points or markers):
        return ""
    label_w, lane_h, mark_h, top = 90, 34, 14, 4
    plot_w = width - label_w - 8
    lanes = [(k, "scalar", v) for k, v in scalars] + [(k, "point", v) for k, v in points]
    height = top + len(lanes) * (lane_h + 4) + len(markers) * (mark_h + 2) + 18
    fx = lambda f: label_w + f / max(n_frames - 1, 1) * plot_w  # noqa: E731
    out = [f'<svg class="tl" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="per-frame evidence">']
    y = top
    for key, kind, v in lanes:
        start = len(out)
        out.append(f'<g><text x="{label_w - 4}" y="{y + lane_h / 2 + (0 if kind == "point" else 4)}" class="ax" '
                   f'text-anchor="end">{esc(key)}</text>'
                   + (f'<text x="{label_w - 4}" y="{y + lane_h / 2 + 11}" class="ax" text-anchor="end">'
                      f'<tspan class="s0f">[0]</tspan> <tspan class="s1f">[1]</tspan></text>' if kind == "point" else "")
                   + f'<rect x="{label_w}" y="{y}" width="{plot_w}" height="{lane_h}" class="lane"/>')
        series = [[None if x is None or x == -1 else x for x in v]] if kind == "scalar" else \
            [[None if p is None else p[0] for p in v], [None if p is None else p[1] for p in v]]
        tips = []
        for si, s in enumerate(series):
            vals = [x for x in s if x is not None]
            if not vals:
                continue
            lo, hi = min(vals), max(vals)
            span = (hi - lo) or 1.0
            fy = lambda x: y + lane_h - 3 - (x - lo) / span * (lane_h - 6)  # noqa: E731
            cls = "s0" if si == 0 else "s1"
            for seg in _segments(s):  # a gap where the track was not seen
                pts = " ".join(f"{fx(f):.1f},{fy(x):.1f}" for f, x in seg)
                if len(seg) == 1:
                    f, x = seg[0]
                    out.append(f'<circle cx="{fx(f):.1f}" cy="{fy(x):.1f}" r="1.5" class="{cls}f"/>')
                else:
                    out.append(f'<polyline points="{pts}" class="{cls}"/>')
            tip = f"{key}{'' if kind == 'scalar' else ('[0]' if si == 0 else '[1]')}: {lo:g} … {hi:g}"
            tips.append(tip)
        unseen = [f for f, x in enumerate(v) if x is None or (kind == "scalar" and x == -1)]
        for a, b in _runs(unseen):  # frames where nothing was seen, as a grey band at the lane foot
            out.append(f'<rect x="{fx(a):.1f}" y="{y + lane_h - 3}" width="{max(fx(b) - fx(a), 1.5):.1f}" '
                       f'height="3" class="unseen"><title>none / not seen: frames {a}–{b}</title></rect>')
        out[start] = f"<g><title>{esc('; '.join(tips))}</title>" + out[start][3:]  # a tooltip's title comes first
        out.append("</g>")
        y += lane_h + 4
    for key, marks in markers:
        out.append(f'<text x="{label_w - 4}" y="{y + mark_h - 3}" class="ax" text-anchor="end">{esc(key)}</text>')
        bad = key == "events"
        for f, text in marks[:400]:
            out.append(f'<rect x="{fx(f) - 1.5:.1f}" y="{y + 2}" width="3" height="{mark_h - 4}" '
                       f'class="{"ev" if bad else "mv"}"><title>frame {f}: {esc(text)}</title></rect>')
        y += mark_h + 2
    for f in shown_frames:
        if 0 <= f < n_frames:
            out.append(f'<line x1="{fx(f):.1f}" y1="{top}" x2="{fx(f):.1f}" y2="{y}" class="shown"/>')
    if error_frame is not None and 0 <= error_frame < n_frames:
        out.append(f'<line x1="{fx(error_frame):.1f}" y1="{top}" x2="{fx(error_frame):.1f}" y2="{y}" class="err">'
                   f'<title>first error frame {error_frame}</title></line>')
    out.append(f'<text x="{label_w - 4}" y="{y + 12}" class="ax" text-anchor="end">frame</text>')  # the axis
    for f in sorted({0, n_frames - 1, *([error_frame] if error_frame is not None else [])}):
        if 0 <= f < n_frames:
            out.append(f'<text x="{fx(f):.1f}" y="{y + 12}" class="ax{" errt" if f == error_frame else ""}" '
                       f'text-anchor="middle">{f}</text>')
    out.append("</svg>")
    return "".join(out)


def _segments(s: list) -> list[list[tuple[int, object]]]:
    """Runs of seen values as (frame, value) lists, with the inner points of constant stretches dropped
    (a held position is a straight line: no need for a point per frame)."""
    segs, cur = [], []
    for f, x in enumerate(s):
        if x is None:
            if cur:
                segs.append(cur)
            cur = []
        else:
            cur.append((f, x))
    if cur:
        segs.append(cur)
    out = []
    for seg in segs:
        keep = [p for i, p in enumerate(seg) if i in (0, len(seg) - 1)
                or not (seg[i - 1][1] == p[1] == seg[i + 1][1])]
        out.append(keep)
    return out


def _runs(frames: list[int]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for f in frames:
        if out and f == out[-1][1] + 1:
            out[-1][1] = f
        else:
            out.append([f, f])
    return [(a, b) for a, b in out]


def path_overlay(image_uri: str, w: int, h: int, points: list, error_frame: int | None, title: str) -> str:
    """The tracked path (points normalised to the task canvas, None where not seen) drawn over the
    item's first frame; a dot at the start, a ring at the end, a red cross at the first error frame."""
    segs = _segments([None if p is None else tuple(p) for p in points])
    out = [f'<svg class="thumb path" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
           f'aria-label="{esc(title)}"><title>{esc(title)}</title>'
           f'<image href="{image_uri}" x="0" y="0" width="{w}" height="{h}"/>']
    for seg in segs:
        pts = " ".join(f"{p[0] * w:.1f},{p[1] * h:.1f}" for _, p in seg)
        out.append(f'<polyline points="{pts}" class="trk"/>')
    seen = [(f, p) for seg in segs for f, p in seg]
    if seen:
        (_, a), (_, b) = seen[0], seen[-1]
        out.append(f'<circle cx="{a[0] * w:.1f}" cy="{a[1] * h:.1f}" r="3" class="trs"/>'
                   f'<circle cx="{b[0] * w:.1f}" cy="{b[1] * h:.1f}" r="4" class="tre"/>')
    if error_frame is not None and 0 <= error_frame < len(points) and points[error_frame] is not None:
        x, y = points[error_frame][0] * w, points[error_frame][1] * h
        out.append(f'<path d="M{x - 5:.1f},{y - 5:.1f}L{x + 5:.1f},{y + 5:.1f}M{x - 5:.1f},{y + 5:.1f}'
                   f'L{x + 5:.1f},{y - 5:.1f}" class="trx"/>')
    out.append("</svg>")
    return "".join(out)
