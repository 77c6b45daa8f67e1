"""neurodev: spiking simulations of how visual cortex develops, learning from scratch against
innate priors, on Brian2.

The Python API, for notebooks and scripts (`neurodev.experiments.api`; every call validates
its input as the ``neurodev`` command does, raising `ConfigError` with its one-line message)::

    import neurodev
    neurodev.list_experiments()                  # {name: what it does}
    run = neurodev.run("scratch-vs-prior", preset="tiny")
    run.metrics["circuits"]["prior"]["median_osi"]   # one value per checkpoint
    run.arrays["prior.rf"], run.figures, run.config
    neurodev.load(run.path)                       # a stored run, verified
    neurodev.table("results")                     # a record per run, circuit and checkpoint
    neurodev.sweep("study.toml", workers=2)

The repository's root is this package; its folders `circuits`, `development`, `experiments`
and `figures` are its subpackages. Importing it loads nothing heavy: the API, and Brian2 with
it, is imported when first used.
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("neurodev")
except _metadata.PackageNotFoundError:  # imported from a checkout that is not installed
    __version__ = "0+unknown"

#: The API's names, imported from `neurodev.experiments.api` when first used.
_API = ("run", "load", "table", "sweep", "list_experiments", "Run", "ConfigError", "CorruptRun")
__all__ = [*_API, "__version__"]


def __getattr__(name: str):
    if name in _API:
        from neurodev.experiments import api

        return getattr(api, name)
    raise AttributeError(f"module 'neurodev' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
