"""Reading a VLM judge's reply: lenient about the wrapping (code fences, prose around the object,
``{"q1": "Good"}`` maps, case, numbers 2/1/0), strict about the content (every id answered with an
allowed value)."""

from __future__ import annotations

import json
import re
from typing import Any

GRADES = {"good": 2, "medium": 1, "poor": 0}
YES_NO = {"yes": True, "no": False, "true": True, "false": False}


class ParseError(ValueError):
    """The reply is not a complete answer in the requested format (the message says what is wrong)."""


def _json_candidates(text: str):
    """Every JSON value found in ``text``: the whole text, fenced blocks, then each {…} / […] in it."""
    stripped = text.strip()
    yield stripped
    for block in re.findall(r"```(?:json)?\s*(.*?)```", text, flags=re.S | re.I):
        yield block.strip()
    dec = json.JSONDecoder()
    for m in re.finditer(r"[\[{]", text):
        try:
            value, _ = dec.raw_decode(text, m.start())
        except ValueError:
            continue
        yield value


def _normalise_id(x: Any) -> str:
    s = str(x).strip().lower()
    return s


def _entries(obj: Any) -> dict[str, Any] | None:
    """id → raw answer entry, from the accepted shapes; None if ``obj`` has none of them."""
    if isinstance(obj, dict) and "answers" in obj:
        obj = obj["answers"]
    if isinstance(obj, list):
        out = {}
        for e in obj:
            if isinstance(e, dict) and "id" in e:
                out.setdefault(_normalise_id(e["id"]), e)
        return out or None
    if isinstance(obj, dict):
        return {_normalise_id(k): v for k, v in obj.items()} or None
    return None


def _value(entry: Any, allowed: dict[str, Any]) -> tuple[Any, str]:
    """(answer value, reasoning) of one entry, or ParseError."""
    reasoning = ""
    if isinstance(entry, dict):
        reasoning = str(entry.get("reasoning", entry.get("reason", "")))
        entry = entry.get("answer", entry.get("score"))
    if isinstance(entry, bool):
        entry = "yes" if entry else "no"
    key = str(entry).strip().strip(".!\"' ").lower()
    if "good" in allowed:  # graded answers may come as the points themselves
        key = {"2": "good", "1": "medium", "0": "poor", "2.0": "good", "1.0": "medium", "0.0": "poor"}.get(key, key)
    if key not in allowed:
        raise ParseError(f"{entry!r} is not one of {', '.join(allowed)}")
    return allowed[key], reasoning


def parse_answers(text: str, ids: list[str], allowed: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """Map each question id to ``(value, reasoning)``. Raises :class:`ParseError` saying what is wrong."""
    want = [_normalise_id(i) for i in ids]
    problem = "no JSON object found"
    for cand in _json_candidates(text):
        if isinstance(cand, str):
            try:
                cand = json.loads(cand)
            except ValueError:
                continue
        entries = _entries(cand)
        if entries is None:
            continue
        missing = [i for i in want if i not in entries]
        if len(missing) == len(want):
            problem = "the JSON object answers none of the question ids"
            continue
        if missing:
            raise ParseError(f"missing answers for {', '.join(missing)}")
        out = {}
        for qid, wid in zip(ids, want):
            try:
                out[qid] = _value(entries[wid], allowed)
            except ParseError as e:
                raise ParseError(f"{qid}: {e}") from None
        return out
    raise ParseError(problem)
