"""A scripted, local OpenAI-compatible video server (``/v1/videos``) for tests.

stdlib ``http.server`` on 127.0.0.1 in a background thread, so tests drive the real ``openai``
client over real HTTP. Routes: ``POST /v1/videos`` (multipart: prompt, model, size, seconds,
optional ``input_reference`` file), ``GET /v1/videos/{id}``, ``GET /v1/videos/{id}/content``.

    with VideoServer(mp4_bytes, polls=2) as srv:          # 2 polls "in_progress", then "completed"
        ...
    VideoServer(mp4, outcome="failed")                     # the job fails (error code + message)
    VideoServer(mp4, outcome="never")                      # the job stays in_progress forever
    VideoServer(mp4, create_script=[Error(429, 0)])        # first create is rate-limited

``srv.creates`` holds every accepted create (fields + the reference image's PNG bytes);
``srv.log`` every (method, path) received, in order.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from chat_server import Delay, Error


class VideoServer:
    def __init__(self, video: bytes, polls: int = 1, outcome: str = "completed", create_script=(),
                 retrieve_script=()):
        self.video, self.polls, self.outcome = video, polls, outcome
        self._create_script = deque(create_script)
        self._retrieve_script = deque(retrieve_script)
        self.creates: list[dict] = []
        self.log: list[tuple[str, str]] = []
        self.jobs: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None

    def __enter__(self) -> "VideoServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                server._handle(self, "POST")

            def do_GET(self):
                server._handle(self, "GET")

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def count(self, method: str, suffix: str = "") -> int:
        with self._lock:
            return sum(1 for m, p in self.log if m == method and p.endswith(suffix))

    # ------------------------------------------------------------------ handling
    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        path = h.path.split("?")[0].rstrip("/")
        body = h.rfile.read(int(h.headers.get("Content-Length", 0) or 0))
        with self._lock:
            self.log.append((method, path))
        try:
            if method == "POST" and path == "/v1/videos":
                return self._create(h, body)
            parts = path.split("/")
            if method == "GET" and len(parts) == 4 and parts[2] == "videos":
                return self._retrieve(h, parts[3])
            if method == "GET" and len(parts) == 5 and parts[4] == "content":
                return self._content(h, parts[3])
            self._json(h, 404, {"error": {"message": f"no route {method} {path}", "type": "not_found"}})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out first

    def _scripted(self, h, script: deque) -> bool:
        """Play the next scripted action; True if it answered the request."""
        with self._lock:
            action = script.popleft() if script else None
        while isinstance(action, Delay):
            if self._stopping.wait(action.seconds):
                return True
            action = action.then
        if isinstance(action, Error):
            headers = {} if action.retry_after is None else {"Retry-After": f"{action.retry_after:g}"}
            self._json(h, action.status, {"error": {"message": action.message, "type": "rate_limit_error"}},
                       headers)
            return True
        return False

    def _create(self, h, body: bytes) -> None:
        if self._scripted(h, self._create_script):
            return
        msg = BytesParser(policy=email_policy).parsebytes(
            b"Content-Type: " + h.headers["Content-Type"].encode() + b"\r\n\r\n" + body)
        fields, image = {}, None
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if part.get_filename():
                image = part.get_payload(decode=True)
            else:
                fields[name] = part.get_payload(decode=True).decode("utf-8").strip()  # httpx sends UTF-8
        with self._lock:
            vid = f"video_{len(self.jobs) + 1}"
            self.creates.append({**fields, "image": image, "auth": h.headers.get("Authorization")})
            self.jobs[vid] = {"polls": 0, **fields}
        self._json(h, 200, self._job(vid, "queued"))

    def _retrieve(self, h, vid: str) -> None:
        if self._scripted(h, self._retrieve_script):
            return
        with self._lock:
            job = self.jobs.get(vid)
            if job is None:
                return self._json(h, 404, {"error": {"message": f"no video {vid}", "type": "not_found"}})
            job["polls"] += 1
            done = job["polls"] > self.polls and self.outcome != "never"
        self._json(h, 200, self._job(vid, self.outcome if done else "in_progress"))

    def _content(self, h, vid: str) -> None:
        if vid not in self.jobs:
            return self._json(h, 404, {"error": {"message": f"no video {vid}", "type": "not_found"}})
        h.send_response(200)
        h.send_header("Content-Type", "video/mp4")
        h.send_header("Content-Length", str(len(self.video)))
        h.end_headers()
        h.wfile.write(self.video)

    def _job(self, vid: str, status: str) -> dict:
        job = self.jobs[vid]
        out = {"id": vid, "object": "video", "created_at": int(time.time()), "model": job.get("model", "sora-2"),
               "progress": 100 if status == "completed" else 50, "seconds": job.get("seconds", "4"),
               "size": job.get("size", "1280x720"), "status": status, "prompt": job.get("prompt")}
        if status == "failed":
            out["error"] = {"code": "moderation_blocked", "message": "the scripted job failed"}
        return out

    @staticmethod
    def _json(h, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)
