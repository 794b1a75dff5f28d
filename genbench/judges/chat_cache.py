"""A persistent SQLite cache of chat replies, keyed by model, revision, messages (images by the sha256
of their bytes) and decoding settings, so re-running a benchmark never pays twice for one question."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from ..redact import redact, warn
from .chat_messages import ChatReply, Messages, Usage, _data_url_bytes

# Bump when the key recipe or the stored columns change, so old entries are simply missed.
_CACHE_SCHEMA = "genbench-chat-cache-v1"


def _canonical(obj: Any) -> Any:
    """Messages with every data URL replaced by the sha256 of its bytes (short, exact keys)."""
    if isinstance(obj, dict):
        return {k: _canonical(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_canonical(v) for v in obj]
    data = _data_url_bytes(obj) if isinstance(obj, str) else None
    if data is not None:
        return "sha256:" + hashlib.sha256(data).hexdigest()
    return obj


class ResponseCache:
    """Persistent SQLite cache of chat replies.

    One connection guarded by a lock: SQLite calls take microseconds next to a model call,
    so a lock is simpler than per-thread connections and lets ``close()`` work from any
    thread. WAL mode lets several processes (e.g. parallel benchmark shards) share a file.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._conn = self._open()
        except sqlite3.DatabaseError as e:  # not a database (a disk error, a stray file): start afresh
            if self.path == ":memory:":
                raise
            aside = f"{self.path}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}"
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(self.path + suffix):
                    os.replace(self.path + suffix, aside + suffix)
            warn(f"{self.path} is not a usable cache ({e}); moved it to {aside} and started an empty one "
                 "(earlier replies will be asked again)")
            self._conn = self._open()
        self.hits = 0
        self.misses = 0

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, model TEXT, text TEXT,"
                " prompt_tokens INTEGER, completion_tokens INTEGER, created REAL)"
            )
            conn.execute("SELECT COUNT(*) FROM replies").fetchone()
            conn.commit()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    @staticmethod
    def key(model_id: str, revision: str, messages: Messages, max_tokens: int, temperature: float) -> str:
        payload = {
            "schema": _CACHE_SCHEMA,
            "model": model_id,
            "revision": revision or "",
            "messages": _canonical(messages),
            "max_tokens": int(max_tokens),
            "temperature": float(temperature),
        }
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def get(self, key: str) -> ChatReply | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT model, text, prompt_tokens, completion_tokens FROM replies WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                self.misses += 1
                return None
            self.hits += 1
        return ChatReply(text=row[1], model=row[0], usage=Usage(row[2], row[3]), cached=True)

    def put(self, key: str, reply: ChatReply) -> None:
        """Store a reply (an empty one is never stored: it answers nothing)."""
        if not (reply.text or "").strip():
            return
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO replies VALUES (?, ?, ?, ?, ?, ?)",
                (key, reply.model, redact(reply.text), reply.usage.prompt_tokens, reply.usage.completion_tokens,
                 time.time()),
            )
            self._conn.commit()

    def drop(self, key: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM replies WHERE key = ?", (key,))
            self._conn.commit()

    def __len__(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM replies").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "ResponseCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
