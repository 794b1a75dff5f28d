"""Splitting one run over processes, on the launchers users already have.

Two ways combine: ``--shard K/N`` takes slice K of N of the run's work list with no distributed
runtime (Slurm arrays, several machines writing to one shared run directory), and a data-parallel
launch (``accelerate launch --num_processes P -m genbench run …`` or ``torchrun``) gives each rank
its own slice of that. With context parallelism (``--model-args parallel=cp:C``) C ranks drive one
model replica together: they take the same slice, and only the first of them writes.

A slice is ``units[index::count]`` of the run's deterministic work list, so every process computes
the same list and the slices cover it exactly once. Each slice appends to its own
``samples.<name>.jsonl`` (guarded by an advisory lock); results.json is computed over every file.
Synchronisation uses ``accelerate.PartialState`` (torch.distributed underneath): no sockets of ours.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .fsio import write_text_durably
from .schema import canonical_json, sha256_hex

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """This process's slice of the work list."""

    index: int = 0
    count: int = 1
    writer: bool = True  # False for the non-leading ranks of a context-parallel group
    rank: int = 0  # launcher rank (0 without a launcher)
    world: int = 1  # launcher world size
    cp: int = 1  # ranks per model replica

    @property
    def name(self) -> str | None:
        """File-name tag of this slice; None when the run is not split."""
        return None if self.count == 1 else f"shard-{self.index}-of-{self.count}"

    @property
    def distributed(self) -> bool:
        return self.world > 1

    @property
    def main(self) -> bool:
        """The process that writes the merged results (rank 0; every --shard process without a launcher)."""
        return self.rank == 0

    def take(self, units: list) -> list:
        return units[self.index::self.count]

    def total(self, counts: dict) -> dict:
        """Counts summed over the writing ranks of a launch (this process's own without a launcher)."""
        if not self.distributed:
            return counts
        from accelerate.utils import gather_object

        out: dict = {}
        for c in gather_object([counts if self.writer else {}]):
            for k, v in c.items():
                out[k] = out.get(k, 0) + v
        return out

    def label(self) -> str:
        parts = []
        if self.count > 1:
            parts.append(f"slice {self.index}/{self.count}")
        if self.distributed:
            parts.append(f"rank {self.rank}/{self.world}")
        return ", ".join(parts) or "single process"


def parse_shard(text: str | None) -> tuple[int, int]:
    """'K/N' → (K, N), with 0 ≤ K < N; None → (0, 1)."""
    if not text:
        return 0, 1
    m = _SHARD.match(text)
    if not m or int(m.group(2)) < 1 or int(m.group(1)) >= int(m.group(2)):
        raise ValueError(f"--shard expects K/N with 0 <= K < N (e.g. 0/4 … 3/4), got {text!r}")
    return int(m.group(1)), int(m.group(2))


def launcher_world() -> tuple[int, int]:
    """(rank, world size) set by torchrun / accelerate launch / Slurm-aware launchers; (0, 1) otherwise."""
    try:
        return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    except ValueError:
        return 0, 1


def context_parallel_degree(model_args: dict) -> int:
    """C from ``parallel=cp:C`` (or ring:C / ulysses:C); 1 when absent."""
    from .generators.parallel import parse

    # plain `parallel=…` or one model's `MODEL:parallel=…` (per-model --model-args)
    spec = str(next((v for k, v in model_args.items() if k.rpartition(":")[2] == "parallel" and v), "")).strip()
    return parse(spec)[1] if spec else 1


def current(shard: str | None = None, model_args: dict | None = None) -> Shard:
    """This process's slice: ``--shard K/N`` subdivided over the launcher's data-parallel replicas."""
    k, n = parse_shard(shard)
    rank, world = launcher_world()
    sl = slice_of(k, n, rank, world, context_parallel_degree(model_args or {}))
    if world > 1:
        _state()  # joins the process group (and picks this rank's GPU) before any model loads
    return sl


def slice_of(k: int, n: int, rank: int, world: int, cp: int) -> Shard:
    """Slice K of N, subdivided over the world // cp model replicas of a launch (pure arithmetic)."""
    if cp > 1 and world == 1:
        raise ValueError(f"parallel=cp:{cp} shares one model over {cp} processes: launch with "
                         f"`torchrun --nproc_per_node {cp} -m genbench run …` or `accelerate launch "
                         f"--num_processes {cp} -m genbench run …`")
    if world % cp:
        raise ValueError(f"parallel=cp:{cp} needs a world size divisible by {cp}; this launch has {world} "
                         f"process{'es' if world != 1 else ''}")
    replicas = world // cp
    return Shard(index=k * replicas + rank // cp, count=n * replicas, writer=rank % cp == 0, rank=rank,
                 world=world, cp=cp)


def _state():
    import torch
    from accelerate import PartialState

    # without a GPU, accelerate needs to be told to join the launch's gloo process group on CPUs
    return PartialState(cpu=not torch.cuda.is_available())


# --- one config per split run ------------------------------------------------------------------

def config_hash(config: dict) -> str:
    """What defines the work list and its outputs (not where it goes, nor how it is split)."""
    keep = {k: v for k, v in config.items() if k not in ("out", "shard")}
    return sha256_hex(canonical_json(keep))[:16]


def check_same_run(root: Path, config: dict, shard: Shard) -> None:
    """Every slice of a split run must have the same config: the first one records it, the rest compare."""
    if shard.count == 1:
        return
    path = root / "shards.json"
    h = config_hash(config)
    mine = {"config_hash": h, "count": shard.count, "config": {k: v for k, v in config.items() if k != "out"}}
    # first slice wins, atomically and whole: written aside, then hard-linked into place (a link fails
    # if the name exists), so another slice never reads a file still being written
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    write_text_durably(tmp, json.dumps(mine, indent=2, default=str))
    try:
        os.link(tmp, path)
    except FileExistsError:
        theirs = json.loads(path.read_text())
        if theirs.get("count") != shard.count or theirs.get("config_hash") != h:
            diff = sorted(k for k in set(theirs.get("config", {})) | set(mine["config"])
                          if theirs.get("config", {}).get(k) != mine["config"].get(k))
            what = f"{theirs.get('count')} slices" if theirs.get("count") != shard.count else \
                f"a different config ({', '.join(diff) or 'hash'} differ)"
            raise ValueError(f"{root} is a run split into {what}; this process ({shard.label()}) would "
                             f"mix results. Use the same arguments, or another --out, or delete "
                             f"{path} to split this run anew")
    finally:
        tmp.unlink(missing_ok=True)


# --- the work list, so any process can merge without loading a model ---------------------------

def _work_list_path(root: Path, config: dict) -> Path:
    return root / "work" / f"{config_hash(config)}.json"


def write_work_list(root: Path, config: dict, keys: list[str]) -> None:
    """Every sample key of the run, in order (the same in every process of one config)."""
    path = _work_list_path(root, config)
    if path.exists():
        return
    path.parent.mkdir(exist_ok=True)
    write_text_durably(path, json.dumps({"config_hash": config_hash(config), "keys": keys}))


def read_work_list(root: Path, config: dict) -> list[str]:
    path = _work_list_path(root, config)
    if not path.exists():
        raise FileNotFoundError(f"{root}: no work list for its config.json ({path.name}); run the same "
                                "`genbench run` command once (any slice) before merging")
    return json.loads(path.read_text())["keys"]


def slice_files(root: Path) -> list[Path]:
    """The per-slice samples files of a split run."""
    return sorted(root.glob("samples.shard-*.jsonl"))
