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
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n")
    os.replace(tmp, path)


class RunStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "videos").mkdir(exist_ok=True)
        self.samples_path = self.root / "samples.jsonl"
        self.rows: dict[str, dict] = {}  # judge key → latest finished row
        self.videos: dict[str, str] = {}  # generation key → video path of a finished generation
        self._load()

    def _load(self) -> None:
        if not self.samples_path.exists():
            return
        with open(self.samples_path, "rb") as f:
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
        if good_end < len(data):
            with open(self.samples_path, "r+b") as f:
                f.truncate(good_end)

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
