"""Nothing lost, nothing leaked (issue 17): store repair without data loss, error verdicts retried, only
usable replies cached, secrets redacted everywhere, input paths confined, imported items judged fully,
clear messages instead of tracebacks, and the small durability items. Each test failed before its fix."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from chat_server import ChatServer, Delay, Error
from genbench import registry
from genbench.cli import app
from genbench.generators.baselines import Oracle
from genbench.judges.backends import OpenAIChatBackend, ResponseCache
from genbench.judges.frames import FrameSampling
from genbench.judges.vlm import JudgeSettings, VLMJudge
from genbench.judging import judge_dir
from genbench.runner import RunConfig, run
from genbench.vrbench import judge_imported
from genbench.schema import SCHEMA_VERSION
from genbench.store import RunStore
from genbench.video import write_video

cli = CliRunner(env={"COLUMNS": "1000"})  # messages on one line: tests read them whatever the tmp path's length
REJECTED = "samples.rejected.jsonl"
SMALL = JudgeSettings(FrameSampling(fps=2, max_frames=3, long_side=64), max_tokens=256)
FAST_JUDGE = "max_frames=3,long_side=64,max_retries=0,retry_base_delay=0,retry_max_delay=0"


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def _lines(path: Path) -> list[str]:
    return [x for x in path.read_text().splitlines() if x.strip()]


def _rows(out: Path) -> list[dict]:
    return [json.loads(x) for x in _lines(out / "samples.jsonl")]


def good_reply(req: dict) -> str:
    """Answers every question the judge prompt asks, in the requested format."""
    text = req["messages"][1]["content"][-1]["text"]
    ids = re.findall(r"^([qb]\d+) ", text, flags=re.M)
    answer = "Good" if ids[0].startswith("q") else "yes"
    return json.dumps({"answers": [{"id": i, "reasoning": "seen", "answer": answer} for i in ids]})


def _row(i: int, **kw) -> dict:
    return {"key": f"k{i:03d}", "gen_key": f"g{i:03d}", "done": True, "item_id": f"maze.grid/easy/{i:04d}",
            "family": "maze.grid", "difficulty": "easy", "model": "oracle",
            "verdict": {"status": "ok", "passed": True, "metrics": {}, "failure": None}, **kw}


def _write_rows(path: Path, rows: list) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


# --- 1. a bad line never costs the rows after it ----------------------------------------------------

def test_bad_middle_lines_are_moved_aside_and_no_row_is_lost(tmp_path, capsys):
    out = tmp_path / "r"
    out.mkdir()
    rows = [_row(i) for i in range(48)]
    _write_rows(out / "samples.jsonl", rows)
    lines = (out / "samples.jsonl").read_text().splitlines(keepends=True)
    lines[1] = '{"key": "k001", "broken\n'  # a disk hiccup
    lines[9] = "[1, 2]\n"  # JSON, not a row
    lines[20] = '{"item_id": "x"}\n'  # a row without its key
    lines.insert(5, "\n")  # a blank line (line 6)
    (out / "samples.jsonl").write_text("".join(lines))
    store = RunStore(out)
    assert len(store.rows) == 45  # 48 − the three bad lines (the blank one held nothing)
    kept = _lines(out / "samples.jsonl")
    assert len(kept) == 45 and json.loads(kept[-1])["key"] == "k047"
    err = capsys.readouterr().err
    for no in (2, 11, 22):
        assert f"line {no}:" in err
    assert "line 6" not in err
    rejected = [json.loads(x) for x in _lines(out / REJECTED)]
    assert [r["line"] for r in rejected] == [2, 11, 22]
    assert rejected[0]["text"] == '{"key": "k001", "broken' and "not JSON" in rejected[0]["reason"]
    assert "no key" in rejected[2]["reason"]
    # loading again finds a clean file: nothing more moved, nothing lost
    assert len(RunStore(out).rows) == 45 and len(_lines(out / REJECTED)) == 3


def test_only_an_incomplete_last_line_is_dropped(tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    p = out / "samples.jsonl"
    _write_rows(p, [_row(0), _row(1)])
    p.write_bytes(p.read_bytes() + json.dumps(_row(2)).encode()[:30])  # killed mid-write
    store = RunStore(out)
    assert set(store.rows) == {"k000", "k001"} and len(_lines(p)) == 2
    assert json.loads(_lines(out / REJECTED)[0])["reason"].startswith("incomplete last line")
    # a complete last line without its newline is kept, and the next row starts a line of its own
    p.write_bytes(p.read_bytes() + json.dumps(_row(3)).encode())
    store = RunStore(out)
    assert "k003" in store.rows
    store.append(_row(4))
    assert [json.loads(x)["key"] for x in _lines(p)] == ["k000", "k001", "k003", "k004"]


def test_a_run_resumes_through_a_corrupt_middle_line(tmp_path, capsys):
    out = tmp_path / "r"
    cfg = RunConfig(tasks="maze.grid", models="oracle", out=str(out), limit=3, difficulties="easy")
    run(cfg, progress=False)
    p = out / "samples.jsonl"
    lines = p.read_text().splitlines(keepends=True)
    p.write_text(lines[0] + "\x00\x00garbage\n" + lines[1] + "\n" + lines[2])
    res = run(cfg, progress=False)
    assert res["counts"]["skipped"] == 3 and res["counts"]["generated"] == 0
    assert len(_rows(out)) == 3 and "line 2" in capsys.readouterr().err


def test_schema_versions_newer_refused_older_migrated(tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    old = _row(0)  # rows from before schema_version was written are version 0: read as they are
    _write_rows(out / "samples.jsonl", [old])
    assert "k000" in RunStore(out).rows
    _write_rows(out / "samples.jsonl", [old, _row(1, schema_version=SCHEMA_VERSION + 1)])
    with pytest.raises(ValueError, match="newer genbench"):
        RunStore(out)
    (out / "samples.jsonl").unlink()
    (out / "config.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1}))
    r = cli.invoke(app, ["run", "--tasks", "maze.grid", "--limit", "1", "--difficulty", "easy", "--quiet",
                         "--out", str(out)])
    assert r.exit_code == 2 and "newer genbench" in r.output and "Traceback" not in r.output


# --- 2. error verdicts are retried, a bounded number of times ---------------------------------------

class _Flaky(Oracle):
    """Fails its first ``fails`` generate() calls (a CUDA OOM, an API outage), then works."""

    name = "flaky"
    fails = 0
    calls = 0

    def generate(self, requests, paths):
        type(self).calls += 1
        if type(self).calls <= type(self).fails:
            raise RuntimeError("CUDA out of memory (simulated)")
        return super().generate(requests, paths)


@pytest.fixture
def flaky():
    registry.add("generator", "flaky-test", _Flaky, "test only")
    _Flaky.calls = 0
    yield _Flaky
    registry._ENTRIES["generator"].pop("flaky-test")


def test_failed_generations_are_retried_up_to_max_retries(tmp_path, flaky):
    flaky.fails = 99
    cfg = RunConfig(tasks="maze.grid", models="flaky-test", out=str(tmp_path / "r"), limit=1,
                    difficulties="easy", max_retries=2)
    for _ in range(5):
        res = run(cfg, progress=False)
    assert flaky.calls == 3  # the first try and two retries; later runs leave it
    assert res["counts"]["skipped"] == 1 and res["unfinished"] == {"generation_failed": 1, "judge_errors": 0,
                                                                   "gave_up": 1}
    flaky.calls, flaky.fails = 0, 1
    cfg.out = str(tmp_path / "r2")
    run(cfg, progress=False)
    res = run(cfg, progress=False)  # the outage is over: the next run makes the video
    assert res["counts"]["generated"] == 1 and res["groups"][0]["passed"] == 1


def test_vlm_judge_errors_are_retried_on_the_next_run(tmp_path, monkeypatch):
    out = tmp_path / "run"
    args = ["run", "--tasks", "maze.grid", "--model", "oracle", "--limit", "1", "--difficulty", "easy",
            "--out", str(out), "--quiet", "--judge", "openai:test", "--judge-args", FAST_JUDGE, "--max-retries", "1"]
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    with ChatServer(reply_fn=lambda req: Error(503)) as down:  # an outage: every request fails
        monkeypatch.setenv("OPENAI_BASE_URL", down.base_url)
        assert cli.invoke(app, args).exit_code == 0
        assert _rows(out)[-1]["vlm_verdicts"]["openai:test"]["status"] == "error"
        n_failed = down.request_count
    with ChatServer(reply_fn=good_reply) as up:  # the same command against a healthy server
        monkeypatch.setenv("OPENAI_BASE_URL", up.base_url)
        r = cli.invoke(app, args)
        assert r.exit_code == 0, r.output
        assert up.request_count == 1
        res = json.loads((out / "results.json").read_text())
        assert res["counts"]["rejudged"] == 1 and res["counts"]["generated"] == 0
        assert _rows(out)[-1]["vlm_verdicts"]["openai:test"]["status"] == "ok"
        assert cli.invoke(app, args).exit_code == 0 and up.request_count == 1  # done now: nothing asked
    assert n_failed >= 1
    # bounded: against a server that never recovers, one retry (--max-retries 1), then no more requests
    out2 = tmp_path / "run2"
    args2 = [a if a != str(out) else str(out2) for a in args]
    with ChatServer(reply_fn=lambda req: Error(500)) as down:
        monkeypatch.setenv("OPENAI_BASE_URL", down.base_url)
        counts = []
        for _ in range(4):
            assert cli.invoke(app, args2).exit_code == 0
            counts.append(down.request_count)
    assert counts[0] == counts[1] // 2 > 0 and counts[1] == counts[2] == counts[3]


# --- 3. only replies that parse are cached ------------------------------------------------------------

def test_unusable_replies_are_not_cached(maze, tmp_path):
    item = maze.generate(0, "easy", 0)
    video = tmp_path / "o.mp4"
    write_video(video, maze.solution_frames(item), 24)
    cache = ResponseCache(tmp_path / "c.sqlite")
    with ChatServer(script=["", "I think it went well."]) as srv:  # empty, then prose: both unusable
        backend = OpenAIChatBackend("m", base_url=srv.base_url, api_key="x", max_retries=0, cache=cache)
        v = VLMJudge(backend, "checklist", SMALL).judge(maze, item, video)
        assert v.status == "error" and v.failure == "JUDGE_ERROR"
    assert len(cache) == 0
    with ChatServer(reply_fn=good_reply) as srv:  # a fresh run asks again instead of reading junk
        backend = OpenAIChatBackend("m", base_url=srv.base_url, api_key="x", max_retries=0, cache=cache)
        v = VLMJudge(backend, "checklist", SMALL).judge(maze, item, video)
        assert v.status == "ok" and srv.request_count == 1 and len(cache) == 1
    # a junk entry left by an older genbench is dropped and asked again, not served
    key = next(iter(sqlite3.connect(tmp_path / "c.sqlite").execute("SELECT key FROM replies")))[0]
    cache.put(key, type("R", (), {"text": "not an answer", "model": "m",
                                  "usage": type("U", (), {"prompt_tokens": 0, "completion_tokens": 0})()})())
    with ChatServer(reply_fn=good_reply) as srv:
        backend = OpenAIChatBackend("m", base_url=srv.base_url, api_key="x", max_retries=0, cache=cache)
        assert VLMJudge(backend, "checklist", SMALL).judge(maze, item, video).status == "ok"
        assert srv.request_count == 1


# --- 4. secrets ---------------------------------------------------------------------------------------

KEY = "sk-proj-PLANTEDs3cr3tKEY0123456789abcdef"
PASSWORD = "PLANTEDpassw0rd"


def _grep_tree(root: Path, needles) -> list[str]:
    hits = []
    for p in sorted(root.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            hits += [f"{p.name}: {n}" for n in needles if n.encode() in data]
    return hits


def test_a_planted_secret_reaches_no_output_file(tmp_path, monkeypatch):
    out = tmp_path / "run"
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    echo = f"Incorrect API key provided: {KEY}. Authorization: Bearer {KEY}"
    replies = iter([Error(401, message=echo)])

    def reply(req):  # the first request is refused with the key echoed; then answers that quote it
        nxt = next(replies, None)
        return nxt if nxt is not None else good_reply(req).replace('"seen"', json.dumps(f"frames; key {KEY}"))

    with ChatServer(reply_fn=reply) as srv:
        port = srv.base_url.split(":")[2].split("/")[0]
        monkeypatch.setenv("OPENAI_BASE_URL", f"http://genbench:{PASSWORD}@127.0.0.1:{port}/v1")
        args = ["run", "--tasks", "maze.grid", "--model", "oracle,static", "--limit", "1", "--difficulty", "easy",
                "--out", str(out), "--quiet", "--judge", "openai:test", "--judge-args", FAST_JUDGE, "--report"]
        r1 = cli.invoke(app, args)
        r2 = cli.invoke(app, args)  # retries the refused sample: its reply, quoting the key, is cached
        assert r1.exit_code == 0 and r2.exit_code == 0, r1.output + r2.output
        assert srv.request_count == 3
    assert any(v["status"] == "error" and "Incorrect API key" in v["message"]
               for row in _rows(out) for v in row["vlm_verdicts"].values())
    assert {f.name for f in out.iterdir()} >= {"samples.jsonl", "config.json", "results.json", "report.html",
                                                "judge_cache.sqlite"}
    needles = [KEY, KEY[3:], PASSWORD]
    assert _grep_tree(out, needles) == []
    assert not any(n in r1.output + r2.output for n in needles)


@pytest.mark.parametrize("flag,value", [("--judge-args", f"api_key={KEY}"), ("--model-args", f"api_key={KEY}"),
                                        ("--judge-args", "fsp=2"), ("--model-args", "stepz=4")])
def test_keys_and_unknown_args_are_refused_before_anything_is_written(tmp_path, flag, value):
    out = tmp_path / "never"
    r = cli.invoke(app, ["run", "--tasks", "maze.grid", "--limit", "1", "--difficulty", "easy", "--quiet",
                         "--judge", "openai:test", flag, value, "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert not out.exists() and KEY not in r.output and "Traceback" not in r.output
    assert ("environment" in r.output) if "api_key" in value else ("unknown" in r.output)


def test_keys_come_from_the_environment_or_a_file_and_are_never_stored(tmp_path, monkeypatch):
    keyfile = tmp_path / "key.txt"
    keyfile.write_text(KEY + "\n")
    seen = []
    with ChatServer(reply_fn=lambda req: good_reply(req)) as srv:
        import http.server

        orig = http.server.BaseHTTPRequestHandler.parse_request

        def spy(self):  # the Authorization header the server receives
            ok = orig(self)
            seen.append(self.headers.get("Authorization"))
            return ok

        monkeypatch.setattr(http.server.BaseHTTPRequestHandler, "parse_request", spy)
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        out = tmp_path / "r"
        r = cli.invoke(app, ["run", "--tasks", "maze.grid", "--limit", "1", "--difficulty", "easy", "--quiet",
                             "--judge", "openai:test", "--judge-args", f"{FAST_JUDGE},api_key_file={keyfile}",
                             "--out", str(out)])
        assert r.exit_code == 0, r.output
    assert seen == [f"Bearer {KEY}"]
    assert json.loads((out / "config.json").read_text())["judge_args"]["api_key_file"] == str(keyfile)
    assert _grep_tree(out, [KEY]) == []


def test_redaction_rules():
    from genbench.redact import redact, redact_obj

    key = "sk-" + "Q7" * 16  # a key no test hands to genbench: found by its shape alone
    text = (f"key {key} at https://bob:pw0rd@api.example.com/v1 with Authorization: Bearer abc.def-123 "
            f'and {{"api_key": "hunter2hunter2"}} token=zzzzyyyy; task-abcdefgh sk-learn maze.sokoban max_tokens=5')
    out = redact(text)
    for secret in (key, "pw0rd", "abc.def-123", "hunter2hunter2", "zzzzyyyy"):
        assert secret not in out
    for kept in ("https://***@api.example.com/v1", "task-abcdefgh", "sk-learn", "maze.sokoban", "max_tokens=5"):
        assert kept in out
    assert redact_obj({"api_key": "x" * 12, "n": 3, "prompt_tokens": 7, "nested": [f"u {key}"]}) == \
        {"api_key": "***", "n": 3, "prompt_tokens": 7, "nested": ["u sk-***"]}
    big = "data:image/jpeg;base64," + "A+b/" * 200_000  # a long base64 run stays linear-time
    t0 = time.perf_counter()
    assert redact(big) == big
    assert time.perf_counter() - t0 < 5


def test_video_api_config_never_carries_url_credentials(monkeypatch):
    from genbench.generators.api import OpenAIVideoGenerator

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    gen = OpenAIVideoGenerator(base_url=f"https://bob:{PASSWORD}@videos.example.com/v1")
    assert PASSWORD not in json.dumps(gen.config()) and "***@videos.example.com" in gen.config()["base_url"]


# --- 5 and 6. imported VR-Bench items -------------------------------------------------------------------

@pytest.fixture(scope="module")
def vr_tree(tmp_path_factory):
    from genbench.vrbench import export_vrbench

    root = tmp_path_factory.mktemp("vrtree")
    export_vrbench("maze.grid", 2, ["easy"], root, seed=0)
    return root


def _import(tree: Path, out: Path) -> list[dict]:
    from genbench.vrbench import import_vrbench

    import_vrbench(tree, out)
    return [json.loads(x) for x in _lines(out)]


@pytest.mark.parametrize("field,value", [
    ("vrbench_rel", "../../../../outside/easy_0000.mp4"),
    ("vrbench_rel", "/etc/passwd"),
    ("image", "../outside.png"),
    ("image", "/tmp/some.png"),
])
def test_paths_in_an_items_file_stay_inside_their_root(vr_tree, tmp_path, field, value):
    items = tmp_path / "items.jsonl"
    rows = _import(vr_tree, items)
    rows[1][field] = value
    _write_rows(items, rows)
    with pytest.raises(ValueError, match="absolute path|leads outside"):
        judge_imported(items, vr_tree, tmp_path / "j", progress=False)
    assert not (tmp_path / "j").exists()
    r = cli.invoke(app, ["judge", "--videos", str(vr_tree), "--items", str(items), "--out", str(tmp_path / "j"),
                         "--quiet"])
    assert r.exit_code == 2 and "refused" in r.output


def test_a_symlink_out_of_the_videos_root_is_refused(vr_tree, tmp_path):
    items = tmp_path / "items.jsonl"
    rows = _import(vr_tree, items)
    mine = tmp_path / "mine"
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "easy_0000.mp4").write_bytes(b"private")
    level = Path(rows[0]["vrbench_rel"]).parent
    (mine / level.parent).mkdir(parents=True)
    (mine / level).symlink_to(secret)
    with pytest.raises(ValueError, match="leads outside"):
        judge_imported(items, mine, tmp_path / "j", progress=False, root=vr_tree)


def test_imported_items_do_not_depend_on_path_spelling_and_carry_no_absolute_paths(vr_tree, tmp_path, monkeypatch):
    a = _import(vr_tree, tmp_path / "a.jsonl")
    monkeypatch.chdir(vr_tree.parent)
    b = _import(Path(vr_tree.name) / ".." / vr_tree.name, tmp_path / "b.jsonl")
    assert [r["content_hash"] for r in a] == [r["content_hash"] for r in b]
    for r in a:
        assert not Path(r["image"]).is_absolute() and not Path(r["vrbench_rel"]).is_absolute()
        assert not Path(r["state"]["vrbench"]["state"]).is_absolute()


def test_judge_honours_vlm_judges_for_imported_items(vr_tree, tmp_path, monkeypatch):
    items = tmp_path / "items.jsonl"
    _import(vr_tree, items)
    with ChatServer(reply_fn=good_reply) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        r = cli.invoke(app, ["judge", "--videos", str(vr_tree), "--items", str(items), "--out", str(tmp_path / "j"),
                             "--quiet", "--judge", "openai:test", "--judge-args", FAST_JUDGE])
        assert r.exit_code == 0, r.output
        assert srv.request_count == 2
    rows = _rows(tmp_path / "j")
    assert len(rows) == 2 and all(r["vlm_verdicts"]["openai:test"]["status"] == "ok" for r in rows)
    assert all(r["verdict"]["passed"] for r in rows)


def test_judged_video_paths_work_from_any_directory(tmp_path, monkeypatch, maze):
    item = maze.generate(0, "easy", 0)
    vids = tmp_path / "work" / "mine" / "maze.grid" / "easy"
    vids.mkdir(parents=True)
    write_video(vids / "0000.mp4", maze.solution_frames(item), 24)
    monkeypatch.chdir(tmp_path / "work")
    judge_dir("maze.grid", "mine", "judged", progress=False)  # relative --videos, relative --out
    (row,) = _rows(tmp_path / "work" / "judged")
    assert Path(row["video"]).is_absolute()
    monkeypatch.chdir(tmp_path)  # a report made elsewhere still finds the video
    from genbench.report import write_report

    html = write_report(tmp_path / "work" / "judged", items=False).read_text()
    assert "video unavailable" not in html


def _long_level(root: Path, n: int) -> None:
    """A VR-Bench maze whose only path is ~n cells long (a serpentine corridor)."""
    rows_, cols = 2 * 3 + 1, n // 3 + 2
    grid = np.ones((rows_, cols), np.int64)
    for r in range(1, rows_, 2):
        grid[r, 1:cols - 1] = 0
    for k, r in enumerate(range(2, rows_ - 1, 2)):
        grid[r, cols - 2 if k % 2 == 0 else 1] = 0
    grid[1, 1], grid[rows_ - 2, (cols - 2) if (rows_ // 2) % 2 else 1] = 2, 3
    cs = 4
    img = np.where(grid[..., None] == 1, 40, 230).astype(np.uint8).repeat(3, axis=2)
    img[grid == 2], img[grid == 3] = (220, 30, 30), (30, 200, 30)
    img = img.repeat(cs, axis=0).repeat(cs, axis=1)
    d = root / "test" / "maze" / "long" / "hard"
    for sub in ("images", "states"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    Image.fromarray(img).save(d / "images" / "hard_0000.png")
    (d / "states" / "hard_0000.json").write_text(json.dumps({
        "version": "1.0", "game_type": "maze", "entities": {},
        "grid": {"data": grid.tolist(), "height": rows_, "width": cols},
        "render": {"cell_size": cs, "image_width": cols * cs, "image_height": rows_ * cs}}))


def test_a_long_level_imports_and_a_bad_one_is_skipped(vr_tree, tmp_path):
    import shutil

    from genbench.tasks.maze.grid_layout import all_shortest_paths
    from genbench.vrbench import import_vrbench

    tree = tmp_path / "tree"
    shutil.copytree(vr_tree, tree)
    _long_level(tree, 3000)
    bad = tree / "test" / "maze" / "long" / "hard" / "states" / "hard_0001.json"
    bad.write_text('{"game_type": "maze", "grid": ')  # one broken level
    res = import_vrbench(tree, tmp_path / "items.jsonl")
    assert res["items"] == 3 and list(res["errors"]) == ["test/maze/long/hard/states/hard_0001.json"]
    (long_item,) = [r for r in map(json.loads, _lines(tmp_path / "items.jsonl")) if "/long/" in r["id"]]
    assert long_item["state"]["shortest_length"] > 2000
    r = cli.invoke(app, ["import", "vrbench", str(tree), "--out", str(tmp_path / "i2.jsonl")])
    assert r.exit_code == 0 and "hard_0001.json" in r.output
    # the iterative search gives exactly what the recursive one gave (generated items keep their hashes)
    rng = np.random.default_rng(0)
    for _ in range(30):
        n = int(rng.integers(4, 40))
        adj = [sorted({int(x) for x in rng.choice(n, size=3) if x != a}) for a in range(n)]
        for a in range(n):
            for b in adj[a]:
                if a not in adj[b]:
                    adj[b] = sorted(adj[b] + [a])
        src, dst = int(rng.integers(n)), int(rng.integers(n))
        assert all_shortest_paths(adj, src, dst, cap=8) == _recursive_paths(adj, src, dst, 8)


def _recursive_paths(adj, src, dst, cap):
    from genbench.tasks.maze.grid_layout import bfs

    dist, paths = bfs(adj, dst), []
    if dist[src] < 0:
        return []

    def walk(path):
        if len(paths) >= cap:
            return
        if path[-1] == dst:
            paths.append(list(path))
            return
        for b in sorted(adj[path[-1]]):
            if dist[b] == dist[path[-1]] - 1:
                walk(path + [b])

    walk([src])
    return paths


# --- 7. messages, not tracebacks ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("exp")
    r = cli.invoke(app, ["export", "maze.grid", "--n", "1", "--difficulty", "easy", "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    return out


@pytest.mark.parametrize("line,needle", [
    ("[1, 2, 3]", "line 2: a JSON list"),
    ('{"seed": 0, "state": {}}', "line 2: the item has no id"),
    ('{"id": "maze.grid/easy/0001", "state": {}}', "line 2: the item has no seed"),
    ("{not json", "line 2: not JSON"),
])
def test_bad_items_lines_name_the_file_and_line(exported, tmp_path, line, needle):
    items = tmp_path / "items.jsonl"
    items.write_text((exported / "items.jsonl").read_text().splitlines()[0] + "\n" + line + "\n")
    r = cli.invoke(app, ["judge", "--videos", str(exported / "videos"), "--tasks", "maze.grid", "--items", str(items),
                         "--out", str(tmp_path / "j"), "--quiet"])
    assert r.exit_code == 2 and needle in " ".join(r.output.split()) and str(items.name) in r.output


def test_empty_or_newer_items_files_are_refused(exported, tmp_path):
    items = tmp_path / "items.jsonl"
    items.write_text("\n")
    r = cli.invoke(app, ["judge", "--videos", str(exported / "videos"), "--tasks", "maze.grid", "--items", str(items),
                         "--out", str(tmp_path / "j"), "--quiet"])
    assert r.exit_code == 2 and "holds no items" in r.output
    row = json.loads((exported / "items.jsonl").read_text().splitlines()[0])
    items.write_text(json.dumps({**row, "schema_version": SCHEMA_VERSION + 1}) + "\n")
    r = cli.invoke(app, ["judge", "--videos", str(exported / "videos"), "--tasks", "maze.grid", "--items", str(items),
                         "--out", str(tmp_path / "j"), "--quiet"])
    assert r.exit_code == 2 and "newer genbench" in " ".join(r.output.split())


def test_out_that_is_a_file_or_read_only(tmp_path, monkeypatch):
    f = tmp_path / "file"
    f.write_text("x")
    r = cli.invoke(app, ["run", "--tasks", "maze.grid", "--limit", "1", "--difficulty", "easy", "--quiet",
                         "--out", str(f)])
    assert r.exit_code == 2 and "is a file" in r.output and f.read_text() == "x"
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    if os.access(ro, os.W_OK):  # root ignores permission bits: the file system refuses as it would
        real = Path.mkdir

        def refuse(self, *a, **kw):
            if ro in self.parents:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self, *a, **kw)

        monkeypatch.setattr(Path, "mkdir", refuse)
    r = cli.invoke(app, ["run", "--tasks", "maze.grid", "--limit", "1", "--difficulty", "easy", "--quiet",
                         "--out", str(ro / "run")])
    ro.chmod(0o755)
    assert r.exit_code == 2 and "Permission denied" in r.output and "Traceback" not in r.output


def test_a_corrupt_judge_cache_is_rebuilt_with_a_warning(tmp_path, capsys):
    p = tmp_path / "judge_cache.sqlite"
    p.write_bytes(b"this is not a database" * 100)
    cache = ResponseCache(p)
    assert len(cache) == 0 and "not a usable cache" in capsys.readouterr().err
    assert any(x.name.startswith("judge_cache.sqlite.corrupt-") for x in tmp_path.iterdir())


# --- 8. small items ---------------------------------------------------------------------------------------

def test_in_flight_never_exceeds_max_concurrency_after_timeouts():
    with ChatServer(script=[Delay(3)] * 12) as srv:  # twelve requests the client gives up on, then answers
        b = OpenAIChatBackend("m", base_url=srv.base_url, api_key="x", timeout=0.2, max_retries=6,
                              max_concurrency=3, retry_base_delay=0.0, retry_max_delay=0.0)
        replies = b.complete_many([[{"role": "user", "content": str(i)}] for i in range(9)], max_tokens=4)
    assert [r.text for r in replies] == ["ok"] * 9
    # every abandoned request was cancelled at the server before its retry arrived
    assert srv.cancelled == 12 and srv.max_in_flight <= 3


def test_stale_part_files_are_cleaned(tmp_path):
    out = tmp_path / "r"
    cfg = RunConfig(tasks="maze.grid", models="oracle", out=str(out), limit=1, difficulties="easy")
    run(cfg, progress=False)
    stale = out / "videos" / "oracle" / "maze.grid" / "easy" / "0000_c0_deadbeef.mp4.part"
    stale.write_bytes(b"half a video")
    os.utime(stale, (time.time() - 3600,) * 2)
    live = stale.with_name("0000_c0_cafecafe.mp4.part")  # another process is writing it right now
    live.write_bytes(b"in progress")
    os.utime(live, (time.time() + 60,) * 2)
    (out / "results.json.tmp").write_text("{")
    os.utime(out / "results.json.tmp", (time.time() - 3600,) * 2)
    run(cfg, progress=False)
    assert not stale.exists() and live.exists() and not (out / "results.json.tmp").exists()


def test_videos_and_results_are_fsynced_before_rename(tmp_path, monkeypatch):
    from genbench import fsio

    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(fsio.os, "fsync", lambda fd: (events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")
                                                                     if os.path.exists("/proc/self/fd") else fd)),
                                                      real_fsync(fd))[1])
    monkeypatch.setattr(fsio.os, "replace", lambda a, b: (events.append(("replace", str(a))), real_replace(a, b))[1])
    run(RunConfig(tasks="maze.grid", models="oracle", out=str(tmp_path / "r"), limit=1, difficulties="easy"),
        progress=False)
    replaced = [p for kind, p in events if kind == "replace"]
    assert any(p.endswith(".mp4.part") for p in replaced) and any("results.json." in p and p.endswith(".tmp") for p in replaced)
    for p in replaced:
        i = events.index(("replace", p))
        assert ("fsync", p) in events[:i], p  # the temporary file's bytes were on disk before its rename
