"""The data contracts every part of genbench speaks: tasks, requests, videos, verdicts.

All of them round-trip through JSON (``to_json`` / ``from_json``) so a run directory is plain data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from typing import Any, Callable

import numpy as np

SCHEMA_VERSION = 1


class SchemaVersionError(ValueError):
    """A file whose schema_version is not a version number."""


class NewerSchemaError(SchemaVersionError):
    """A file written by a newer genbench: an older one must neither read nor rewrite it."""


# schema_version N → N + 1. Version 0 is a file from before versions were written: the same fields.
MIGRATIONS: dict = {0: lambda d: d}


def upgrade(obj: dict, where: str) -> dict:
    """``obj`` (a row or a JSON file read from disk) in the current schema: older versions are migrated,
    newer ones refused with a message naming ``where``."""
    v = obj.get("schema_version", 0)
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise SchemaVersionError(f"{where}: schema_version {v!r} is not a version number")
    if v > SCHEMA_VERSION:
        raise NewerSchemaError(f"{where} was written by a newer genbench (schema_version {v}; this one reads "
                                 f"up to {SCHEMA_VERSION}): upgrade genbench to read it")
    while v < SCHEMA_VERSION:
        obj = MIGRATIONS[v](obj)
        v += 1
    if "schema_version" in obj:
        obj["schema_version"] = SCHEMA_VERSION
    return obj

# Failure codes a checker may report. A verdict carries exactly one (the first that explains the
# failure); per-code counts appear in results.json.
FAILURE_CODES = {
    "STATIC": "the agent (or the board) never changes",
    "TELEPORT": "the agent jumps over cells between two frames",
    "WALL_CROSSING": "the agent moves through a wall",
    "SPRITE_LOST": "the agent disappears for a stretch of frames",
    "AGENT_DUPLICATED": "more than one agent is visible",
    "LAYOUT_CHANGED": "walls, goal or given cells change during the video",
    "WRONG_START": "the first frame does not show the task's starting state",
    "LAYOUT_MISMATCH": "text-to-video: the maze drawn is not the one the prompt asks for (its size, or no path from "
                       "the agent to the goal)",
    "GOAL_NOT_REACHED": "the goal state is never reached",
    "GOAL_NOT_HELD": "the goal is reached and then left",
    "NOT_OPTIMAL": "the goal is reached legally but not by a shortest solution",
    "WRONG_ANSWER": "the final state is not an accepted answer",
    "ILLEGAL_MOVE": "a transition breaks the task's rules",
    "UNREADABLE": "the video could not be decoded",
    "JUDGE_REJECTED": "a VLM judge found the video breaks the task (its answers are in the evidence)",
    "JUDGE_ERROR": "the judge failed: a VLM's reply could not be had or parsed (raw reply in the evidence), or a "
                   "checker crashed; the sample is not judged (left out of rates, counted apart)",
    "NOT_JUDGED": "the checker cannot judge this sample (a text-to-video layout it cannot read); left out of "
                  "rates, counted apart",
    "GENERATION_FAILED": "the model produced no video; counts as a failure of the model",
    "TRAP": "the agent steps onto a trap cell (maze.trapfield)",
    "NO_LADDER": "the agent changes floor somewhere other than a ladder (maze.multilevel)",
}


# json.dumps with these arguments builds this same encoder on every call: built once instead
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no whitespace: the form every hash is taken of."""
    return _CANONICAL.encode(obj)


# JSON values many items share (a fixed lattice): their canonical text, by identity (the entry holds the
# object, so its id cannot be reused while it is here). A few, newest last.
_SHARED: dict[int, tuple[Any, str]] = {}


def share_json(obj: Any, text: str | None = None) -> Any:
    """Declare ``obj`` read-only and shared by many items: its canonical text is kept, so the content
    hashes of the items holding it stop re-encoding it (100 KB of floats for a circular lattice).
    ``text``: its canonical text where the caller made it faster (e.g. ``lines_json``); a dict's text
    reuses the kept texts of shared values in it."""
    if text is None:
        text = _dict_json(obj, 0) if type(obj) is dict else canonical_json(obj)
    _SHARED[id(obj)] = (obj, text)
    while len(_SHARED) > 32:
        del _SHARED[next(iter(_SHARED))]
    return obj


def is_shared(obj: Any) -> bool:
    """Whether ``obj``'s text is still kept (newer shares push the oldest out)."""
    hit = _SHARED.get(id(obj))
    return hit is not None and hit[0] is obj


def shared_json(obj: Any) -> str:
    """canonical_json(obj), from the kept text where ``obj`` was shared."""
    hit = _SHARED.get(id(obj))
    return hit[1] if hit is not None and hit[0] is obj else canonical_json(obj)


def lines_json(flat: np.ndarray, ends: list[int]) -> str:
    """canonical_json of polylines rounded to 2 decimals, ``[[[x, y], …], …]``, from their points
    ``flat`` ((N, 2) floats, already ``np.round(…, 2)``) and each line's end index in it.

    json writes a float as repr(), the shortest text that reads back as the same double; for the double
    nearest k/100 that is k/100's own decimals (a shorter decimal is ≥ 0.01 away), so each value's text
    is looked up by k in a table of those texts (_cents_texts), without a Python float per value (a
    lattice has thousands: half of an irregular item's encoding). Negative values (-0.0 too) and values
    beyond the table, which no canvas here reaches, go to json."""
    k = np.rint(flat * 100.0)
    if (len(flat) == 0 or np.signbit(flat).any() or k.max() >= _CENTS_MAX
            or not np.array_equal(k / 100.0, flat)):
        cut = [0] + list(ends)
        return canonical_json([flat[a:b].tolist() for a, b in zip(cut[:-1], cut[1:])])
    digits = _cents_texts(int(k.max()) + 1)[k.astype(np.intp)]  # (n, 2, width), NUL-padded
    n, width = len(flat), digits.shape[2]
    last = np.zeros(n, bool)
    last[np.asarray(ends) - 1] = True
    # per point: "[" opening its line, "[x,y]", then "]," closing its line or "," before the next point;
    # NULs dropped
    row = np.zeros((n, 2 * width + 6), np.uint8)
    row[1:, 0] = np.where(last[:-1], ord("["), 0)
    row[0, 0] = ord("[")
    row[:, 1] = ord("[")
    row[:, 2:2 + width] = digits[:, 0]
    row[:, 2 + width] = ord(",")
    row[:, 3 + width:3 + 2 * width] = digits[:, 1]
    row[:, 3 + 2 * width] = ord("]")
    row[:, 4 + 2 * width] = np.where(last, ord("]"), ord(","))
    row[:, 5 + 2 * width] = np.where(last, ord(","), 0)
    text = row[row != 0].tobytes().decode()
    return "[" + text[:-1] + "]"  # the last line has no separator after it


_CENTS_MAX = 1 << 17  # lines_json's table covers 0 … 1310.71


@lru_cache(maxsize=4)
def _size_texts(size: int) -> np.ndarray:
    """The json text of k/100 for every k < size, as NUL-padded uint8 rows: "12.3", "12.0", "0.05"."""
    k = np.arange(size)
    whole, cents = np.divmod(k, 100)
    width = len(str(size // 100))
    places = 10 ** np.arange(width - 1, -1, -1)
    digits = (whole[:, None] // places) % 10 + ord("0")
    digits[places[None, :] > np.maximum(whole, 1)[:, None]] = 0  # no leading zeros (0 keeps one)
    tenth, hundredth = cents // 10 + ord("0"), cents % 10 + ord("0")
    hundredth[cents % 10 == 0] = 0  # 12.30 is written 12.3 (and 12.00 as 12.0)
    table = np.concatenate([digits, np.full((size, 1), ord(".")), tenth[:, None], hundredth[:, None]], 1)
    # NULs last, so a row is its text then padding
    return np.take_along_axis(table, np.argsort(table == 0, axis=1, kind="stable"), 1).astype(np.uint8)


def _cents_texts(size: int) -> np.ndarray:
    """_size_texts for at least ``size`` values, built for a power of two (a few tables per process)."""
    return _size_texts(max(1 << 12, 1 << (size - 1).bit_length()))


# stands in for a shared value while the rest of a dict is encoded (see _dict_json)
_HOLE = "\x00\x00"
_HOLE_TEXT = _CANONICAL.encode(_HOLE)


def _dict_json(d: dict, depth: int) -> str:
    """canonical_json of a dict, reusing kept texts of shared values down to ``depth`` dicts below: the
    dict is encoded in one call with a stand-in for each shared value, whose text is then swapped for
    the kept one — the same text, since json.dumps with sorted keys writes the values in the sorted
    key order they are collected in (one encoder call per key and value was most of an item's hash)."""
    texts: list[str] = []
    holed = _with_holes(d, depth, texts)
    if holed is None:
        return canonical_json(d)
    parts = _CANONICAL.encode(holed).split(_HOLE_TEXT)
    if len(parts) != len(texts) + 1:  # a value of the dict's own is the stand-in: encoded as it is
        return canonical_json(d)
    return "".join(x for pair in zip(parts, texts) for x in pair) + parts[-1]


def _with_holes(d: dict, depth: int, texts: list[str]) -> dict | None:
    """``d`` with its shared values (down to ``depth`` dicts below) replaced by _HOLE, their kept texts
    appended to ``texts`` in the order json writes them; None for a dict with a key json would convert."""
    if not all(type(k) is str for k in d):
        return None
    out = {}
    for k in sorted(d):
        v = d[k]
        hit = _SHARED.get(id(v))
        if hit is not None and hit[0] is v:
            texts.append(hit[1])
            out[k] = _HOLE
        elif depth > 0 and type(v) is dict:
            out[k] = _with_holes(v, depth - 1, texts)
            if out[k] is None:
                return None
        else:
            out[k] = v
    return out


def _meta_json(meta: dict) -> str:
    """canonical_json of an item's JSON form; a shared value in its state is not encoded again."""
    state = meta.get("state")
    if _SHARED and type(state) is dict and any(id(v) in _SHARED for v in state.values()):
        return _dict_json(meta, 1)
    return canonical_json(meta)


def sha256_hex(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\x00")  # separator: ("ab","c") and ("a","bc") must differ
    return h.hexdigest()


@dataclass(frozen=True)
class LazyFrame:
    """A first frame not drawn yet: its (H, W, 3) shape and the call that draws it.

    A family whose first frame is a pure function of the item (``TaskItem.renderer`` set) may hand this
    to its TaskItem instead of the pixels: generation then neither draws nor holds a 0.5–0.7 MB frame
    that a text-to-video run, a judge or a JSON export never reads. ``draw`` must capture what it draws
    from (not read the mutable state later) and return the same pixels the eager path would have."""

    shape: tuple[int, int, int]
    draw: Callable[[], np.ndarray]


@dataclass
class TaskItem:
    """One procedurally generated task instance.

    ``state`` is JSON-able and holds everything a checker needs: layout, start, goal, every accepted
    solution, the skin and the canvas geometry. ``first_frame`` is the RGB uint8 canvas (H, W, 3).
    ``config`` is the family's task config (``--task-args``) when it differs from the difficulty's named
    preset, else None; only then is it written to JSON and hashed, so a named difficulty's items keep
    their content hashes.

    ``content_hash`` covers the JSON form (prompts, state, canvas size, config) and the first frame's pixels,
    except where ``renderer`` is set: a family sets it (a name and version, e.g. ``"maze.grid/1"``; the
    graph mazes — hex, circular, irregular — ``"maze.graph/1"``) when its first frame is a pure
    function of the state and the canvas size, and then the hash covers the JSON form with the renderer
    instead of the pixels (hashing a 0.5–0.7 MB frame cost more than making the item). The family must
    bump the version whenever a pixel of the first frame can change for the same state.

    Such a family may pass a ``LazyFrame`` as ``first_frame``: ``item.first_frame`` draws it on first
    access and keeps it; the size, JSON, hash, equality and pickles are those of the eager item.
    """

    id: str  # family/difficulty/index, e.g. "maze.grid/easy/0003"
    family: str
    difficulty: str
    index: int
    seed: int
    prompt_i2v: str
    prompt_t2v: str
    state: dict
    first_frame: np.ndarray = field(repr=False)
    content_hash: str = ""
    config: dict | None = None
    renderer: str = ""  # see the class docstring: set only where the first frame is a function of the state

    def __post_init__(self) -> None:
        if not self.content_hash:
            self.content_hash = self.compute_hash()

    def __getstate__(self) -> dict:
        # the eager item's pickle: its fields in order, the frame drawn (a LazyFrame's call may not pickle)
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def compute_hash(self) -> str:
        meta = {k: v for k, v in self.to_json().items() if k != "content_hash"}
        if self.renderer:  # the pixels follow from the state, canvas size and renderer, all in meta
            return sha256_hex(_meta_json(meta))
        # the array itself (buffer protocol): same bytes as tobytes(), without copying the image
        return sha256_hex(_meta_json(meta), np.ascontiguousarray(self.first_frame), str(self.first_frame.shape))

    @property
    def canvas_size(self) -> tuple[int, int]:
        """(width, height) of the task canvas (known without drawing a LazyFrame)."""
        shape = self.__dict__["first_frame"].shape
        return int(shape[1]), int(shape[0])

    def to_json(self) -> dict:
        d = {
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "family": self.family,
            "difficulty": self.difficulty,
            "index": self.index,
            "seed": self.seed,
            "prompt_i2v": self.prompt_i2v,
            "prompt_t2v": self.prompt_t2v,
            "state": self.state,
            "canvas": {"width": self.canvas_size[0], "height": self.canvas_size[1]},
            "content_hash": self.content_hash,
            **({"config": self.config} if self.config is not None else {}),
        }
        if self.renderer:  # written only where set: every other item's JSON (and hash) is unchanged
            d["renderer"] = self.renderer
        return d

    @classmethod
    def from_json(cls, d: dict, first_frame: np.ndarray) -> "TaskItem":
        return cls(
            id=d["id"], family=d["family"], difficulty=d["difficulty"], index=d["index"], seed=d["seed"],
            prompt_i2v=d["prompt_i2v"], prompt_t2v=d["prompt_t2v"], state=d["state"],
            first_frame=first_frame, content_hash=d.get("content_hash", ""), config=d.get("config"),
            renderer=d.get("renderer", ""),
        )


def _first_frame(item: TaskItem) -> np.ndarray:
    frame = item.__dict__["first_frame"]
    if type(frame) is LazyFrame:
        drawn = frame.draw()
        if drawn.shape != frame.shape:
            raise ValueError(f"{item.id}: the lazily drawn first frame is {drawn.shape}, not {frame.shape}")
        item.__dict__["first_frame"] = frame = drawn
    return frame


def _set_first_frame(item: TaskItem, frame) -> None:
    item.__dict__["first_frame"] = frame


# After @dataclass (which reads the field from the class body): the attribute that draws a LazyFrame
# on first access; the dataclass __init__, __eq__, replace() and asdict() all go through it.
TaskItem.first_frame = property(_first_frame, _set_first_frame, doc="The RGB uint8 canvas (H, W, 3).")


@dataclass
class Fit:
    """How a task canvas was placed in a model frame: scale (per axis) then offset, rest is padding.

    frame_xy = canvas_xy * (scale_x, scale_y) + (offset_x, offset_y). Letterbox keeps the aspect ratio
    (scale_x == scale_y); stretch does not. The checker inverts exactly this mapping.
    """

    canvas_w: int
    canvas_h: int
    frame_w: int
    frame_h: int
    scale_x: float
    scale_y: float
    offset_x: float
    offset_y: float
    mode: str = "letterbox"

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> "Fit":
        return cls(**d)


@dataclass
class GenRequest:
    """What a generator is asked to render for one sample."""

    item_id: str
    mode: str  # "i2v" | "t2v"
    prompt: str
    width: int
    height: int
    num_frames: int
    fps: float
    seed: int
    candidate: int
    fit: Fit
    negative_prompt: str | None = None
    image: np.ndarray | None = field(default=None, repr=False)  # first frame fitted to (height, width)
    item: TaskItem | None = field(default=None, repr=False)  # reference generators read the solution

    def to_json(self) -> dict:
        return {
            "item_id": self.item_id, "mode": self.mode, "prompt": self.prompt,
            "negative_prompt": self.negative_prompt, "width": self.width, "height": self.height,
            "num_frames": self.num_frames, "fps": self.fps, "seed": self.seed,
            "candidate": self.candidate, "fit": self.fit.to_json(),
        }


@dataclass
class VideoRecord:
    """A rendered video on disk plus what it cost and how it was made."""

    path: str
    width: int
    height: int
    num_frames: int
    fps: float
    seconds: float = 0.0  # wall time spent generating this video
    nfe: int = 0  # transformer forward passes (0 for reference generators)
    meta: dict = field(default_factory=dict)  # model revision, dtype, steps, guidance …

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> "VideoRecord":
        return cls(**d)


@dataclass
class Verdict:
    """A checker's decision about one video.

    ``status`` is "ok" or "error" (the video could not be judged; ``message`` says why). ``passed``
    is the strict decision; ``score`` in [0, 1] is partial credit; ``evidence`` holds the decoded
    per-frame track so a report can draw why.
    """

    checker: str
    status: str = "ok"
    passed: bool = False
    score: float = 0.0
    metrics: dict = field(default_factory=dict)
    failure: str | None = None
    first_error_frame: int | None = None
    message: str = ""
    evidence: dict = field(default_factory=dict)
    version: str = ""

    @classmethod
    def error(cls, checker: str, message: str, version: str = "", failure: str = "UNREADABLE") -> "Verdict":
        return cls(checker=checker, status="error", failure=failure, message=message, version=version)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> "Verdict":
        return cls(**d)
