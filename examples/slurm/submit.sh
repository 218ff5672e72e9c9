#!/bin/sh
# Queues the shards, then the merge after them (afterany: whatever their ends).
set -eu
mkdir -p results
array=$(sbatch --parsable fanout-shards.sbatch)
sbatch --dependency="afterany:$array" fanout-merge.sbatch
