"""Figure of a study across conditions (the wave-perturbation experiment's stage IIs): each
measure at eye opening and after vision, per condition and circuit, every seed shown beside
the mean ± SD over seeds; and the same numbers as a tidy table, from stored runs only."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neurodev.figures.seeds import (
    at_checkpoint,
    criterion_times,
    group_by_condition,
    spread,
    write_summary,
)
from neurodev.figures.style import (
    condition_name,
    in_wiring_order,
    plt,
    save,
    wiring_colour,
    wiring_name,
)

#: (metric path in a circuit's per-checkpoint metrics, axis label) of each panel.
PANELS = (("median_osi", "L4 median global OSI"),
          ("median_classic_osi", "L4 median classic OSI"),
          ("median_weight_osi", "L4 weight-based OSI"),
          ("fraction_selective", "L4 fraction selective (p < 0.05)"),
          ("median_rf_radius_um", "L4 median RF radius, weights (µm)"),
          ("retinotopic_scatter_um", "L4 RF-centre scatter, weights (µm)"),
          ("median_response_rf_radius_um", "L4 median RF radius, responses (µm)"),
          ("response_retinotopic_scatter_um", "L4 RF-centre scatter, responses (µm)"),
          ("response_rf_centre_error_um", "L4 RF-centre error, responses (µm;\nsplit halves)"),
          ("direction_decoding", "L4 direction decoding accuracy"),
          ("median_dsi", "L4 median DSI"))
#: The two checkpoints reported, and their markers' face (hollow, filled).
STAGES = (("eye_opening", "none"), ("after_vision", None))
CHANCE = "direction_decoding_chance"


def make(run_dirs: list[Path], out_dir: Path, name: str, condition_keys=()) -> list[Path]:
    """Draw the runs of one study (the same config but for the seed and the
    `condition_keys`), one panel per measure and one for the time to criterion; write the
    numbers drawn as ``name_summary.csv``; return the files."""
    conditions = group_by_condition(run_dirs, condition_keys)
    n_panels = len(PANELS) + 1
    figure, axes = plt.subplots(4, 3, figsize=(10, 10.5), layout="constrained")
    axes = axes.ravel()[:n_panels]
    rows = []
    for ax, (metric, label) in zip(axes, PANELS, strict=False):
        rows += _checkpoint_panel(ax, conditions, metric)
        ax.set_ylabel(label, fontsize=7)
    rows += _criterion_panel(axes[len(PANELS)], conditions)
    for ax in axes:
        ax.set_xticks(range(len(conditions)), [condition_name(c) for c in conditions],
                      fontsize=7)
        ax.tick_params(labelsize=6)
    n_seeds = sorted({len(runs) for runs in conditions.values()})
    figure.suptitle(f"n = {'/'.join(map(str, n_seeds))} seeds per condition; dots: seeds, "
                    "bars: mean ± SD; hollow: at eye opening, filled: after vision", fontsize=8)
    _legend(figure, conditions)
    return [*save(figure, out_dir, name), write_summary(rows, Path(out_dir) / f"{name}_summary.csv")]


def _checkpoint_panel(ax, conditions, metric) -> list[dict]:
    rows = []
    for x, (condition, runs) in enumerate(conditions.items()):
        labels = in_wiring_order(runs[0].metrics["circuits"])
        for offset, label in zip(_offsets(len(labels)), labels, strict=True):
            for shift, (stage, face) in zip((-0.04, 0.04), STAGES, strict=True):
                values = [at_checkpoint(run, label, metric, stage) for run in runs]
                rows.append(_line(condition, label, stage, metric, values))
                _seeds(ax, x + offset + shift, values, wiring_colour(label), face)
        if metric == "direction_decoding":
            chance = {(label, stage): [at_checkpoint(run, label, CHANCE, stage) for run in runs]
                      for label in labels for stage, _ in STAGES}
            ax.hlines(np.mean(list(chance.values())), x - 0.4, x + 0.4, colors="0.4", lw=0.8,
                      ls=":")
            rows += [_line(condition, label, stage, CHANCE, values)
                     for (label, stage), values in chance.items()]
    return rows


def _criterion_panel(ax, conditions) -> list[dict]:
    """Time to criterion per seed (min of developmental time); a seed that never reached it
    is a triangle at the time it was last measured, 'not reached by then'."""
    rows = []
    for x, (condition, runs) in enumerate(conditions.items()):
        labels = in_wiring_order(runs[0].metrics["circuits"])
        for offset, label in zip(_offsets(len(labels)), labels, strict=True):
            reached, censored = criterion_times(runs, label)
            colour = wiring_colour(label)
            if reached:
                _seeds(ax, x + offset, reached, colour, None)
            ax.plot([x + offset] * len(censored), censored, "^", ms=3, color=colour, mfc="none")
            rows.append(_line(condition, label, "development", "time_to_criterion_min",
                              reached, n_runs=len(runs)))
    analysis = next(iter(conditions.values()))[0].config["analysis"]
    ax.set_ylabel(f"time to {analysis['criterion_metric']} ≥ {analysis['criterion_level']} "
                  "(min)\n△: not reached by then", fontsize=7)
    return rows


def _seeds(ax, x, values, colour, face):
    """Every seed's value as a dot, and their mean ± SD beside them."""
    values = np.asarray(values, dtype=float)
    ax.plot(np.full(len(values), x), values, "o", ms=2.5, color=colour, mfc=face, alpha=0.6,
            mew=0.7)
    summary = spread({}, values)
    if summary["n"]:
        ax.errorbar(x + 0.025, summary["mean"], np.nan_to_num(summary["sd"]), fmt="_", ms=5,
                    color=colour, lw=1, capsize=1.5)


def _line(condition, circuit, checkpoint, metric, values, n_runs=None) -> dict:
    return spread({"condition": condition, "circuit": circuit, "checkpoint": checkpoint,
                   "metric": metric}, values, n_runs)


def _offsets(n_circuits: int) -> np.ndarray:
    return (np.arange(n_circuits) - (n_circuits - 1) / 2) * 0.25


def _legend(figure, conditions):
    labels = in_wiring_order(next(iter(conditions.values()))[0].metrics["circuits"])
    handles = [plt.Line2D([], [], marker="o", ls="", color=wiring_colour(label))
               for label in labels]
    handles.append(plt.Line2D([], [], color="0.4", ls=":"))
    figure.legend(handles, [*(wiring_name(label) for label in labels),
                            "direction decoding at chance (shuffled labels)"],
                  loc="outside lower center", ncol=2, frameon=False, fontsize=7)
