"""``--model diffusers:ORG/REPO`` (or a local pipeline directory): any diffusers video pipeline. The
pipeline class is read from the repo's model_index.json, its family adapter (families.py) picks the
preset whose settings it starts from; ``--model-args`` overrides any of them.

torch / diffusers are imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

from dataclasses import replace

from ..registry import add
from .base import GeneratorSetupError
from .diffusers import _ARGS, DiffusersGenerator
from .families import families, family_of_class
from .presets import PRESETS


def _generic(repo: str, **args) -> DiffusersGenerator:
    """``diffusers:ORG/REPO``: the pipeline class is read from the repo's model_index.json; sizes and
    steps default to the preset of the same family (override with --model-args)."""
    index = _model_index(repo, args.get("revision"))
    cls = args.get("pipeline") or index["_class_name"]
    family = family_of_class(cls)
    if family is None:
        prefixes = [f.class_prefix for f in families() if f.class_prefix]
        raise GeneratorSetupError(f"{repo}: pipeline {cls} is not a video pipeline genbench knows "
                                  f"({', '.join(prefixes)}…); pass pipeline=ClassName in --model-args")
    base = PRESETS[family.generic_base(index)]
    preset = replace(base, name=f"diffusers:{repo}", repo=repo, description=f"{repo} via {cls}", fixed_size_modes=(),
                     **family.generic_settings(cls, index, base))
    args = {k: v for k, v in args.items() if k != "pipeline"}
    return DiffusersGenerator(preset, **args)


def _model_index(repo: str, revision: str | None) -> dict:
    try:
        from diffusers import DiffusionPipeline

        return DiffusionPipeline.load_config(repo, **({"revision": revision} if revision else {}))
    except Exception as e:
        raise GeneratorSetupError(
            f"cannot read {repo}/model_index.json ({type(e).__name__}: {e}): the repo id does not exist, is "
            f"gated (run `huggingface-cli login`), or the hub cannot be reached. A local pipeline directory "
            f"works too: --model diffusers:/path/to/dir") from None


_generic.accepts = _ARGS  # so plain --model-args reach only the models that take them
add("generator", "diffusers", _generic,
    "Any diffusers video pipeline: --model diffusers:ORG/REPO (or a local dir); defaults from its family's preset.",
    group="diffusers")
