"""A run directory: config.json, append-only samples.jsonl, videos/, results.json.

Resume is by content key, not by "a file exists": a sample's key covers the model config, the item's
content hash, mode, seed, candidate and checker version, so changing a setting redoes exactly the
samples it affects, and a video whose generation key is unchanged is re-judged, not re-rendered.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .schema import canonical_json, sha256_hex


def gen_key(model_config: dict, item_hash: str, mode: str, seed: int, candidate: int) -> str:
    return sha256_hex(canonical_json([model_config, item_hash, mode, int(seed), int(candidate)]))[:24]


def judge_key(gkey: str, checker: str, version: str) -> str:
    return sha256_hex(gkey, checker, version)[:24]


def atomic_write_json(path: Path, obj) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # per process: shards may write at once
    tmp.write_text(json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n")
    os.replace(tmp, path)


class RunLocked(RuntimeError):
    """Another process is appending to the same samples file."""


def sample_files(root: Path) -> list[Path]:
    """Every samples file of a run: ``samples.jsonl`` and one per slice of a split run."""
    return sorted(p for p in root.glob("samples*.jsonl") if not p.name.startswith("samples.rejected"))


class RunStore:
    """A run directory. ``shard`` names this process's own samples file (``samples.<shard>.jsonl``);
    rows are read from every samples file of the run, so any split resumes any other's work. A store
    opened with ``writer=False`` (merging, a context-parallel helper rank) neither locks nor repairs."""

    def __init__(self, root: str | os.PathLike, shard: str | None = None, writer: bool = True):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "videos").mkdir(exist_ok=True)
        self.samples_path = self.root / (f"samples.{shard}.jsonl" if shard else "samples.jsonl")
        self.rows: dict[str, dict] = {}  # judge key → latest finished row
        self.videos: dict[str, str] = {}  # generation key → video path of a finished generation
        self.writer = writer
        self._lock = self._acquire() if writer else None
        self._load()

    def _acquire(self):
        """An advisory lock on this process's samples file, held while the store lives."""
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
        return f

    def close(self) -> None:
        if self._lock:
            self._lock.close()  # closing the file releases the lock
            self._lock = None

    def _load(self) -> None:
        self.files = sample_files(self.root)
        for path in self.files:
            with open(path, "rb") as f:
                data = f.read()
            good_end = 0
            for line in data.splitlines(keepends=True):
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    break  # a line cut by an interrupted run: everything after it is dropped
                good_end += len(line)
                if row.get("done"):
                    self.rows[row["key"]] = row
                    if row.get("video") and (self.root / row["video"]).exists():
                        self.videos[row["gen_key"]] = row["video"]
            # only this process's own file is repaired: another slice may be mid-write in its own
            if self.writer and path == self.samples_path and good_end < len(data):
                with open(self.samples_path, "r+b") as f:
                    f.truncate(good_end)

    def reload(self) -> None:
        """Read every samples file again (other processes of a split run append to theirs)."""
        self.rows, self.videos = {}, {}
        self._load()

    def done(self, key: str) -> bool:
        return key in self.rows

    def video_for(self, gkey: str) -> Path | None:
        rel = self.videos.get(gkey)
        return self.root / rel if rel else None

    def video_path(self, model: str, item_id: str, candidate: int, gkey: str) -> Path:
        safe_model = model.replace("/", "_").replace(":", "_")
        return self.root / "videos" / safe_model / f"{item_id}_c{candidate}_{gkey[:8]}.mp4"

    def append(self, row: dict) -> None:
        line = json.dumps(row, default=str, ensure_ascii=False)
        with open(self.samples_path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())
        if row.get("done"):
            self.rows[row["key"]] = row
            if row.get("video"):
                self.videos[row["gen_key"]] = row["video"]

    def write_config(self, config: dict) -> None:
        path = self.root / "config.json"
        history = []
        if path.exists():
            try:
                old = json.loads(path.read_text())
                history = old.get("history", [])
                history.append({k: v for k, v in old.items() if k != "history"})
            except json.JSONDecodeError:
                pass
        atomic_write_json(path, {**config, "history": history[-20:]})

    def write_results(self, results: dict) -> Path:
        path = self.root / "results.json"
        atomic_write_json(path, results)
        return path
