"""Running experiments: the result store, the runner, the registry, sweeps, executors, bench."""
