"""The OpenAI video-API generator against a local scripted server: real openai client, real HTTP."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

pytest.importorskip("openai")

from PIL import Image  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from genbench import geometry  # noqa: E402
from genbench.cli import app  # noqa: E402
from genbench.generators.api import VideoJobError  # noqa: E402
from genbench.generators.diffusers import GeneratorSetupError  # noqa: E402
from genbench.registry import make_generator, task_family  # noqa: E402
from genbench.runner import RunConfig, build_request, run  # noqa: E402
from genbench.video import write_video  # noqa: E402

from chat_server import Delay, Error  # noqa: E402
from video_server import VideoServer  # noqa: E402

SIZE = "160x96"  # any size works against the local server; small keeps the test fast
FAST = {"size": SIZE, "poll_interval": 0.01}


@pytest.fixture(scope="module")
def maze_item():
    fam = task_family("maze.grid")
    return fam, next(iter(fam.items("easy", 1, 0)))


@pytest.fixture(scope="module")
def oracle_mp4(maze_item, tmp_path_factory):
    """What a perfect model would return for the run's first item: the oracle in the 160x96 frame."""
    fam, item = maze_item
    fit = geometry.make_fit("letterbox", *item.canvas_size, 160, 96)
    path = tmp_path_factory.mktemp("v") / "oracle.mp4"
    write_video(path, (geometry.apply(fit, f) for f in fam.solution_frames(item, fps=24)), 24)
    return path.read_bytes()


@pytest.fixture
def env(monkeypatch):
    def point_at(srv):
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
    return point_at


def test_success_through_a_run_and_resume(env, oracle_mp4, maze_item, tmp_path):
    fam, item = maze_item
    with VideoServer(oracle_mp4, polls=2) as srv:
        env(srv)
        cfg = RunConfig(tasks="maze.grid", models="sora-2", out=str(tmp_path / "r"), limit=1, difficulties="easy",
                        model_args=FAST)
        res = run(cfg, progress=False)
        assert res["counts"]["generated"] == 1 and res["counts"]["errors"] == 0
        row = json.loads((tmp_path / "r" / "samples.jsonl").read_text().splitlines()[0])
        assert row["verdict"]["passed"] is True  # the returned (oracle) video judged in its frame
        meta = row["generation"]["meta"]
        assert meta["job_ids"] == ["video_1"] and meta["seed_used"] is False and "openai" in meta["versions"]
        sent = srv.creates[0]
        assert sent["prompt"] == item.prompt_i2v and sent["model"] == "sora-2" and sent["size"] == SIZE
        assert sent["seconds"] == "4" and sent["auth"] == "Bearer sk-test"
        # the reference image is the first frame fitted into the requested frame, losslessly
        req = build_request(make_generator("sora-2", **FAST), item, fam, "i2v", 0, 0)
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(sent["image"]))), req.image)
        assert srv.count("GET", "/video_1") == 3 and srv.count("GET", "/content") == 1
        res2 = run(cfg, progress=False)  # resume: nothing is sent again
        assert res2["counts"]["skipped"] == 1 and len(srv.creates) == 1


def test_t2v_sends_no_image(env, oracle_mp4, maze_item, tmp_path):
    fam, item = maze_item
    with VideoServer(oracle_mp4, polls=0) as srv:
        env(srv)
        g = make_generator("sora-2", **FAST)
        rec = g.generate([build_request(g, item, fam, "t2v", 0, 0)], [tmp_path / "t.mp4"])[0]
        assert srv.creates[0]["image"] is None and srv.creates[0]["prompt"] == item.prompt_t2v
        assert (rec.width, rec.height, rec.fps) == (160, 96, 24) and rec.num_frames > 10


def test_failed_job_is_reported_and_resubmitted_when_asked(env, oracle_mp4, maze_item, tmp_path):
    fam, item = maze_item
    with VideoServer(oracle_mp4, outcome="failed") as srv:
        env(srv)
        g = make_generator("sora-2", job_retries=1, **FAST)
        with pytest.raises(VideoJobError, match="failed: moderation_blocked"):
            g.generate([build_request(g, item, fam, "i2v", 0, 0)], [tmp_path / "f.mp4"])
        assert len(srv.creates) == 2 and not (tmp_path / "f.mp4").exists()


def test_job_deadline_and_request_timeout(env, oracle_mp4, maze_item, tmp_path):
    fam, item = maze_item
    with VideoServer(oracle_mp4, outcome="never") as srv:
        env(srv)
        g = make_generator("sora-2", timeout=0.2, **FAST)
        with pytest.raises(VideoJobError, match="still in_progress .* after 0.2 s"):
            g.generate([build_request(g, item, fam, "i2v", 0, 0)], [tmp_path / "n.mp4"])
    with VideoServer(oracle_mp4, retrieve_script=[Delay(3.0)]) as srv:
        env(srv)
        g = make_generator("sora-2", request_timeout=0.2, max_retries=0, **FAST)
        with pytest.raises(RuntimeError, match="APITimeoutError"):
            g.generate([build_request(g, item, fam, "i2v", 0, 0)], [tmp_path / "d.mp4"])


def test_rate_limit_then_success(env, oracle_mp4, maze_item, tmp_path):
    fam, item = maze_item
    with VideoServer(oracle_mp4, create_script=[Error(429, retry_after=0), Error(503, retry_after=0)]) as srv:
        env(srv)
        g = make_generator("sora-2", **FAST)
        rec = g.generate([build_request(g, item, fam, "i2v", 0, 0)], [tmp_path / "ok.mp4"])[0]
        assert srv.count("POST", "/v1/videos") == 3 and len(srv.creates) == 1
        assert rec.meta["job_ids"] == ["video_1"]
    with VideoServer(oracle_mp4, create_script=[Error(429, retry_after=0)] * 3) as srv:
        env(srv)
        g = make_generator("sora-2", max_retries=1, **FAST)  # retries spent: a clear error, not a hang
        with pytest.raises(RuntimeError, match="RateLimitError"):
            g.generate([build_request(g, item, fam, "i2v", 0, 0)], [tmp_path / "no.mp4"])


def test_no_key(monkeypatch, tmp_path):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(GeneratorSetupError, match="set OPENAI_API_KEY"):
        make_generator("sora-2")
    res = CliRunner().invoke(app, ["run", "--model", "sora-2", "--limit", "1", "--difficulty", "easy", "--quiet",
                                   "--out", str(tmp_path / "r")])
    assert res.exit_code == 2 and "OPENAI_API_KEY" in res.output
