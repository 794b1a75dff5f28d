"""genbench's overhead around the raw diffusers pipeline call (tiny random-weight model, same steps).

Reference, measured in the same run: the bare pipeline call a user would write (same prompt,
image, size, frames, steps, guidance, CPU generators, one call per item with every candidate).
genbench: DiffusersGenerator.generate on the same requests (prompt cache, seeds, NFE hooks, uint8
conversion, MP4 writing). Prints wall-time ratios (target <= 1.05) and NFE per video; also the
whole run loop (items, generation, judging, store) ÷ time inside the pipeline.

    python bench/bench_diffusers.py [--model tiny-wan2] [--items 3] [--candidates 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="tiny-wan2")
    ap.add_argument("--items", type=int, default=3)
    ap.add_argument("--candidates", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()

    import torch
    from PIL import Image

    from genbench.registry import make_generator, task_family
    from genbench.runner import RunConfig, build_request, run

    fam = task_family("maze.grid")
    items = list(fam.items("easy", a.items, 0))
    gen = make_generator(a.model)
    batches = [[build_request(gen, it, fam, "i2v", 0, c) for c in range(a.candidates)] for it in items]
    pipe = gen.pipeline("i2v")

    def raw_call(reqs):
        # the batching workaround a user writes (prompt=[p]*N: Wan 2.1 I2V / CogVideoX traps); Wan takes
        # one image for the batch, CogVideoX / LTX one per generator
        n, img = len(reqs), Image.fromarray(reqs[0].image)
        kw = dict(prompt=[reqs[0].prompt] * n, negative_prompt=[gen.negative_prompt] * n, height=gen.height,
                  width=gen.width, num_frames=gen.num_frames, num_inference_steps=gen.steps,
                  guidance_scale=gen.guidance, generator=[torch.Generator("cpu").manual_seed(r.seed) for r in reqs],
                  output_type="np", image=[img] * n if gen.adapter.image_per_sample else img, **gen.call_kwargs,
                  **gen.adapter.call_extras(gen.fps))
        with torch.inference_mode():
            return pipe(**kw).frames

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        raw_call(batches[0]), gen.generate(batches[0], [tmp / f"w{c}.mp4" for c in range(a.candidates)])  # warm-up
        raw_t, gb_t, inside_t, nfe = [], [], [], []
        raw_cpu, gb_cpu = [], []  # process CPU time: far less sensitive to other load than wall time
        for rep in range(a.repeats):  # interleaved, so machine load hits both alike
            t, c = time.perf_counter(), time.process_time()
            for reqs in batches:
                raw_call(reqs)
            raw_t.append(time.perf_counter() - t)
            raw_cpu.append(time.process_time() - c)
            gen._prompts.clear()  # no head start from the prompt cache of the previous repeat
            t, c = time.perf_counter(), time.process_time()
            recs = [r for i, reqs in enumerate(batches)
                    for r in gen.generate(reqs, [tmp / f"{rep}_{i}_{c}.mp4" for c in range(a.candidates)])]
            gb_t.append(time.perf_counter() - t)
            gb_cpu.append(time.process_time() - c)
            inside_t.append(sum(r.meta["pipeline_seconds"] for r in recs if r.meta["batch_index"] == 0))
            nfe += [r.nfe for r in recs]
        t = time.perf_counter()
        res = run(RunConfig(tasks="maze.grid", models=a.model, out=str(tmp / "run"), limit=a.items,
                            difficulties="easy", samples_per_item=a.candidates), progress=False)
        run_t = time.perf_counter() - t
        import json

        rows = [json.loads(l) for l in (tmp / "run" / "samples.jsonl").read_text().splitlines()]
        run_inside = sum(r["generation"]["meta"]["pipeline_seconds"] for r in rows
                         if r["generation"]["meta"]["batch_index"] == 0)

    med = statistics.median
    n_videos = a.items * a.candidates
    print(f"model {a.model}: {a.items} items x {a.candidates} candidates, {gen.width}x{gen.height}x{gen.num_frames}, "
          f"{gen.steps} steps, batch {gen.max_batch}, torch threads {torch.get_num_threads()}")
    print(f"raw pipeline calls      {med(raw_t):7.3f} s  ({n_videos / med(raw_t):.2f} videos/s)")
    print(f"genbench generate       {med(gb_t):7.3f} s  ({n_videos / med(gb_t):.2f} videos/s)")
    print(f"  of which in pipeline  {med(inside_t):7.3f} s")
    print(f"ratio genbench / raw pipeline call            {med(gb_t) / med(raw_t):.3f}  (target <= 1.05)")
    print(f"ratio genbench / raw pipeline call, CPU time  {med(gb_cpu) / med(raw_cpu):.3f}  "
          f"({med(gb_cpu):.2f} s / {med(raw_cpu):.2f} s)")
    print(f"ratio genbench generate / time inside pipeline {med(gb_t) / med(inside_t):.3f}")
    print(f"whole run (generate+judge+store) {run_t:.3f} s / inside pipeline {run_inside:.3f} s = "
          f"{run_t / run_inside:.3f}  ({res['counts']['generated']} videos judged)")
    print(f"NFE per video: {sorted(set(nfe))} (steps {gen.steps} x CFG branches)")
    print(f"per-repeat raw {np.round(raw_t, 3).tolist()} genbench {np.round(gb_t, 3).tolist()}")


if __name__ == "__main__":
    main()
