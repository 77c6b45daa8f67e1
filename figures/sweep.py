"""Summary figure of a sweep, from its stored table: each metric against each swept key, one
line per circuit, mean ± SD over seeds (the other swept keys averaged for each seed first)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from neurodev.experiments.config import SECTIONS, ConfigError
from neurodev.figures.style import label_counts, plt, save, wiring_colour


def make(table: Path, axes, metrics: tuple[str, ...], out_dir: Path) -> list[Path]:
    """Draw ``summary.png``/``.pdf`` in `out_dir` from the sweep's ``table.csv``.

    Parameters
    ----------
    table : Path
        The sweep's table (one row per run).
    axes : sequence of tuple of str
        The keys of each swept axis; a panel column each (a ``zip`` group of keys that step
        together is plotted against its first key).
    metrics : tuple of str
        Metric names; ``m`` selects the column ``m`` or every per-circuit column ``label.m``.
    """
    rows = [row for row in _read(table) if row["status"] == "done"]
    columns = [_metric_columns(rows[0], metric) for metric in metrics]
    axes = [tuple(keys) for keys in axes] or [("seed",)]
    figure, panels = plt.subplots(len(metrics), len(axes), squeeze=False,
                                  figsize=(2.6 * len(axes) + 0.6, 2.2 * len(metrics)),
                                  layout="constrained")
    for row_panels, metric, matched in zip(panels, metrics, columns, strict=True):
        for panel, keys in zip(row_panels, axes, strict=True):
            for label, column in matched.items():
                _plot(panel, rows, keys[0], column, label)
            panel.set_xlabel(" / ".join(keys))
            panel.set_ylabel(metric.replace("_", " "))
    panels[0, 0].legend(frameon=False, fontsize=6)
    seeds = len({row["seed"] for row in rows})
    figure.suptitle(f"{Path(table).parent.name}: at the final checkpoint, mean ± SD over "
                    f"{seeds} seed(s), other swept keys averaged; numbers: seeds with a value",
                    fontsize=8)
    return save(figure, out_dir, "summary")


def _read(table: Path) -> list[dict]:
    with open(table, newline="") as handle:
        return [{key: _number(value) for key, value in row.items()} for row in csv.DictReader(handle)]


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def _metric_columns(row: dict, metric: str) -> dict[str, str]:
    """Line label → column: ``metric`` itself, or ``label.metric`` for each circuit label
    (config columns, ``section.key``, are not metrics)."""
    if metric in row:
        return {metric: metric}
    per_circuit = {name: name.split(".", 1) for name in row
                   if "." in name and name.split(".", 1)[0] not in SECTIONS}
    matched = {label: name for name, (label, rest) in per_circuit.items() if rest == metric}
    if not matched:
        raise ConfigError(f"metrics: '{metric}' is not in the sweep's table; allowed: "
                          + ", ".join(sorted({rest for _, rest in per_circuit.values()})))
    return matched


def seed_statistics(rows: list[dict], key: str, column: str):
    """Mean and SD over seeds of `column` at each value of `key`; for each seed the rows of
    one value (other swept keys) are averaged first, and non-finite values left out.

    Returns
    -------
    values : list
        The values of `key`, sorted if numeric.
    means, sds : ndarray
        Mean and sample SD (ddof 1; 0 for one seed) over seeds, NaN where no seed has a value.
    counts : ndarray of int
        The seeds with a value (a metric can be missing, e.g. a median over too few cells).

    Examples
    --------
    >>> rows = [{"k": 1.0, "seed": s, "m": m} for s, m in ((1, 0.2), (2, 0.4))]
    >>> seed_statistics(rows, "k", "m")
    ([1.0], array([0.3]), array([0.14142136]), array([2]))
    """
    values = list(dict.fromkeys(row[key] for row in rows))
    if all(isinstance(v, float) for v in values):
        values.sort()
    means, sds, counts = [], [], []
    for value in values:
        per_seed: dict = {}
        for row in rows:
            if row[key] == value and isinstance(row[column], float):
                per_seed.setdefault(row["seed"], []).append(row[column])
        seed_means = np.array([np.mean(v) for v in per_seed.values()])
        seed_means = seed_means[np.isfinite(seed_means)]
        means.append(seed_means.mean() if seed_means.size else math.nan)
        sds.append(seed_means.std(ddof=1) if seed_means.size > 1 else 0.0)
        counts.append(seed_means.size)
    return values, np.array(means), np.array(sds), np.array(counts)


def _plot(panel, rows: list[dict], key: str, column: str, label: str):
    values, means, sds, counts = seed_statistics(rows, key, column)
    numeric = all(isinstance(v, float) for v in values)
    x = values if numeric else np.arange(len(values))
    colour = wiring_colour(label)
    panel.errorbar(x, means, yerr=sds, marker="o", ms=3, capsize=2, lw=1, color=colour,
                   label=label)
    label_counts(panel, x, means, counts, colour)
    if not numeric:
        panel.set_xticks(x, [str(v) for v in values], rotation=30, ha="right")
    elif min(values) > 0 and max(values) / min(values) >= 100:
        panel.set_xscale("log")
