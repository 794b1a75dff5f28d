"""Judge backends: the real openai client over real HTTP against a scripted local server,
and a tiny random local VLM through transformers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from chat_server import ChatServer, Delay, Error, Malformed
from genbench.judges.backends import (
    ChatBackendError,
    ChatReply,
    MalformedReplyError,
    OpenAIChatBackend,
    ResponseCache,
    TransformersChatBackend,
    decode_image_url,
    image_part,
    make_backend,
    text_part,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch):
    # The developer's real key / server must never leak into (or be hit by) tests.
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def frame(seed: int, h: int = 24, w: int = 32) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def ask(question: str, *images: np.ndarray) -> list[dict]:
    return [
        {"role": "system", "content": "You judge videos. Answer yes or no."},
        {"role": "user", "content": [*(image_part(im) for im in images), text_part(question)]},
    ]


def backend(srv: ChatServer, **kw) -> OpenAIChatBackend:
    # Fast settings: retries back off by milliseconds, not seconds.
    kw = {"timeout": 5, "max_retries": 3, "retry_base_delay": 0.01, "retry_max_delay": 0.05, **kw}
    return OpenAIChatBackend("judge-model", base_url=srv.base_url, **kw)


def last_user_text(req: dict) -> str:
    return req["messages"][-1]["content"][-1]["text"]


# --------------------------------------------------------------------------- OpenAI protocol


def test_good_answer_and_request_contents():
    img = frame(1)
    with ChatServer(reply_fn=lambda req: "yes: " + last_user_text(req)) as srv:
        b = backend(srv)  # no API key anywhere: a custom server gets a dummy one
        reply = b.complete(ask("is the maze solved?", img), max_tokens=7)

    assert isinstance(reply, ChatReply) and not reply.cached
    assert reply.text == "yes: is the maze solved?"
    assert reply.model == "judge-model"
    assert reply.usage.completion_tokens == 5 and reply.usage.prompt_tokens > 0
    assert reply.raw["choices"][0]["finish_reason"] == "stop"
    [req] = srv.requests
    assert req["model"] == "judge-model" and req["max_tokens"] == 7 and req["temperature"] == 0.0
    part = req["messages"][1]["content"][0]
    assert part["type"] == "image_url"
    assert np.array_equal(decode_image_url(part["image_url"]["url"]), img)  # exact pixels arrive
    assert b.meter.snapshot() == {"requests": 1, "retries": 0, "failures": 0, "cached": 0,
                                  "prompt_tokens": reply.usage.prompt_tokens, "completion_tokens": 5}


def test_image_part_is_deterministic_png():
    a, b = image_part(frame(3)), image_part(frame(3).copy())
    assert a == b and a["image_url"]["url"].startswith("data:image/png;base64,")
    assert image_part(frame(4)) != a
    with pytest.raises(TypeError):
        image_part(frame(3).astype(np.float32))


@pytest.mark.parametrize("error", [Error(429, retry_after=0), Error(500), Error(503)])
def test_retryable_status_then_success(error):
    with ChatServer(script=[error, "recovered"]) as srv:
        b = backend(srv)
        assert b.complete(ask("q"), max_tokens=4).text == "recovered"
    assert srv.request_count == 2
    assert b.meter.retries == 1 and b.meter.requests == 2 and b.meter.failures == 0


def test_retry_after_is_honoured():
    with ChatServer(script=[Error(429, retry_after=0.3), "ok"]) as srv:
        b = backend(srv, retry_max_delay=5)
        t0 = time.monotonic()
        b.complete(ask("q"), max_tokens=4)
    assert time.monotonic() - t0 >= 0.3


def test_client_error_is_not_retried():
    with ChatServer(script=[Error(400, message="bad image")]) as srv:
        b = backend(srv)
        with pytest.raises(ChatBackendError, match="HTTP 400"):
            b.complete(ask("q"), max_tokens=4)
    assert srv.request_count == 1 and b.meter.failures == 1


def test_timeout_then_success():
    with ChatServer(script=[Delay(3), "late but fine"]) as srv:
        b = backend(srv, timeout=0.3)
        assert b.complete(ask("q"), max_tokens=4).text == "late but fine"
    assert srv.request_count == 2 and b.meter.retries == 1


def test_timeout_every_time_gives_clear_error():
    with ChatServer(script=[Delay(3)] * 3) as srv:
        b = backend(srv, timeout=0.2, max_retries=2)
        t0 = time.monotonic()
        with pytest.raises(ChatBackendError, match=r"giving up after 3 attempts.*Timeout"):
            b.complete(ask("q"), max_tokens=4)
    assert time.monotonic() - t0 < 2.5
    assert srv.request_count == 3 and b.meter.failures == 1


@pytest.mark.parametrize("body", [
    Malformed(),  # truncated JSON
    Malformed(b'{"object": "chat.completion"}'),  # no choices
    Malformed(b"<html>gateway</html>", content_type="text/html"),
])
def test_malformed_body_is_retried_like_a_5xx(body):
    with ChatServer(script=[body]) as srv:  # once (a proxy cut the body): the retry gets the answer
        b = backend(srv)
        assert b.complete(ask("q"), max_tokens=4).text == "ok"
    assert srv.request_count == 2 and b.meter.retries == 1 and b.meter.failures == 0
    with ChatServer(script=[body] * 3) as srv:  # every time: bounded by max_retries, then a clear error
        b = backend(srv, max_retries=2)
        with pytest.raises(MalformedReplyError, match="giving up after 3 attempts"):
            b.complete(ask("q"), max_tokens=4)
    assert srv.request_count == 3 and b.meter.failures == 1


def test_missing_api_key_for_openai_is_a_clear_error():
    with pytest.raises(ChatBackendError, match="OPENAI_API_KEY"):
        OpenAIChatBackend("gpt-4o-mini")
    OpenAIChatBackend("gpt-4o-mini", api_key="sk-test")  # constructing with a key sends nothing


def test_base_url_from_environment(monkeypatch):
    with ChatServer() as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        assert OpenAIChatBackend("m", max_retries=0).complete(ask("q"), max_tokens=2).text == "ok"
    assert srv.request_count == 1


def test_cache_skips_requests_and_persists(tmp_path):
    path = tmp_path / "cache" / "judge.sqlite"
    msgs = ask("same question", frame(5))
    with ChatServer(reply_fn=lambda req: f"answer {len(srv.requests)}") as srv:
        b = backend(srv, cache=ResponseCache(path))
        first = b.complete(msgs, max_tokens=8)
        second = b.complete(msgs, max_tokens=8)
        assert srv.request_count == 1
        assert second.cached and not first.cached
        assert (second.text, second.usage) == (first.text, first.usage)
        assert (b.cache.hits, b.cache.misses) == (1, 1) and b.meter.cached == 1 and b.meter.requests == 1

        # Anything that changes the question is a different key: pixels, max_tokens, model.
        b.complete(ask("same question", frame(6)), max_tokens=8)
        b.complete(msgs, max_tokens=9)
        backend(srv, cache=b.cache).complete(msgs, max_tokens=8)  # same model id: hit
        OpenAIChatBackend("other-model", base_url=srv.base_url, cache=b.cache).complete(msgs, max_tokens=8)
        assert srv.request_count == 4
        b.cache.close()

        # A new process / backend on the same file still gets the answer for free.
        again = backend(srv, cache=ResponseCache(path)).complete(msgs, max_tokens=8)
        assert again.cached and again.text == first.text and srv.request_count == 4


def test_concurrency_is_bounded_and_order_kept():
    questions = [f"question {i}" for i in range(12)]
    with ChatServer(script=[Delay(0.2)] * 12, reply_fn=lambda req: "re " + last_user_text(req)) as srv:
        b = backend(srv, max_concurrency=3)
        t0 = time.monotonic()
        replies = b.complete_many([ask(q) for q in questions], max_tokens=4)
        elapsed = time.monotonic() - t0
    assert [r.text for r in replies] == ["re " + q for q in questions]
    assert 1 < srv.max_in_flight <= 3
    assert elapsed < 12 * 0.2  # really concurrent
    assert b.meter.requests == 12


def test_make_backend():
    b = make_backend("openai:some/model", base_url="http://127.0.0.1:9/v1")
    assert isinstance(b, OpenAIChatBackend) and b.model_id == "some/model"
    for bad in ["anthropic:claude", "gpt-4o", "openai:"]:
        with pytest.raises(ValueError, match="openai:MODEL.*hf:REPO"):
            make_backend(bad)


def test_import_is_light():
    code = ("import sys, genbench.judges.backends, genbench.judges.tiny_vlm; "
            "heavy = {'torch', 'transformers', 'openai'} & set(sys.modules); assert not heavy, heavy")
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# --------------------------------------------------------------------------- local transformers VLM


@pytest.fixture(scope="module")
def tiny_vlm():
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from genbench.judges.tiny_vlm import build_tiny_vlm

    return build_tiny_vlm(seed=0)


def test_tiny_vlm_end_to_end(tiny_vlm, tmp_path):
    model, processor = tiny_vlm
    batch = [
        ask("Does the dot reach the goal?", frame(7)),
        # different prompt length and image count, to exercise left padding in one batch
        [{"role": "user", "content": [image_part(frame(8, 40, 30)), image_part(frame(9)),
                                      text_part("Compare the two frames. Which one shows the solved maze?")]}],
    ]
    b = TransformersChatBackend(model, processor=processor, batch_size=2, model_id="tiny-llava-s0",
                                cache=ResponseCache(tmp_path / "c.sqlite"))
    replies = b.complete_many(batch, max_tokens=6)
    assert len(replies) == 2
    for r in replies:
        assert isinstance(r.text, str) and not r.cached and r.model == "tiny-llava-s0"
        assert 1 <= r.usage.completion_tokens <= 6 and r.usage.prompt_tokens > 16  # >= one image's tokens
    assert replies[1].usage.prompt_tokens > replies[0].usage.prompt_tokens
    assert b.meter.requests == 2

    # Greedy decoding is deterministic, and the cache answers the repeat.
    again = b.complete(batch[0], max_tokens=6)
    assert again.cached and again.text == replies[0].text and b.meter.requests == 2

    with pytest.raises(ValueError, match="model_id"):
        TransformersChatBackend(model, processor=processor, cache=b.cache)


def test_tiny_vlm_loads_from_directory(tiny_vlm, tmp_path):
    model, processor = tiny_vlm
    model.save_pretrained(tmp_path)
    processor.save_pretrained(tmp_path)
    b = make_backend(f"hf:{tmp_path}", batch_size=1)
    assert isinstance(b, TransformersChatBackend) and b.model_id == str(tmp_path)
    direct = TransformersChatBackend(model, processor=processor)
    msgs = ask("Is the path valid?", frame(10))
    assert b.complete(msgs, max_tokens=5).text == direct.complete(msgs, max_tokens=5).text
