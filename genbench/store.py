"""A run directory: config.json, append-only samples.jsonl (one per slice of a split run), videos/,
results.json.

Resume is by content key, not by "a file exists": a sample's key covers the model config, the item's
content hash, mode, seed, candidate and checker version, so changing a setting redoes exactly the
samples it affects, and a video whose generation key is unchanged is re-judged, not re-rendered.

Nothing is lost on repair: only an incomplete *last* line (a run killed mid-write) is dropped; a bad
line elsewhere is skipped with a warning naming it, and moved, with its line number and the reason,
to ``samples.rejected.jsonl``. A sample that ended in an error (its generation failed, or a VLM judge
could not answer) is not finished: later runs retry it, up to ``max_retries`` times.

A split run (genbench.shards) has one ``samples.shard-K-of-N.jsonl`` per slice: a process appends to
its own under an advisory lock, reads every file (so any split resumes any other), and repairs only
its own (another slice may be mid-write in its file).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from .fsio import append_durably, replace_durably, write_text_durably
from .redact import redact_obj, warn
from .schema import SCHEMA_VERSION, NewerSchemaError, SchemaVersionError, canonical_json, sha256_hex, upgrade

REJECTED = "samples.rejected.jsonl"
DEFAULT_MAX_RETRIES = 2  # a sample ending in an error is tried at most 1 + this many times, over later runs
_REQUIRED = ("key", "item_id", "family", "difficulty", "model")


def gen_key(model_config: dict, item_hash: str, mode: str, seed: int, candidate: int) -> str:
    return sha256_hex(canonical_json([model_config, item_hash, mode, int(seed), int(candidate)]))[:24]


def judge_key(gkey: str, checker: str, version: str) -> str:
    return sha256_hex(gkey, checker, version)[:24]


def atomic_write_json(path: Path, obj) -> None:
    """Write a JSON file atomically and durably, with every secret redacted (a temporary name per
    process: slices of a split run may write at once)."""
    write_text_durably(path, json.dumps(redact_obj(json.loads(json.dumps(obj, default=str))), indent=2) + "\n")


def retryable(row: dict) -> bool:
    """A row that ended in an error another run may fix: no video (generation failed), or a VLM judge that
    could not answer (HTTP errors, timeouts, unparseable replies)."""
    if not row.get("done"):
        return True
    return any(isinstance(v, dict) and v.get("status") == "error" and v.get("failure") == "JUDGE_ERROR"
               for v in (row.get("vlm_verdicts") or {}).values())


def check_row(row) -> str | None:
    """Why a parsed samples.jsonl line cannot be a sample row (None when it can)."""
    if not isinstance(row, dict):
        return f"a JSON {type(row).__name__}, not an object"
    missing = [k for k in _REQUIRED if not isinstance(row.get(k), str) or not row.get(k)]
    if missing:
        return f"no {', '.join(missing)}"
    v = row.get("verdict")
    if not isinstance(v, dict) or not isinstance(v.get("status"), str):
        return "no verdict"
    return None


class RunLocked(RuntimeError):
    """Another process is appending to the same samples file."""


def sample_files(root: Path) -> list[Path]:
    """Every samples file of a run: ``samples.jsonl`` and one per slice of a split run."""
    return sorted(p for p in Path(root).glob("samples*.jsonl") if p.name != REJECTED)


class RunStore:
    """A run directory. ``shard`` names this process's own samples file (``samples.<shard>.jsonl``);
    rows are read from every samples file of the run. ``lock=True`` holds an advisory lock on this
    process's file (:meth:`lock`); a store opened with ``writer=False`` (merging, a context-parallel
    helper rank) repairs nothing."""

    def __init__(self, root: str | os.PathLike, shard: str | None = None, writer: bool = True, lock: bool = False):
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            raise NotADirectoryError(f"{self.root} is a file, not a run directory: choose another --out")
        self._check_config()
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "videos").mkdir(exist_ok=True)
        self.samples_path = self.root / (f"samples.{shard}.jsonl" if shard else "samples.jsonl")
        self.rows: dict[str, dict] = {}  # judge key → latest finished row
        self.failures: dict[str, int] = {}  # judge key → rows that ended in a retryable error
        self.videos: dict[str, str] = {}  # generation key → video path of a finished generation
        self.started = time.time()
        self.writer = writer
        self._lock = None
        if lock:  # before reading: repairing a file another process is writing would cut its rows
            self.lock()
        self._load()

    def lock(self) -> "RunStore":
        """Take an advisory lock on this process's samples file, held until ``close()``: a second
        process writing the same file (the same run, or the same slice of a split run) is refused."""
        import fcntl

        path = self.samples_path.with_name(f".{self.samples_path.name}.lock")
        f = open(path, "a+")
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.seek(0)
            holder = f.read().strip() or "another process"
            f.close()
            raise RunLocked(f"{self.samples_path} is being written by {holder}; wait for it to finish, or "
                            "give this process another --out or --shard") from None
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()}")
        f.flush()
        self._lock = f
        return self

    def close(self) -> None:
        if self._lock:
            self._lock.close()  # closing the file releases the lock
            self._lock = None

    def reload(self) -> None:
        """Read every samples file again (other processes of a split run append to theirs)."""
        self.rows, self.failures, self.videos = {}, {}, {}
        self._load()

    def _check_config(self) -> None:
        path = self.root / "config.json"
        if path.is_file():
            try:
                cfg = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                return  # rewritten by write_config
            if isinstance(cfg, dict):
                upgrade(cfg, str(path))

    # --- reading ----------------------------------------------------------------------------------
    def _parse(self, raw: bytes, lineno: int, path: Path | None = None):
        """(row, None) or (None, why the line is not a sample row)."""
        try:
            row = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as e:
            return None, f"not JSON ({e})"
        why = check_row(row)
        if why:
            return None, why
        try:
            return upgrade(row, f"{path or self.samples_path} line {lineno}"), None
        except NewerSchemaError:
            raise  # refuse the whole directory: an older genbench must not rewrite a newer run
        except SchemaVersionError as e:
            return None, str(e)

    def _take(self, row: dict) -> None:
        key = row["key"]
        if retryable(row):
            self.failures[key] = self.failures.get(key, 0) + 1
        if row.get("done"):
            self.rows[key] = row
            if row.get("video") and row.get("gen_key") and (self.root / row["video"]).exists():
                self.videos[row["gen_key"]] = row["video"]

    def _load(self) -> None:
        self.files = sample_files(self.root)
        for path in self.files:
            if self.writer and path == self.samples_path:
                self._load_own()
            else:
                self._load_other(path)

    def _load_other(self, path: Path) -> None:
        """Another slice's file, read as it stands: its owner repairs it, so bad lines are only
        skipped here, and a last line without its newline may still be being written."""
        lines = path.read_bytes().split(b"\n")
        lines.pop()
        for no, raw in enumerate(lines, 1):
            if raw.strip():
                row, why = self._parse(raw, no, path)
                if why:
                    warn(f"{path} line {no}: {why}; skipped")
                else:
                    self._take(row)

    def _load_own(self) -> None:
        if not self.samples_path.exists():
            return
        data = self.samples_path.read_bytes()
        lines = data.split(b"\n")
        tail = lines.pop()  # after the last newline: empty, or a line the writer did not finish
        rejected: list[tuple[int, bytes, str]] = []
        for no, raw in enumerate(lines, 1):
            if not raw.strip():
                continue  # a blank line holds nothing
            row, why = self._parse(raw, no)
            if why:
                rejected.append((no, raw, why))
            else:
                self._take(row)
        tail_row = cut = None
        if tail.strip():
            tail_row, why = self._parse(tail, len(lines) + 1)
            if tail_row is not None:
                self._take(tail_row)
            else:  # the last line was cut by an interrupted run: only it is dropped (and kept aside)
                cut = (len(lines) + 1, tail, "incomplete last line (an interrupted write)")
        if rejected:
            self._reject(rejected + ([cut] if cut else []))
            for no, _, why in rejected[:10]:
                warn(f"{self.samples_path} line {no}: {why}; skipped (moved to {REJECTED})")
            if len(rejected) > 10:
                warn(f"{self.samples_path}: {len(rejected) - 10} more bad lines skipped (see {REJECTED})")
            bad = {no for no, _, _ in rejected}
            keep = b"".join(raw + b"\n" for no, raw in enumerate(lines, 1) if raw.strip() and no not in bad)
            if tail_row is not None:
                keep += tail + b"\n"
            tmp = self.samples_path.with_name(self.samples_path.name + ".tmp")
            tmp.write_bytes(keep)
            replace_durably(tmp, self.samples_path)
        elif cut:
            self._reject([cut])
            with open(self.samples_path, "r+b") as f:
                f.truncate(len(data) - len(tail))
                os.fsync(f.fileno())
        elif tail_row is not None:  # complete but unterminated: end it, so the next append starts a new line
            append_durably(self.samples_path, b"\n")

    def _reject(self, lines: list[tuple[int, bytes, str]]) -> None:
        """Keep bad lines, losslessly (surrogate escapes for bytes that are not UTF-8), with why."""
        out = b"".join(json.dumps({"line": no, "reason": why, "text": raw.decode("utf-8", "surrogateescape"),
                                   "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}).encode() + b"\n"
                       for no, raw, why in lines)
        append_durably(self.root / REJECTED, out)

    # --- resume -----------------------------------------------------------------------------------
    def done(self, key: str, max_retries: int = DEFAULT_MAX_RETRIES) -> bool:
        """Whether a sample needs no more work: finished without a retryable error, or out of retries."""
        row = self.rows.get(key)
        if row is not None and not retryable(row):
            return True
        return self.failures.get(key, 0) > max_retries

    def video_for(self, gkey: str) -> Path | None:
        rel = self.videos.get(gkey)
        return self.root / rel if rel else None

    def video_path(self, model: str, item_id: str, candidate: int, gkey: str) -> Path:
        safe_model = model.replace("/", "_").replace(":", "_")
        return self.root / "videos" / safe_model / f"{item_id}_c{candidate}_{gkey[:8]}.mp4"

    # --- writing ----------------------------------------------------------------------------------
    def append(self, row: dict) -> None:
        row.setdefault("schema_version", SCHEMA_VERSION)
        line = json.dumps(redact_obj(row), default=str, ensure_ascii=False)
        append_durably(self.samples_path, (line + "\n").encode("utf-8"))
        self._take(row)

    def write_config(self, config: dict) -> None:
        path = self.root / "config.json"
        history = []
        if path.exists():
            try:
                old = json.loads(path.read_text())
                history = old.get("history", [])
                history.append({k: v for k, v in old.items() if k != "history"})
            except (ValueError, AttributeError):
                pass
        atomic_write_json(path, {**config, "history": history[-20:]})

    def write_results(self, results: dict) -> Path:
        path = self.root / "results.json"
        atomic_write_json(path, results)
        return path

    def clean_stale(self) -> list[Path]:
        """Remove temporary files that no live writer owns: ``.part`` videos and ``.tmp`` files left by an
        interrupted run, or by settings no longer asked for (untouched since this store opened)."""
        removed = []
        for p in [*self.root.glob("*.tmp"), *(self.root / "videos").rglob("*.part")]:
            try:
                if p.is_file() and p.stat().st_mtime < self.started:
                    p.unlink()
                    removed.append(p)
            except OSError:
                pass
        return removed
