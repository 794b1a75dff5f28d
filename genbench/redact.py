"""Secrets never reach a file or a terminal: everything genbench persists or prints passes through here.

Redacted: API keys (``sk-…``), bearer / basic authorization values, credentials inside URLs
(``https://user:pass@host`` → ``https://***@host``), ``api_key=…``-style pairs, and the exact values
of keys genbench read this process (from the environment or a key file, see :func:`remember`) or that
sit in environment variables named like secrets (``*_API_KEY``, ``*_TOKEN``, ``*_SECRET``,
``*PASSWORD*``), wherever they appear.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from typing import Any

MASK = "***"
_MIN_SECRET = 8  # shorter "keys" (EMPTY, x) are placeholders, and replacing them would mangle text

_PATTERNS = [
    # credentials inside a URL: scheme://user:pass@host
    # (the scheme starts a word and is short: a long base64 run must not make the search quadratic)
    (re.compile(r"(?<![A-Za-z0-9+.\-])([A-Za-z][A-Za-z0-9+.\-]{0,15}://)[^/\s@'\"\\<>]{1,512}@"), rf"\1{MASK}@"),
    # OpenAI-style keys (sk-…, sk-proj-…), not the tail of a word such as "task-…"
    (re.compile(r"(?<![A-Za-z0-9_\-])sk-[A-Za-z0-9_\-]{6,}"), f"sk-{MASK}"),
    # Authorization header values
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=\-]{4,}"), rf"\1\2{MASK}"),
    # key=value / "key": "value" pairs whose key names a secret
    (re.compile(r"(?i)\b(api[_-]?key|access[_-]?token|auth[_-]?token|token|secret[_-]?key|secret|password|passwd"
                r"|authorization|x-api-key)(['\"]?\s*[:=]\s*['\"]?)(?!\*\*\*)[^\s'\",&;}\\]+"), rf"\1\2{MASK}"),
]
_SECRET_NAME = re.compile(r"(?i)(api[_-]?key|token|secret|password|passwd)$|password")
_SECRET_ENV = re.compile(r"(?i)(_API_KEY|_TOKEN|_SECRET|_SECRET_KEY)$|^(API_KEY|TOKEN|SECRET)$|PASSWORD")
_known: set[str] = set()
_lock = threading.Lock()


def remember(value: str | None) -> None:
    """A key genbench was given (read from the environment or a file): redact it wherever it shows up."""
    if value and len(value.strip()) >= _MIN_SECRET:
        with _lock:
            _known.add(value.strip())


def _secret_values() -> list[str]:
    vals = {v.strip() for k, v in os.environ.items() if _SECRET_ENV.search(k) and len(v.strip()) >= _MIN_SECRET}
    with _lock:
        vals |= _known
    return sorted(vals, key=len, reverse=True)  # longest first: a key containing another is masked whole


def redact(text: str) -> str:
    """``text`` with every secret replaced by ``***``."""
    if not isinstance(text, str) or not text:
        return text
    for v in _secret_values():
        if v in text:
            text = text.replace(v, MASK)
        escaped = json.dumps(v)[1:-1]  # the same key inside JSON text
        if escaped != v and escaped in text:
            text = text.replace(escaped, MASK)
    for pat, repl in _PATTERNS:
        text = pat.sub(repl, text)
    return text


def warn(message: str) -> None:
    """A warning for the person running genbench: one line on stderr, secrets redacted."""
    print(f"genbench: warning: {redact(message)}", file=sys.stderr, flush=True)


def redact_url(url: str | None) -> str | None:
    """A URL without its user:password part (for configs, keys and messages)."""
    return redact(url) if url else url


def redact_obj(obj: Any) -> Any:
    """A JSON-able value with every string redacted and the value of every secret-named key masked."""
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, dict):
        return {(redact(k) if isinstance(k, str) else k):
                (MASK if isinstance(k, str) and _SECRET_NAME.search(k) and isinstance(v, str) and v else redact_obj(v))
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [redact_obj(v) for v in obj]
    return obj


def read_key(env: str | None = None, file: str | os.PathLike | None = None) -> str | None:
    """An API key from a file (its first line) or an environment variable; remembered for redaction."""
    if file:
        try:
            with open(file, encoding="utf-8") as f:
                key = f.readline().strip()
        except OSError as e:
            raise ValueError(f"api_key_file={file}: cannot read it ({e.strerror or e})") from None
        if not key:
            raise ValueError(f"api_key_file={file}: the file is empty")
    else:
        key = (os.environ.get(env) or "").strip() if env else ""
    remember(key)
    return key or None


def refuse_inline_keys(args: dict, flag: str) -> None:
    """Keys never travel on the command line: they would land in shell history and in config.json."""
    bad = sorted(k for k in args if _SECRET_NAME.search(str(k)) and not str(k).endswith(("_env", "_file")))
    if bad:
        raise ValueError(f"{flag}: {', '.join(bad)}=… is refused (a key on the command line ends up in shell "
                         "history and in the run's files); set it in the environment (OPENAI_API_KEY, or "
                         "api_key_env=NAME) or in a file (api_key_file=PATH)")
