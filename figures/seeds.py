"""Multi-seed figure: every circuit's development, mean ± SD over seeds, one row per
condition (e.g. each kind of rearing), from stored runs only."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from neurodev.experiments.machinery.store import ResultStore
from neurodev.figures.style import (
    WIRING_COLOURS,
    WIRING_NAMES,
    condition_name,
    in_wiring_order,
    plt,
    save,
)

#: (metric path in a circuit's metrics, axis label) of each column of panels.
PANELS = (("median_osi", "L4 median global OSI"),
          ("fraction_selective", "L4 fraction selective (p < 0.05)"),
          ("median_weight_osi", "L4 weight-based OSI (best wavelength)"),
          ("median_half_width_deg", "L4 median half-width (°)"),
          ("l23.median_osi", "L2/3 median global OSI"),
          ("l23.connection_weight_ratio", "L2/3 E → E weight, similar / orthogonal pairs"))


def make(run_dirs: list[Path], out_dir: Path, name: str, condition_keys=()) -> list[Path]:
    """Draw the runs of one study (the same config but for the seed and the
    `condition_keys`, dotted config keys such as ``"experience.kind"``); return the files."""
    conditions = group_by_condition(run_dirs, condition_keys)
    figure, axes = plt.subplots(len(conditions), len(PANELS), squeeze=False, sharex=True,
                                figsize=(2.1 * len(PANELS), 1.9 * len(conditions) + 0.6),
                                layout="constrained")
    for row, (condition, runs) in zip(axes, conditions.items(), strict=True):
        for ax, (metric, label) in zip(row, PANELS, strict=True):
            _panel(ax, runs, metric)
            ax.set_ylabel(label, fontsize=6)
        row[0].set_title(f"{condition_name(condition) or 'all runs'}: n = {len(runs)} seeds",
                         loc="left")
    for ax in axes[-1]:
        ax.set_xlabel("developmental time (min; first seed)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=3, frameon=False, fontsize=6)
    return save(figure, out_dir, name)


def group_by_condition(run_dirs, condition_keys) -> dict[str, list]:
    """Stored runs by the values of `condition_keys` in their configs (in the order first
    seen), each group sorted by seed."""
    store = ResultStore(Path(run_dirs[0]).parent.parent)
    groups = defaultdict(list)
    for run_dir in run_dirs:
        run = store.load(run_dir, arrays=False)
        condition = ", ".join(str(lookup(run.config, key)) for key in condition_keys)
        groups[condition].append(run)
    return {c: sorted(runs, key=lambda run: run.config["seed"]) for c, runs in groups.items()}


def _panel(ax, runs, metric):
    development = runs[0].metrics["development"]
    minutes = np.asarray(development["real_time_s"]) / 60
    for label in in_wiring_order(runs[0].metrics["circuits"]):
        values = np.array([[np.nan if v is None else v for v in
                            lookup(run.metrics["circuits"][label], metric)] for run in runs])
        colour = WIRING_COLOURS.get(label, "k")
        # A checkpoint where any seed has no value (too few responsive cells) is a gap: a
        # mean over the other seeds would be a mean over fewer than n.
        mean = values.mean(axis=0)
        spread = values.std(axis=0, ddof=1) if len(runs) > 1 else 0 * mean
        ax.plot(minutes, mean, "o-", ms=2, lw=1, color=colour, label=WIRING_NAMES.get(label, label))
        ax.fill_between(minutes, mean - spread, mean + spread, color=colour, alpha=0.2, lw=0)
    vision_s = np.asarray(development.get("vision_s", [0.0]))
    if vision_s[-1] > 0:  # eye opening: the last checkpoint without visual experience
        ax.axvline(minutes[np.flatnonzero(vision_s == 0)[-1]], color="0.5", lw=0.6, ls="--")
    ax.tick_params(labelsize=6)


def lookup(tree: dict, dotted: str):
    """``tree["a"]["b"]`` for ``dotted = "a.b"``."""
    for part in dotted.split("."):
        tree = tree[part]
    return tree
