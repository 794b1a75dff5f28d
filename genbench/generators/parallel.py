"""Context parallelism: one big model's attention split over several processes (diffusers' own).

``--model-args parallel=cp:C`` (ring attention over C ranks; ``ulysses:C`` for Ulysses all-to-all)
under ``torchrun`` / ``accelerate launch``. With a world of W processes, W / C model replicas each
take their own slice of the work (genbench.shards): 8 GPUs with ``cp:4`` are 2 replicas × 4.

diffusers applies it to transformers that ship a context-parallel plan (``_cp_plan``): in 0.42 Wan
(2.1, 2.2 and both A14B experts) and LTX-Video; CogVideoX and HunyuanVideo have none, and asking for
it there is an error that says so rather than a silent single-GPU run.
"""

from __future__ import annotations


class ContextParallelUnsupported(ValueError):
    pass


def parse(spec: str) -> tuple[str, int]:
    """'cp:4' / 'ring:4' → ('ring', 4); 'ulysses:2' → ('ulysses', 2)."""
    kind, _, degree = str(spec).partition(":")
    if kind not in ("cp", "ring", "ulysses") or not degree.isdigit() or int(degree) < 1:
        raise ValueError(f"parallel={spec!r}: use cp:C, ring:C or ulysses:C")
    return ("ring" if kind == "cp" else kind), int(degree)


def transformers_of(pipe) -> list:
    return [net for net in (getattr(pipe, "transformer", None), getattr(pipe, "transformer_2", None))
            if net is not None]


def enable(pipe, spec: str) -> None:
    """Split every transformer of ``pipe`` (both experts of Wan 2.2 A14B) over the context-parallel
    group of this rank. The process group must exist (the launcher and genbench.shards made it)."""
    import torch
    import torch.distributed as dist
    from diffusers import ContextParallelConfig

    kind, degree = parse(spec)
    nets = transformers_of(pipe)
    missing = [type(n).__name__ for n in nets if getattr(n, "_cp_plan", None) is None]
    if missing:
        raise ContextParallelUnsupported(
            f"diffusers has no context-parallel plan for {', '.join(missing)}: use data parallelism "
            f"(accelerate launch --num_processes N -m genbench run …, one model per GPU) for this family")
    if not torch.cuda.is_available():
        # diffusers places each rank on an accelerator (rank % device_count): a CPU has none
        raise ContextParallelUnsupported(f"parallel={spec}: diffusers' context parallelism runs on GPUs only; "
                                         "on CPUs use data parallelism (one model per process)")
    if not dist.is_initialized():
        raise ContextParallelUnsupported(f"parallel={spec} needs a distributed launch (torchrun or accelerate "
                                         "launch); this process has no process group")
    world = dist.get_world_size()
    if world % degree:
        raise ContextParallelUnsupported(f"parallel={spec}: world size {world} is not a multiple of {degree}")
    mesh = replica_mesh(world, degree, kind)
    for net in nets:
        kw = {"ring_degree": degree} if kind == "ring" else {"ulysses_degree": degree}
        net.enable_parallelism(config=ContextParallelConfig(**kw, mesh=mesh))


def replica_mesh(world: int, degree: int, kind: str):
    """This rank's (ring, ulysses) sub-mesh of a (replica, ring, ulysses) device mesh: consecutive
    ranks share a model (rank // degree is the replica, as in genbench.shards)."""
    from torch.distributed.device_mesh import init_device_mesh

    shape = (world // degree, degree, 1) if kind == "ring" else (world // degree, 1, degree)
    mesh = init_device_mesh("cuda", shape, mesh_dim_names=("replica", "ring", "ulysses"))
    return mesh["ring", "ulysses"]
