"""Task configs: the knobs a family's generator reads, as a frozen dataclass users can set.

A family's difficulties are named presets of its config (``presets = {"easy": Config(…), …}``).
``genbench run/export --task-args rows=12,cols=12`` starts from the chosen difficulty's preset and
overrides fields; ``validate()`` checks every field against the bounds declared with :func:`knob`
(and a family's cross-field rules in ``check()``), so a bad value fails before any item is made,
naming the field, the value and what is allowed.

Values on the command line are text: a field's annotation says how to read it (int, float, str,
bool; a tuple's elements are joined by '/', e.g. ``axes=v/h`` or ``count=2/6``).
"""

from __future__ import annotations

import difflib
import functools
import typing
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from typing import Any

TUPLE_SEP = "/"  # ',' separates key=value pairs, so tuple elements need their own separator


class ConfigError(ValueError):
    """A task config value (or --task-args key) that is not allowed; the message says what is."""


def knob(lo: float | None = None, hi: float | None = None, choices: tuple | None = None,
         default: Any = MISSING, doc: str = ""):
    """A config field with its allowed values: numbers in [lo, hi], text (or each tuple element) in
    ``choices``."""
    meta = {"lo": lo, "hi": hi, "choices": choices, "doc": doc}
    return field(metadata=meta) if default is MISSING else field(default=default, metadata=meta)


@dataclass(frozen=True)
class TaskConfig:
    """Base of every family's config: subclass as a frozen dataclass whose fields are knobs."""

    def validate(self, family: str = "") -> "TaskConfig":
        """Raise ConfigError on the first field out of bounds (or a broken cross-field rule)."""
        hints = _hints(type(self))
        where = f"{family}: " if family else ""
        for f in fields(self):
            value, m = getattr(self, f.name), f.metadata
            if (typing.get_origin(hints[f.name]) is tuple) != isinstance(value, tuple):
                raise ConfigError(f"{where}{f.name}={value!r} is not allowed: expected "
                                  f"{_allowed(_element_type(hints[f.name]), m, hints[f.name])}")
            for v in (value if isinstance(value, tuple) else (value,)):
                problem = _problem(v, _element_type(hints[f.name]), m)
                if problem:
                    raise ConfigError(f"{where}{f.name}={_show(value)} is not allowed: {problem}")
            if isinstance(value, tuple) and not value:
                raise ConfigError(f"{where}{f.name} is empty: give at least one value")
        try:
            self.check()
        except ConfigError as e:
            raise ConfigError(f"{where}{e}") from None
        return self

    def check(self) -> None:
        """Rules between fields (e.g. min_moves <= max_moves); raise ConfigError naming them."""

    def with_args(self, args: dict[str, Any], family: str = "") -> "TaskConfig":
        """A copy with ``args`` (text or typed values) put in, validated; unknown keys suggest close ones."""
        hints = _hints(type(self))
        known = [f.name for f in fields(self)]
        changes = {}
        for key, raw in args.items():
            if key not in known:
                close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
                hint = f"; did you mean {' or '.join(close)}?" if close else ""
                raise ConfigError(f"{family or type(self).__name__} has no task arg {key!r}{hint} "
                                  f"(it takes: {', '.join(known)})")
            changes[key] = _parse(raw, hints[key], key, family)
        return replace(self, **changes).validate(family)

    def to_json(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def describe(cls) -> dict[str, str]:
        """Each field and what it allows, for help texts and `genbench ls`."""
        hints = _hints(cls)
        return {f.name: _allowed(_element_type(hints[f.name]), f.metadata, hints[f.name]) for f in fields(cls)}


@functools.lru_cache(maxsize=None)
def _hints(cls) -> dict:
    """Field types, resolved once per class (string annotations: get_type_hints is slow)."""
    return typing.get_type_hints(cls)


def _element_type(hint) -> type:
    if typing.get_origin(hint) is tuple:
        return typing.get_args(hint)[0]
    return hint


def _show(value) -> str:
    return TUPLE_SEP.join(map(str, value)) if isinstance(value, tuple) else repr(value)


def _allowed(kind: type, m, hint=None) -> str:
    if m.get("choices"):
        text = "one of " + ", ".join(map(str, m["choices"]))
    elif kind is bool:
        text = "true or false"
    elif m.get("lo") is not None or m.get("hi") is not None:
        text = f"{'an integer' if kind is int else 'a number'} {_fmt(m.get('lo'))}..{_fmt(m.get('hi'))}"
    else:
        text = kind.__name__
    if hint is not None and typing.get_origin(hint) is tuple:
        text = f"values joined by '{TUPLE_SEP}', each {text}"
    return text


def _fmt(x) -> str:
    return "" if x is None else f"{x:g}"


def _problem(v, kind: type, m) -> str:
    """Why ``v`` is not allowed for a field of type ``kind`` with metadata ``m`` ('' when it is)."""
    if kind is bool:
        ok = isinstance(v, bool)
    elif kind is int:
        ok = isinstance(v, int) and not isinstance(v, bool)
    elif kind is float:
        ok = isinstance(v, (int, float)) and not isinstance(v, bool)
    else:
        ok = isinstance(v, kind)
    if not ok:
        return f"expected {_allowed(kind, m)}"
    if m.get("choices") and v not in m["choices"]:
        return f"use {_allowed(kind, m)}"
    lo, hi = m.get("lo"), m.get("hi")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        return f"must be {_allowed(kind, m)}"
    return ""


def _parse(raw, hint, key: str, family: str):
    """``raw`` (text from the command line, or an already typed value) as the field's type."""
    if not isinstance(raw, str):
        return tuple(raw) if isinstance(raw, list) else raw
    if typing.get_origin(hint) is tuple:
        kind = _element_type(hint)
        return tuple(_parse_one(part.strip(), kind, key, family) for part in raw.split(TUPLE_SEP))
    return _parse_one(raw.strip(), hint, key, family)


def _parse_one(text: str, kind: type, key: str, family: str):
    if kind is str:
        return text
    if kind is bool:
        if text.lower() in ("true", "false", "1", "0", "yes", "no"):
            return text.lower() in ("true", "1", "yes")
    else:
        try:
            return kind(text)
        except ValueError:
            pass
    raise ConfigError(f"{family + ': ' if family else ''}{key}={text!r} is not allowed: "
                      f"expected {'true or false' if kind is bool else 'an integer' if kind is int else 'a number'}")


def parse_task_args(text: str | None) -> dict[str, str]:
    """'rows=12,cols=12' → {'rows': '12', 'cols': '12'} (values stay text: each family's config
    reads them as its fields' types). A key may name its family: 'maze.grid:rows=12'."""
    out: dict[str, str] = {}
    for part in [p.strip() for p in (text or "").split(",") if p.strip()]:
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--task-args expects key=value pairs separated by commas, got {part!r}")
        out[key.strip()] = value.strip()
    return out


def split_task_args(families: list[str], args: dict[str, Any], config_keys: dict[str, list[str]]) -> dict[str, dict]:
    """Each family's own task args: 'FAMILY:key' goes to FAMILY only; a plain key goes to every family
    whose config has it (so `--tasks maze --task-args rows=12` sets every maze that has rows). A key
    for a family not in the run, or one no family has, is an error naming what they take."""
    out: dict[str, dict] = {f: {} for f in families}
    for key, value in args.items():
        family, sep, name = key.rpartition(":")
        if sep:
            if family not in out:
                raise ConfigError(f"--task-args {key}: {family!r} is not one of this run's task families "
                                  f"({', '.join(families)})")
            out[family][name] = value  # an unknown field is caught by with_args, with suggestions
            continue
        takers = [f for f in families if key in config_keys[f]]
        if not takers:
            every = sorted({k for f in families for k in config_keys[f]})
            close = difflib.get_close_matches(key, every, n=3, cutoff=0.5)
            hint = f"did you mean {' or '.join(close)}? " if close else ""
            raise ConfigError(f"unknown --task-args {key}: no task family of this run has it; {hint}("
                              + "; ".join(f"{f} takes {', '.join(config_keys[f])}" for f in families) + ")")
        for f in takers:
            out[f].setdefault(name, value)  # a family's own 'FAMILY:key' wins over the plain key
    return out


def config_keys(family) -> list[str]:
    """The task-arg keys a family takes (its config's fields; none without presets)."""
    presets = getattr(family, "presets", None) or {}
    return [f.name for f in fields(next(iter(presets.values())))] if presets else []


def configs_for(families: list[str], wanted: dict[str, list[str]], task_args: dict[str, Any]) -> dict[str, dict]:
    """family → difficulty → the config its items are made from: the difficulty's preset with the
    family's share of ``task_args`` put in (None: no task args, the preset itself). Validates everything
    up front, so a bad value fails before any work."""
    from ..registry import task_family

    fams = {f: task_family(f) for f in families}
    per = split_task_args(families, task_args, {f: config_keys(fams[f]) for f in families})
    return {f: {d: fams[f].config(d, per[f]) if per[f] else None for d in wanted[f]} for f in families}
