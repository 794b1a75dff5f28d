"""Registries of task families, video generators and judges.

Modules register themselves with a decorator; discovery imports the light modules of a subpackage
(tasks, generators, judges). Heavy libraries (torch, diffusers, transformers) are imported inside the
registered objects when they are built, never at module import, so ``genbench ls`` stays fast.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable

KINDS = {"task": "genbench.tasks", "generator": "genbench.generators", "judge": "genbench.judges"}


@dataclass
class Entry:
    name: str
    kind: str
    factory: Callable[..., Any]
    description: str
    group: str = ""  # e.g. a task's reasoning dimension or a model's family


_ENTRIES: dict[str, dict[str, Entry]] = {k: {} for k in KINDS}
_DISCOVERED: set[str] = set()


class UnknownName(KeyError):
    """A name that is not registered; the message lists what is."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.args[0]


def register(kind: str, name: str, description: str, group: str = ""):
    """Decorator: ``@register("task", "maze.grid", "…")`` on a class or factory function."""

    def deco(obj):
        _ENTRIES[kind][name] = Entry(name, kind, obj, description.strip(), group)
        return obj

    return deco


def add(kind: str, name: str, factory: Callable[..., Any], description: str, group: str = "") -> None:
    """Register without a decorator (e.g. a table of model presets)."""
    _ENTRIES[kind][name] = Entry(name, kind, factory, description.strip(), group)


def discover(kind: str) -> None:
    if kind in _DISCOVERED:
        return
    _DISCOVERED.add(kind)
    pkg = importlib.import_module(KINDS[kind])
    for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if not mod.name.rsplit(".", 1)[-1].startswith("_"):
            importlib.import_module(mod.name)


def entries(kind: str) -> dict[str, Entry]:
    discover(kind)
    return dict(sorted(_ENTRIES[kind].items()))


def get(kind: str, name: str) -> Entry:
    known = entries(kind)
    if name not in known:
        raise UnknownName(f"unknown {kind} {name!r}; known: {', '.join(known) or 'none'}")
    return known[name]


def resolve_tasks(spec: str) -> list[str]:
    """'maze' → every family named maze or maze.*; 'a,b' → the union; 'all' → everything."""
    known = entries("task")
    out: list[str] = []
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        hits = [n for n, e in known.items()
                if part in ("all", n, e.group) or n.startswith(part + ".")]
        if not hits:
            groups = sorted({n.split(".")[0] for n in known} | {e.group for e in known.values() if e.group})
            raise UnknownName(f"unknown task {part!r}; known families: {', '.join(known)}; "
                              f"groups: {', '.join(groups)}")
        out += [h for h in hits if h not in out]
    return out


def task_family(name: str):
    """The family object registered under ``name`` (families are cheap, stateless singletons)."""
    if name not in _FAMILY_CACHE:
        _FAMILY_CACHE[name] = get("task", name).factory()
    return _FAMILY_CACHE[name]


_FAMILY_CACHE: dict[str, Any] = {}


def split_model_spec(spec: str) -> tuple[str, str | None]:
    """'oracle' → ('oracle', None); 'diffusers:org/repo' → ('diffusers', 'org/repo')."""
    name, _, arg = spec.partition(":")
    return name.strip(), (arg.strip() or None)


def make_generator(spec: str, **model_args):
    """Build the generator named by ``spec`` (a registered name, or 'name:argument')."""
    name, arg = split_model_spec(spec)
    known = entries("generator")
    if spec in known:
        return known[spec].factory(**model_args)
    entry = get("generator", name)
    return entry.factory(arg, **model_args) if arg is not None else entry.factory(**model_args)
