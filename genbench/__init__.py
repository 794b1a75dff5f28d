"""genbench: measure and improve reasoning in video generation models.

The public API (documented in the README's "Python API" section)::

    genbench.make_items(tasks, difficulty, n, seed)   items with prompts, first frame and solutions
    genbench.judge(item, video_path)                   a checker's Verdict on one video
    genbench.run(tasks, models, out, **settings)       `genbench run` from Python
    genbench.load_results(run_dir)                     a run's results.json
    genbench.export_dataset(tasks, out, n, format=…)   `genbench export` from Python
    genbench.write_report(run_dir)                     the HTML report
    genbench.pass_at_k(n, c, k)                        the unbiased pass@k estimator
    genbench.include_path(directory)                   register task families from your own modules
    genbench.task_family(name)                         a family object (generate, solution_frames, check)
    genbench.tpo.VideoTPO, genbench.tpo.BestOfN        test-time search around a diffusers pipeline

Importing genbench is cheap: each name above loads its module on first use, and torch, diffusers,
transformers and openai load only when a model or judge needs them.
"""

__version__ = "0.1.0"

# name → module that defines it, imported on first access (PEP 562) so `import genbench` stays light
_LAZY = {
    "make_items": "genbench.api", "judge": "genbench.api", "run": "genbench.api",
    "load_results": "genbench.api", "export_dataset": "genbench.api",  # not "export": that is a module
    "write_report": "genbench.report", "pass_at_k": "genbench.metrics",
    "include_path": "genbench.registry", "task_family": "genbench.registry",
    "TaskItem": "genbench.schema", "Verdict": "genbench.schema",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    if name == "tpo":  # genbench.tpo as an attribute, as `import genbench.tpo` would give
        import importlib

        return importlib.import_module("genbench.tpo")
    raise AttributeError(f"module 'genbench' has no attribute {name!r}")


def __dir__():
    return sorted(__all__ + ["tpo"])
