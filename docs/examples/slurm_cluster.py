"""Start a Dask cluster on SLURM for `neurodev sweep --scheduler` (needs dask-jobqueue).

    pip install 'neurodev[dask]' dask-jobqueue
    python docs/examples/slurm_cluster.py &      # prints the scheduler address, keeps it up
    neurodev sweep study.toml --scheduler tcp://<address printed> --out /shared/results

Each SLURM job runs `processes` single-threaded worker processes (Brian2 keeps one device per
process), builds in node-local scratch, and writes results to the shared --out directory.
"""

import time

from dask_jobqueue import SLURMCluster

cluster = SLURMCluster(
    cores=8, processes=8,            # one thread per worker process
    memory="16GB", walltime="04:00:00",
    job_script_prologue=["export NEURODEV_BUILD_DIR=${TMPDIR:-/tmp}/neurodev-$USER"],
    scheduler_options={"port": 8786},
)
cluster.scale(jobs=4)                # 32 workers; or cluster.adapt(minimum_jobs=1, maximum_jobs=8)
print(cluster.scheduler_address, flush=True)
while True:
    time.sleep(60)
