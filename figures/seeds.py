"""Multi-seed figure: every circuit's development, mean ± SD over seeds, one row per
condition (e.g. each kind of rearing), from stored runs only."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np

from neurodev.experiments.machinery.store import ResultStore
from neurodev.figures.style import (
    condition_name,
    in_wiring_order,
    plt,
    save,
    wiring_colour,
    wiring_linestyle,
    wiring_name,
)

#: (metric path in a circuit's metrics, axis label) of each column of panels.
PANELS = (("median_osi", "L4 median global OSI"),
          ("fraction_selective", "L4 fraction selective (p < 0.05)"),
          ("median_weight_osi", "L4 weight-based OSI (best wavelength)"),
          ("median_half_width_deg", "L4 median half-width (°)"),
          ("median_rf_radius_um", "L4 median RF radius, weights (µm)"),
          ("l23.median_osi", "L2/3 median global OSI"))
#: Drawn when some run maps receptive fields from responses to noise.
RESPONSE_FIELD_PANEL = ("median_response_rf_radius_um", "L4 median RF radius, responses (µm)")
#: Drawn when some run's L2/3 E → E synapses are plastic: static ones (the default) keep the
#: weight ratio at 1 by construction, a panel that would show nothing.
PLASTIC_L23_PANEL = ("l23.connection_weight_ratio", "L2/3 E → E weight, similar / orthogonal pairs")


def make(run_dirs: list[Path], out_dir: Path, name: str, condition_keys=()) -> list[Path]:
    """Draw the runs of one study (the same config but for the seed and the
    `condition_keys`, dotted config keys such as ``"experience.kind"``); return the files."""
    conditions = group_by_condition(run_dirs, condition_keys)
    panels = panels_of([run for runs in conditions.values() for run in runs])
    figure, axes = plt.subplots(len(conditions), len(panels), squeeze=False, sharex=True,
                                figsize=(2.1 * len(panels), 1.9 * len(conditions) + 0.6),
                                layout="constrained")
    for row, (condition, runs) in zip(axes, conditions.items(), strict=True):
        for ax, (metric, label) in zip(row, panels, strict=True):
            _panel(ax, runs, metric)
            ax.set_ylabel(label, fontsize=6)
        row[0].set_title(f"{condition_name(condition) or 'all runs'}: n = {len(runs)} seeds",
                         loc="left")
    for ax in axes[-1]:
        ax.set_xlabel("developmental time (min; first seed)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=3, frameon=False, fontsize=6)
    return save(figure, out_dir, name)


def panels_of(runs) -> tuple[tuple[str, str], ...]:
    """The (metric, label) columns for these stored runs: `PANELS`, `RESPONSE_FIELD_PANEL`
    after the weights' RF radius if any run maps fields from responses, and
    `PLASTIC_L23_PANEL` if any run's ``rules.l23_l23`` is not empty."""
    mapped = any(run.config.get("rf_mapping", {}).get("n_frames") for run in runs)
    plastic = any(run.config["rules"]["l23_l23"] for run in runs)
    at = [metric for metric, _ in PANELS].index("median_rf_radius_um") + 1
    return (PANELS[:at] + ((RESPONSE_FIELD_PANEL,) if mapped else ()) + PANELS[at:]
            + ((PLASTIC_L23_PANEL,) if plastic else ()))


def group_by_condition(run_dirs, condition_keys) -> dict[str, list]:
    """Stored runs by the values of `condition_keys` in their configs, named as
    ``"value, value"`` (`group_by_values`)."""
    return {", ".join(map(str, values)): runs
            for values, runs in group_by_values(run_dirs, condition_keys).items()}


def group_by_values(run_dirs, condition_keys) -> dict[tuple, list]:
    """Stored runs by the tuple of values of `condition_keys` in their configs (in the order
    first seen), each group sorted by seed."""
    store = ResultStore(Path(run_dirs[0]).parent.parent)
    groups = defaultdict(list)
    for run_dir in run_dirs:
        run = store.load(run_dir, arrays=False)
        groups[tuple(lookup(run.config, key) for key in condition_keys)].append(run)
    return {c: sorted(runs, key=lambda run: run.config["seed"]) for c, runs in groups.items()}


def _panel(ax, runs, metric):
    development = runs[0].metrics["development"]
    minutes = np.asarray(development["real_time_s"]) / 60
    for label in in_wiring_order(runs[0].metrics["circuits"]):
        values = np.array([[np.nan if v is None else v for v in
                            lookup(run.metrics["circuits"][label], metric)] for run in runs])
        colour = wiring_colour(label)
        # A checkpoint where any seed has no value (too few responsive cells) is a gap: a
        # mean over the other seeds would be a mean over fewer than n.
        mean = values.mean(axis=0)
        spread = values.std(axis=0, ddof=1) if len(runs) > 1 else 0 * mean
        ax.plot(minutes, mean, marker="o", ls=wiring_linestyle(label), ms=2, lw=1, color=colour,
                label=wiring_name(label))
        ax.fill_between(minutes, mean - spread, mean + spread, color=colour, alpha=0.2, lw=0)
    vision_s = np.asarray(development.get("vision_s", [0.0]))
    if vision_s[-1] > 0:  # eye opening: the last checkpoint without visual experience
        ax.axvline(minutes[np.flatnonzero(vision_s == 0)[-1]], color="0.5", lw=0.6, ls="--")
    _widen_flat_axis(ax)
    ax.tick_params(labelsize=6)


def _widen_flat_axis(ax, min_span: float = 0.05) -> None:
    """Give a panel whose values barely change (e.g. an L2/3 weight ratio that stays within
    10⁻⁴ of 1) a y range of at least `min_span`: autoscaled, that wobble would fill the panel
    as if it were an effect, its ticks read against an offset such as ``1e-4 + 1``."""
    low, high = ax.get_ylim()
    if high - low < min_span:
        middle = (low + high) / 2
        ax.set_ylim(middle - min_span / 2, middle + min_span / 2)


def lookup(tree: dict, dotted: str):
    """``tree["a"]["b"]`` for ``dotted = "a.b"``."""
    for part in dotted.split("."):
        tree = tree[part]
    return tree


def checkpoints(run) -> dict[str, int]:
    """The reported checkpoints of a run: eye opening (the last without visual experience)
    and after vision (the last)."""
    vision_s = np.asarray(run.metrics["development"]["vision_s"])
    return {"eye_opening": int(np.flatnonzero(vision_s == 0)[-1]),
            "after_vision": len(vision_s) - 1}


def at_checkpoint(run, label: str, metric: str, stage: str) -> float:
    """Circuit `label`'s `metric` (dotted) at the `checkpoints` entry `stage` (NaN if none)."""
    value = lookup(run.metrics["circuits"][label], metric)[checkpoints(run)[stage]]
    return np.nan if value is None else value


def criterion_times(runs, label: str) -> tuple[list[float], list[float]]:
    """Circuit `label`'s time to criterion in each run (min of developmental time): of the
    runs that reached it, and, for those that did not, when they were last measured."""
    headstarts = [run.metrics["circuits"][label]["headstart"] for run in runs]
    return ([h["real_time_s"] / 60 for h in headstarts if h["reached"]],
            [h["censored_at_s"] / 60 for h in headstarts if not h["reached"]])


def spread(fields: dict, values, n_runs: int | None = None) -> dict:
    """A summary line: `fields`, then the mean and SD over the seeds that have a value, how
    many did (``n``) of how many runs (``n_runs``, default ``len(values)``).

    >>> spread({"metric": "median_osi"}, [1.0, 3.0, float("nan")])
    {'metric': 'median_osi', 'mean': 2.0, 'sd': 1.4142135623730951, 'n': 2, 'n_runs': 3}
    """
    values = np.asarray(values, dtype=float)
    present = values[~np.isnan(values)]
    return {**fields, "mean": float(present.mean()) if len(present) else np.nan,
            "sd": float(present.std(ddof=1)) if len(present) > 1 else np.nan,
            "n": len(present), "n_runs": len(values) if n_runs is None else n_runs}


def write_summary(rows: list[dict], path: Path) -> Path:
    """`spread` lines as a CSV file (readable with ``pandas.read_csv`` as it is)."""
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
