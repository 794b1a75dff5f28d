"""A scripted, local OpenAI-compatible chat-completions server for tests.

Runs stdlib ``http.server`` in a background thread on 127.0.0.1 (ephemeral port), so
tests exercise the real ``openai`` client over real HTTP without any network.

Each request to ``POST /v1/chat/completions`` takes the next action from ``script``;
when the script is used up, requests are answered with ``reply_fn(request_json)``::

    with ChatServer(script=[Error(429, retry_after=0), "yes"]) as srv:
        client = OpenAI(base_url=srv.base_url, api_key="x")
        ...
        srv.requests          # every request body received, in arrival order
        srv.max_in_flight     # peak number of requests being handled at once
        srv.cancelled         # requests whose client hung up while they were delayed

Like a real model server (vLLM aborts a request whose connection closed), a delayed request whose
client disconnects is cancelled at once, so ``in_flight`` counts only requests a client still awaits.

Actions: a ``str`` (reply text), :class:`Error`, :class:`Delay`, :class:`Malformed`.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, Union


@dataclass
class Error:
    """Answer with an HTTP error status (e.g. 429 with Retry-After, 500)."""

    status: int
    retry_after: float | None = None
    message: str = "scripted error"


@dataclass
class Delay:
    """Wait ``seconds`` (long enough to trip a client timeout), then perform ``then``.

    ``then=None`` means the default reply. Waiting is cut short when the server stops.
    """

    seconds: float
    then: "Action | None" = None


@dataclass
class Malformed:
    """Answer 200 with a body that is not a valid chat completion."""

    body: bytes = b'{"id": "chatcmpl-broken", "choices": [{"message": '
    content_type: str = "application/json"


Action = Union[str, Error, Delay, Malformed]
CANCEL_POLL_S = 0.02  # how often a delayed request looks for a hung-up client (a server's scheduling step)


def _word_count(messages: list[dict]) -> int:
    """A stand-in token count: words of text plus a flat 10 per image."""
    n = 0
    for m in messages:
        content = m.get("content")
        parts = [{"type": "text", "text": content}] if isinstance(content, str) else (content or [])
        for p in parts:
            n += len(str(p.get("text", "")).split()) if p.get("type") == "text" else 10
    return n


class ChatServer:
    def __init__(self, script: Iterable[Action] = (), reply_fn: Callable[[dict], str] | None = None) -> None:
        self._script: deque[Action] = deque(script)
        self.reply_fn = reply_fn or (lambda req: "ok")
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.cancelled = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "ChatServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_POST(self):
                server._handle(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True  # a handler stuck in Delay must not block shutdown
        # A short poll interval: shutdown() waits for the loop to notice, 0.5 s by default.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="chat-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "ChatServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def push(self, *actions: Action) -> None:
        """Append actions to the script (e.g. between two phases of a test)."""
        with self._lock:
            self._script.extend(actions)

    # ------------------------------------------------------------------ handling
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        if h.path.rstrip("/") != "/v1/chat/completions":
            return self._send(h, 404, {"error": {"message": f"no route {h.path}", "type": "not_found"}})
        try:
            req = json.loads(h.rfile.read(int(h.headers.get("Content-Length", 0))))
        except ValueError:
            return self._send(h, 400, {"error": {"message": "request body is not JSON", "type": "invalid_request"}})
        with self._lock:
            self.requests.append(req)
            action = self._script.popleft() if self._script else None
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._act(h, req, action)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout) before we answered: that is the point of Delay
        finally:
            with self._lock:
                self.in_flight -= 1

    def _client_gone(self, h: BaseHTTPRequestHandler, step: float) -> bool:
        """Work for ``step`` s, then look whether the client closed its connection (a real server notices
        a hang-up between steps of its work, not the instant it happens)."""
        self._stopping.wait(step)
        try:
            readable, _, _ = select.select([h.connection], [], [], 0)
            return bool(readable) and h.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _act(self, h: BaseHTTPRequestHandler, req: dict, action: Action | None) -> None:
        if action is None:
            action = self.reply_fn(req)
        while isinstance(action, Delay):
            deadline = time.monotonic() + action.seconds
            while (left := deadline - time.monotonic()) > 0:
                if self._stopping.is_set():
                    return
                if self._client_gone(h, min(left, CANCEL_POLL_S)):
                    with self._lock:
                        self.cancelled += 1
                    return
            action = action.then if action.then is not None else self.reply_fn(req)
        if isinstance(action, Error):
            headers = {} if action.retry_after is None else {"Retry-After": f"{action.retry_after:g}"}
            body = {"error": {"message": action.message, "type": "server_error", "code": action.status}}
            return self._send(h, action.status, body, headers)
        if isinstance(action, Malformed):
            return self._send_raw(h, 200, action.body, action.content_type)
        text = str(action)
        prompt_tokens = _word_count(req.get("messages", []))
        completion_tokens = len(text.split())
        with self._lock:
            n = len(self.requests)
        self._send(h, 200, {
            "id": f"chatcmpl-{n}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": req.get("model", "unknown"),
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "logprobs": None,
                "finish_reason": "stop",
            }],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        })

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: dict, headers: dict | None = None) -> None:
        self._send_raw(h, status, json.dumps(body).encode(), "application/json", headers)

    @staticmethod
    def _send_raw(h: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str,
                  headers: dict | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)
