#!/bin/bash
# One genbench run split over a Slurm array: task K runs slice K of N on its own GPU, all writing to
# one shared run directory; the last slice to finish writes the whole results.json, and
# `genbench merge runs/wan2-maze` recomputes it at any time (e.g. while slices are still running).
#SBATCH --job-name=genbench
#SBATCH --array=0-7
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=8
#SBATCH --time=12:00:00
#SBATCH --output=genbench-%A_%a.out
set -euo pipefail
N=${SLURM_ARRAY_TASK_COUNT:-8}
genbench run --model wan2 --tasks maze --limit 50 --out runs/wan2-maze --quiet \
  --shard "${SLURM_ARRAY_TASK_ID}/${N}"
