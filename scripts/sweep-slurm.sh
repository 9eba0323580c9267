#!/usr/bin/env bash
# Runs a sweep plan as a Slurm job array: one shard per array task, one JSONL per shard.
#
#   sbatch --array=0-15 scripts/sweep-slurm.sh plans/example.toml results/
#   scoredyn report results/*.jsonl --out report/      # once every task is done
#
# Each task runs `scoredyn sweep --shard I/N` with I and N from Slurm's
# SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN) and SLURM_ARRAY_TASK_COUNT, and
# resumes its own file, so a task that was preempted or timed out can be resubmitted
# (same --array) and continues where it stopped. Cells are single-threaded:
# --cpus-per-task sets how many run at once in a task.
#SBATCH --job-name=scoredyn-sweep
#SBATCH --cpus-per-task=2
#SBATCH --time=04:00:00
#SBATCH --output=scoredyn-sweep-%A_%a.log
set -euo pipefail
plan=${1:?usage: sbatch --array=0-(N-1) scripts/sweep-slurm.sh PLAN.toml OUT_DIR}
out=${2:?usage: sbatch --array=0-(N-1) scripts/sweep-slurm.sh PLAN.toml OUT_DIR}
: "${SLURM_ARRAY_TASK_ID:?run this with sbatch --array}"
mkdir -p "$out"
bin=${SCOREDYN:-scoredyn}
i=$(( SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0} ))
exec "$bin" sweep --plan "$plan" --out "$out/shard-$i-of-$SLURM_ARRAY_TASK_COUNT.jsonl" \
  --jobs "${SLURM_CPUS_PER_TASK:-1}" --resume
