"""The HTML report on a real (small) run: every sample shown with its verdict and real thumbnails,
summary numbers equal to results.json, damaged videos and hostile text handled."""

from __future__ import annotations

import base64
import json
import re
import shutil

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from genbench.cli import app
from genbench.report import write_report
from genbench.report.html import select_samples
from genbench.report.svg import frame_tracks, timeline
from genbench.report.thumbs import pick_frames
from genbench.runner import RunConfig, run


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "r"
    run(RunConfig(tasks="maze.grid", models="oracle,static,jumpcut", limit=1, difficulties="easy", out=str(out)),
        progress=False)
    return out


def rows_of(run_dir):
    return [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines() if line.strip()]


def cards(html: str) -> dict[str, str]:
    """Gallery cards keyed by model name."""
    out = {}
    for chunk in html.split('<div class="card ')[1:]:
        m = re.search(r"</b> <span>([^<]+)</span>", chunk)
        out[m.group(1)] = chunk
    return out


def decode_uri(uri: str) -> np.ndarray:
    img = cv2.imdecode(np.frombuffer(base64.b64decode(uri), np.uint8), cv2.IMREAD_COLOR)
    assert img is not None
    return img


def test_every_sample_with_its_verdict_and_why(run_dir, tmp_path):
    html = write_report(run_dir, tmp_path / "report.html").read_text()
    rows = rows_of(run_dir)
    assert len(rows) == 3
    for r in rows:
        assert r["item_id"] in html
    c = cards(html)
    assert set(c) == {"oracle", "static", "jumpcut"}
    assert 'b-pass">PASS' in c["oracle"] and "b-fail" not in c["oracle"]
    assert 'b-fail">FAIL' in c["static"] and '<span class="code"' in c["static"] and ">STATIC<" in c["static"]
    jump = next(r for r in rows if r["model"] == "jumpcut")["verdict"]
    assert jump["failure"] == "TELEPORT" and jump["first_error_frame"] > 0
    k = jump["first_error_frame"]
    # the first error frame is a thumbnail, outlined, with the frame before it; the timeline marks it
    assert re.search(rf'<figure class="err"><img src="data:image/jpeg;base64,[^"]+"[^>]*alt="frame {k}">', c["jumpcut"])
    assert f'alt="frame {k - 1}"' in c["jumpcut"]
    assert f"<title>first error frame {k}</title>" in c["jumpcut"]
    assert '<figure class="err">' not in c["oracle"] and "first error frame" not in c["oracle"]
    # the maze checker's per-frame cell track is drawn and the tracked path is drawn over the input frame
    assert "per-frame evidence" in c["jumpcut"] and ">cells</text>" in c["jumpcut"]
    assert "input + tracked xy" in c["jumpcut"] and 'class="trk"' in c["jumpcut"]


def test_thumbnails_are_real_decodable_frames(run_dir, tmp_path):
    html = write_report(run_dir, tmp_path / "report.html", thumbs=5).read_text()
    uris = re.findall(r"data:image/jpeg;base64,([A-Za-z0-9+/=]+)", html)
    assert len(uris) >= 3 * 5
    imgs = [decode_uri(u) for u in uris]
    assert all(im.shape[1] <= 160 and im.shape[0] >= 2 for im in imgs)
    # the static model's first and last frames are the same picture; the oracle's are not (the agent moved)
    c = cards(html)

    def first_last(card):
        frames = re.findall(r'<img src="data:image/jpeg;base64,([^"]+)"[^>]*alt="frame (\d+)"', card)
        frames = sorted(((int(i), decode_uri(u).astype(np.int16)) for u, i in frames), key=lambda t: t[0])
        return frames[0][1], frames[-1][1]

    a, b = first_last(c["static"])
    assert np.abs(a - b).mean() < 2
    a, b = first_last(c["oracle"])
    assert np.abs(a - b).max() > 100
    # the input frame is the rebuilt item's: the oracle's video starts from the very same picture
    item = decode_uri(re.search(r'<image href="data:image/jpeg;base64,([^"]+)"', c["oracle"]).group(1))
    assert item.shape == a.shape and np.abs(item.astype(np.int16) - a).mean() < 3


def test_summary_numbers_are_results_json(run_dir, tmp_path):
    html = write_report(run_dir, tmp_path / "report.html").read_text()
    results = json.loads((run_dir / "results.json").read_text())
    assert len(results["groups"]) == 3
    for g in results["groups"]:
        lo, hi = g["pass_ci95"]
        row = (f'<tr><td>{g["family"]}</td><td>{g["difficulty"]}</td><td>{g["model"]}</td>'
               f'<td class="num">{g["pass_rate"]:.1%} ({g["passed"]})</td><td class="num">[{lo:.1%}, {hi:.1%}]</td>'
               + "".join(f'<td class="num">{g[k]}</td>' for k in
                         ("n", "judged", "errors", "generation_failures", "not_judged")))
        assert row in html, row
        for code, count in g["failures"].items():
            assert f"{code} {count}" in html
    assert "<svg" in html and "pass rate per model" in html and "failure codes per model" in html
    # the plot's bar for the oracle is full, the static one empty
    assert re.search(r"<title>oracle: 1/1 = 100.0%", html) and re.search(r"<title>static: 0/1 = 0.0%", html)


def test_missing_or_corrupt_videos_do_not_stop_the_report(run_dir, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(run_dir, broken)
    rows = rows_of(broken)
    by_model = {r["model"]: broken / r["video"] for r in rows}
    by_model["static"].unlink()
    data = by_model["jumpcut"].read_bytes()
    by_model["jumpcut"].write_bytes(data[:64] + bytes(len(data) - 64))  # header kept, the rest zeroed
    html = write_report(broken).read_text()
    c = cards(html)
    assert set(c) == {"oracle", "static", "jumpcut"}
    assert "video unavailable" in c["static"] and "no such file" in c["static"]
    assert "video unavailable" in c["jumpcut"]
    assert "video unavailable" not in c["oracle"] and 'alt="frame 0"' in c["oracle"]
    assert ">STATIC<" in c["static"]  # the verdict is still shown


def test_hostile_text_is_escaped_and_unknown_rows_shown(run_dir, tmp_path):
    d = tmp_path / "esc"
    shutil.copytree(run_dir, d)
    rows = rows_of(d)
    evil = '<script>alert("x")</script> & <b>bold</b>'
    rows[1]["prompt"] = evil
    rows[1]["verdict"]["message"] = evil
    # a generation that failed (no video, not done) with evidence of a shape the report does not know
    odd = {**rows[0], "key": "odd", "gen_key": "odd", "done": False, "model": "odd<model>", "video": None, "generation": None,
           "verdict": {"checker": "x", "status": "error", "passed": False, "score": 0.0, "metrics": {},
                       "failure": "UNREADABLE", "first_error_frame": None, "message": "generation failed: boom",
                       "evidence": {"weird": {"nested": [1, 2, 3]}}, "version": ""}}
    # a VLM judge's verdict and a test-time search trace, as the runner stores them
    rows[2]["vlm_verdicts"] = {"openai:judge": {
        "checker": "vlm", "status": "ok", "passed": False, "score": 0.5, "metrics": {"overall": 50.0},
        "failure": "JUDGE_REJECTED", "first_error_frame": None, "message": "Rule Coherence answered Poor: q2",
        "evidence": {"answers": [{"id": "q2", "question": "Does the agent <pass> walls?", "answer": 0,
                                  "reasoning": "it crosses one"}], "raw": ["..."]}, "version": "1"}}
    rows[2]["generation"]["meta"] = {"strategy": "videotpo", "selector": "checker",
                                     "strategies": {"videotpo": {"passed": True, "generations": 6}},
                                     "trace": {"rounds": [{"round": 0, "prompt": "p0", "candidates": []}]}}
    (d / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows + [odd]) + "{not json\n")
    html = write_report(d).read_text()
    assert "<script>" not in html and "<b>bold</b>" not in html and "odd<model>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    c = cards(html)
    assert 'b-error">ERROR' in c["odd&lt;model&gt;"] and "video unavailable" in c["odd&lt;model&gt;"]
    assert "&quot;weird&quot;: {&quot;nested&quot;: [1, 2, 3]}" in c["odd&lt;model&gt;"]
    assert "1 unreadable line(s) skipped" in html
    judged = c[rows[2]["model"]]
    assert "VLM openai:judge" in judged and "Does the agent &lt;pass&gt; walls?" in judged and "it crosses one" in judged
    assert "test-time strategy</b> videotpo" in judged and "<td>p0</td>" in judged


def test_cli_report_caps_the_gallery_failures_first(run_dir, tmp_path):
    out = tmp_path / "capped.html"
    res = CliRunner().invoke(app, ["report", str(run_dir), "--out", str(out), "--max-samples", "1", "--thumbs", "4"])
    assert res.exit_code == 0, res.output
    html = out.read_text()
    c = cards(html)
    assert len(c) == 1 and "oracle" not in c  # a failure is shown before any pass
    assert "2 left out" in html
    res = CliRunner().invoke(app, ["report", str(tmp_path / "nope")])
    assert res.exit_code == 2 and "not a run directory" in " ".join(res.output.split())  # rich wraps lines


def test_frame_picks_and_evidence_shapes():
    assert pick_frames(100, 40, 5) == [0, 25, 39, 40, 99]  # first, last, error and the one before, then spaced
    assert pick_frames(100, None, 5) == [0, 25, 50, 74, 99]
    assert pick_frames(1, None, 5) == [0]
    ev = {"cells": [-1, 3, 3, 4], "xy": [None, [0.1, 0.2], [0.1, 0.2], [0.3, 0.2]],
          "moves": [[3, 3, 4]], "events": [{"frame": 2, "code": "TELEPORT", "detail": "jump"}],
          "symbols": ["", "1"], "fps": 24.0}
    scalars, points, markers = frame_tracks(ev, 4)
    assert [k for k, _ in scalars] == ["cells"] and [k for k, _ in points] == ["xy"]
    assert {k for k, _ in markers} == {"moves", "events"}
    svg = timeline(ev, 4, error_frame=2)
    assert "first error frame 2" in svg and "TELEPORT jump" in svg and "not seen: frames 0–0" in svg


def test_run_with_report_flag_writes_the_page(tmp_path):
    out = tmp_path / "r"
    res = CliRunner().invoke(app, ["run", "--tasks", "maze.grid", "--model", "static", "--limit", "1",
                                   "--difficulty", "easy", "--out", str(out), "--quiet", "--report"])
    assert res.exit_code == 0, res.output
    html = (out / "report.html").read_text()
    assert "maze.grid/easy/0000" in html and ">STATIC<" in html and "data:image/jpeg;base64," in html


def test_gallery_cap_keeps_failures_first_and_spreads_them():
    def row(fam, i, passed):
        return {"family": fam, "item_id": f"{fam}/easy/{i:04d}", "done": True,
                "verdict": {"status": "ok", "passed": passed}}
    rows = [row("a", i, False) for i in range(5)] + [row("b", i, False) for i in range(5)] + \
        [row("a", i, True) for i in range(5, 9)]
    shown, info = select_samples(rows, 2)
    assert {r["family"] for r in shown} == {"a", "b"} and not any(r["verdict"]["passed"] for r in shown)
    assert info == {"failures": 10, "failures_shown": 2, "passes": 4, "passes_shown": 0}
    shown, info = select_samples(rows, 12)
    assert info["failures_shown"] == 10 and info["passes_shown"] == 2
