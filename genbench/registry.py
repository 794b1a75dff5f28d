"""One registry class for every named, pluggable thing: task families, video generators, VLM judges,
judge backends, checklist builders and diffusers pipeline families.

Modules register themselves with a decorator (or ``add`` with a lazy ``"module:Class"`` string);
discovery imports the light modules of a kind's subpackage. Heavy libraries (torch, diffusers,
transformers, openai) are imported inside the registered objects when they are built, never at module
import, so ``genbench ls`` stays fast. An unknown name is an error that suggests the close ones.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
import os
import pkgutil
import sys
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable

# kind → the subpackage whose modules register it (imported on first lookup of that kind)
KINDS = {"task": "genbench.tasks", "generator": "genbench.generators", "judge": "genbench.judges",
         "backend": "genbench.judges", "checklist": "genbench.judges", "pipeline": "genbench.generators"}


@dataclass
class Entry:
    """One registered name. ``target`` is the object itself or a lazy ``"module:attr"`` reference,
    imported on first use of :attr:`factory` (so listing never imports the module behind it)."""

    name: str
    kind: str
    target: Any
    description: str
    group: str = ""  # e.g. a task's reasoning dimension or a model's family

    @property
    def factory(self) -> Any:
        if isinstance(self.target, str):
            module, _, attr = self.target.partition(":")
            obj = importlib.import_module(module)
            for part in attr.split("."):
                obj = getattr(obj, part)
            self.target = obj
        return self.target


class UnknownName(KeyError):
    """A name that is not registered; the message lists what is."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.args[0]


def did_you_mean(name: str, known) -> str:
    """' (did you mean X?)' for the closest known names, as lm-eval suggests task names; '' if none."""
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


class Registry:
    """The named things of one kind (task families, generators, VLM judges, judge backends, checklist
    builders, pipeline families). Modules of the kind's subpackage register on import; the first
    lookup imports them all (they are light: heavy libraries load inside the registered objects)."""

    def __init__(self, kind: str, package: str):
        self.kind, self.package = kind, package
        self._entries: dict[str, Entry] = {}

    def add(self, name: str, target: Any, description: str, group: str = "") -> None:
        self._entries[name] = Entry(name, self.kind, target, description.strip(), group)

    def register(self, name: str, description: str, group: str = ""):
        def deco(obj):
            self.add(name, obj, description, group)
            return obj

        return deco

    def entries(self) -> dict[str, Entry]:
        discover(self.kind)
        return dict(sorted(self._entries.items()))

    def find(self, name: str) -> Entry | None:
        discover(self.kind)
        return self._entries.get(name)

    def get(self, name: str) -> Entry:
        entry = self.find(name)
        if entry is None:
            known = sorted(self._entries)
            raise UnknownName(f"unknown {self.kind} {name!r}{did_you_mean(name, known)}; "
                              f"known: {', '.join(known) or 'none'}")
        return entry


REGISTRIES = {kind: Registry(kind, package) for kind, package in KINDS.items()}
_ENTRIES: dict[str, dict[str, Entry]] = {k: r._entries for k, r in REGISTRIES.items()}
_DISCOVERED: set[str] = set()  # packages already imported


def register(kind: str, name: str, description: str, group: str = ""):
    """Decorator: ``@register("task", "maze.grid", "…")`` on a class or factory function."""
    return REGISTRIES[kind].register(name, description, group)


def add(kind: str, name: str, target: Any, description: str, group: str = "") -> None:
    """Register without a decorator: an object, or a lazy ``"module:attr"`` string imported on use."""
    REGISTRIES[kind].add(name, target, description, group)


def discover(kind: str) -> None:
    package = KINDS[kind]
    if package in _DISCOVERED:
        return
    _DISCOVERED.add(package)
    pkg = importlib.import_module(package)
    for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if not mod.name.rsplit(".", 1)[-1].startswith("_"):
            importlib.import_module(mod.name)


def include_path(directory: str | os.PathLike) -> list[str]:
    """Import every ``*.py`` module in ``directory`` (not those starting with '_'), so the task
    families, models or judges they register with :func:`register` join the built-in ones: a lab
    adds its own puzzle without forking. Returns the names it added."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"--include-path {directory}: not a directory")
    before = {k: set(v) for k, v in _ENTRIES.items()}
    for path in sorted(directory.glob("*.py")):
        if path.name.startswith("_"):
            continue
        name = f"genbench_include.{path.stem}"  # a namespace of its own: no clash with installed modules
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as e:
            sys.modules.pop(name, None)
            raise ValueError(f"--include-path: cannot import {path}: {type(e).__name__}: {e}") from e
    return sorted(n for k, v in _ENTRIES.items() for n in v if n not in before[k])


def entries(kind: str) -> dict[str, Entry]:
    return REGISTRIES[kind].entries()


def get(kind: str, name: str) -> Entry:
    return REGISTRIES[kind].get(name)


def resolve_tasks(spec: str) -> list[str]:
    """'maze' → every family named maze or maze.*; 'a,b' → the union; 'all' → everything."""
    known = entries("task")
    out: list[str] = []
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        hits = [n for n, e in known.items()
                if part in ("all", n, e.group) or n.startswith(part + ".")]
        if not hits:
            groups = sorted({n.split(".")[0] for n in known} | {e.group for e in known.values() if e.group})
            raise UnknownName(f"unknown task {part!r}{did_you_mean(part, [*known, *groups])}; "
                              f"known families: {', '.join(known)}; "
                              f"groups: {', '.join(groups)}")
        out += [h for h in hits if h not in out]
    return out


def difficulties_by_family(families: list[str], difficulties: list[str]) -> dict[str, list[str]]:
    """Each family's share of the asked difficulties: a family without one (grid mazes have no ood)
    skips it, so `--tasks maze --difficulty ood` runs the mazes that have it; a difficulty that no
    asked family has is an error listing what they have."""
    out = {f: [d for d in difficulties if d in task_family(f).difficulties] for f in families}
    for d in difficulties:
        if not any(d in ds for ds in out.values()):
            if len(families) == 1:
                task_family(families[0]).check_difficulty(d)
            known = list(dict.fromkeys(x for f in families for x in task_family(f).difficulties))
            raise ValueError(f"unknown difficulty {d!r} for {', '.join(families)}; known: {', '.join(known)}")
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


def _generator_factory(spec: str) -> tuple[Callable[..., Any], str | None]:
    """The factory behind ``spec`` and the argument after 'name:' (None for a plain name)."""
    known = entries("generator")
    if spec in known:
        return known[spec].factory, None
    name, arg = split_model_spec(spec)
    return get("generator", name).factory, arg


def accepted_args(spec: str) -> set[str] | None:
    """The --model-args keys the model ``spec`` takes, or None when it does not declare them (a
    factory taking ``**args``, which then checks them itself). A factory may declare its keys in an
    ``accepts`` attribute."""
    factory, arg = _generator_factory(spec)
    declared = getattr(factory, "accepts", None)
    if declared is not None:
        return set(declared)
    params = list(inspect.signature(factory).parameters.values())
    if arg is not None:
        params = params[1:]  # the first parameter receives the text after 'name:'
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return None
    return {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def split_model_args(specs: list[str], model_args: dict) -> dict[str, dict]:
    """Each model's own --model-args: 'MODEL:key' keys go to MODEL only; plain keys go to every model
    that takes them (a model that does not declare its keys gets them all and checks them itself).
    A key meant for a model not in the run, or one no model takes, is an error naming the models."""
    out: dict[str, dict] = {s: {} for s in specs}
    plain = {}
    for key, value in model_args.items():
        model, sep, name = key.rpartition(":")
        if not sep:
            plain[key] = value
            continue
        if model not in out:
            raise ValueError(f"--model-args {key}={value}: {model!r} is not one of this run's models "
                             f"({', '.join(specs)})")
        takes = accepted_args(model)
        if takes is not None and name not in takes:
            raise ValueError(f"--model-args {key}: {model} does not take {name!r}; it takes: "
                             f"{', '.join(sorted(takes)) or 'nothing'}")
        out[model][name] = value
    takes = {s: accepted_args(s) for s in specs}
    for key, value in plain.items():
        takers = [s for s in specs if takes[s] is None or key in takes[s]]
        if not takers:
            raise ValueError(f"unknown --model-args {key}: no model in this run takes it ("
                             + "; ".join(f"{s} takes {', '.join(sorted(takes[s])) or 'nothing'}" for s in specs)
                             + ")")
        for s in takers:
            out[s].setdefault(key, value)  # a model's own 'MODEL:key' wins over the plain key
    return out


def make_generator(spec: str, **model_args):
    """Build the generator named by ``spec`` (a registered name, or 'name:argument')."""
    factory, arg = _generator_factory(spec)
    if arg is None:
        params = list(inspect.signature(factory).parameters.values())
        first = params[0] if params else None
        if first is not None and first.kind is first.POSITIONAL_OR_KEYWORD and first.default is first.empty \
                and first.name not in model_args:
            raise ValueError(f"model {spec!r} needs an argument after a colon (--model {spec}:…): "
                             f"{get('generator', spec).description}")
        return factory(**model_args)
    return factory(arg, **model_args)
