"""One tidy table of every stored run: a row per run, circuit and checkpoint, with the run's
key, experiment, seed, wall time, every config key and every metric (pure Python over the
result store; `neurodev table` writes it as CSV, the Python API returns its records). `write_table` writes
this table and every sweep's.

A circuit's metric that is a series over checkpoints gives its value at the row's
checkpoint; a series over the intervals between checkpoints (turnover) gives the interval
that ends there, and nothing at checkpoint 0; a scalar (the headstart, convergence, turnover
totals) is repeated on every row of its circuit. Run-level metrics are repeated on every row
of the run, and lists that are neither (samples, such as a map generator's densities) are
left out. A run without circuits (a wave recording) is one row.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from neurodev.experiments.machinery.store import CorruptRun, ResultStore, StoredRun

#: The first columns, in this order; then the checkpoint's development, the metrics, the config.
LEADING = ("run_key", "experiment", "seed", "wall_time_s", "circuit", "checkpoint")
#: Per-checkpoint descriptions of development (``metrics["development"]``), as columns
#: ``development.<name>``.
DEVELOPMENT = ("phase", "waves", "real_time_s", "vision_s", "simulated_time_s")


def stored_runs(root: Path) -> Iterator[tuple[str, Path]]:
    """(experiment, run directory) of every run under `root`, experiment by experiment."""
    root = Path(root)
    if not root.is_dir():
        return
    store = ResultStore(root)
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for run_dir in store.runs(folder.name):
            if (run_dir / "metrics.json").is_file():  # a sweep's folder holds no runs
                yield folder.name, run_dir


def records(root: Path, on_corrupt=None) -> list[dict]:
    """Every row of the table of the runs under `root`; a run that fails verification is
    passed to ``on_corrupt(error)`` and left out (or, without it, raises `CorruptRun`)."""
    store, rows = ResultStore(root), []
    for experiment, run_dir in stored_runs(root):
        try:
            run = store.load(run_dir, arrays=False)
        except CorruptRun as error:
            if on_corrupt is None:
                raise
            on_corrupt(error)
            continue
        rows += run_records(run, experiment)
    return rows


def run_records(run: StoredRun, experiment: str) -> list[dict]:
    """The rows of one stored run (see the module's description).

    Examples
    --------
    >>> from neurodev.experiments.machinery.store import StoredRun
    >>> run = StoredRun(Path("r/x/abc"), {"seed": 2, "wiring": {"prior_strength": 1.0}},
    ...                 {"development": {"phase": ["start", "wt"]},
    ...                  "circuits": {"prior": {"median_osi": [0.3, 0.2],
    ...                                         "turnover": {"formed": [4]}}}},
    ...                 {}, {"wall_time_s": 9.5})
    >>> [(row["checkpoint"], row["median_osi"], row["turnover.formed"]) for row in
    ...  run_records(run, "x")]
    [(0, 0.3, None), (1, 0.2, 4)]
    >>> run_records(run, "x")[0]["config.wiring.prior_strength"]
    1.0
    """
    metrics = run.metrics
    development = metrics.get("development", {})
    n_checkpoints = len(development.get("phase", [])) or None
    shared = {"run_key": run.path.name, "experiment": experiment, "seed": run.config.get("seed"),
              "wall_time_s": run.provenance.get("wall_time_s")}
    run_level = {name: value for section, content in metrics.items()
                 if section not in ("circuits", "development")
                 for name, value in _scalars(content, section, set(metrics.get("circuits", {})))}
    config = dict(_scalars({k: v for k, v in run.config.items() if k != "seed"}, "config",
                           set(), keep_lists=True))
    circuits = metrics.get("circuits", {})
    if not circuits or n_checkpoints is None:
        return [shared | {"circuit": None, "checkpoint": None} | run_level | config]
    rows = []
    for label, values in circuits.items():
        per_circuit = _circuit_sections(metrics, label) | {"": values}
        for k in range(n_checkpoints):
            row = shared | {"circuit": label, "checkpoint": k}
            row |= {f"development.{name}": series[k] for name, series in development.items()
                    if name in DEVELOPMENT and len(series) == n_checkpoints}
            for prefix, content in per_circuit.items():
                row |= dict(_at_checkpoint(content, prefix, k, n_checkpoints))
            rows.append(row | run_level | config)
    return rows


def _circuit_sections(metrics: dict, label: str) -> dict:
    """A circuit's entries in sections other than ``circuits`` (e.g. ``maps[label]``)."""
    return {section: content[label] for section, content in metrics.items()
            if section not in ("circuits", "development") and isinstance(content, dict)
            and label in content}


def _at_checkpoint(values, prefix: str, k: int, n_checkpoints: int):
    """(column, value) of a circuit's metrics at checkpoint `k`."""
    if isinstance(values, dict):
        for key, inner in values.items():
            yield from _at_checkpoint(inner, f"{prefix}.{key}" if prefix else key, k,
                                      n_checkpoints)
    elif isinstance(values, list):
        if len(values) == n_checkpoints:
            yield prefix, values[k]
        elif len(values) == n_checkpoints - 1:  # per interval: the one ending at k
            yield prefix, values[k - 1] if k else None
    else:
        yield prefix, values


def _scalars(values, prefix: str, skip: set, keep_lists: bool = False):
    """(dotted name, value) of every scalar under `values`, leaving out the keys in `skip`
    (a section's per-circuit entries) and lists, unless `keep_lists` (config values, written
    as JSON)."""
    if isinstance(values, dict):
        for key, inner in values.items():
            if key not in skip:
                yield from _scalars(inner, f"{prefix}.{key}", set(), keep_lists)
    elif isinstance(values, list):
        if keep_lists:
            yield prefix, json.dumps(values)
    else:
        yield prefix, values


def table_columns(rows: list[dict]) -> list[str]:
    """The table's columns: `LEADING`, the development, the metrics in order of first
    appearance, then the config."""
    seen = list(dict.fromkeys(name for row in rows for name in row))
    config = [name for name in seen if name.startswith("config.")]
    development = [f"development.{name}" for name in DEVELOPMENT
                   if f"development.{name}" in seen]
    rest = [name for name in seen if name not in (*LEADING, *development, *config)]
    return [*LEADING, *development, *rest, *config]


def write_table(rows: list[dict], path: Path, columns: list[str] | None = None) -> Path:
    """Write `rows` as CSV, atomically; `columns` (default: in order of first appearance),
    blanks where a row has none."""
    columns = columns or list(dict.fromkeys(name for row in rows for name in row))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns, restval="")
        writer.writeheader()
        writer.writerows({k: _csv_value(v) for k, v in row.items()} for row in rows)
    temporary.replace(path)
    return path


def _csv_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return value
