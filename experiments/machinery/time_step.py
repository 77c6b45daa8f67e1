"""The integration time step and the float type as studied choices (``neurodev bench
--parts dt``).

The headline experiment runs at every time step of `TIME_STEPS_MS` with the same seeds (a
resumable sweep into the result store); for every circuit, checkpoint and metric of
`STUDIED_METRICS`, the mean over seeds of each variant is set against the mean and the
seed-to-seed standard deviation at the finest time step. A variant passes if no such
difference exceeds that standard deviation; the largest passing time step is the candidate
default. Then the same seeds run at that time step with float32 state variables, judged the
same way.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from neurodev.experiments.config import ExperimentConfig
from neurodev.experiments.machinery.runner import code_version
from neurodev.experiments.machinery.store import ResultStore
from neurodev.experiments.machinery.sweep import DEFAULT_METRICS, Axis, build_sweep, run_sweep
from neurodev.experiments.protocols.scratch_vs_prior import EXPERIMENT as HEADLINE

TIME_STEPS_MS = (0.1, 0.25, 0.5, 1.0)
#: Per circuit and checkpoint, what a variant must leave within the seed spread (``l23.``
#: metrics are L2/3's; the development rate has no value at checkpoint 0).
GATED_METRICS = ("median_osi", "weight_change", "mean_rate_gratings_hz",
                 "mean_rate_development_hz", "l23.mean_rate_gratings_hz")
#: Reported beside them but not gated: the random circuit's L2/3 median OSI is the median of
#: its 1–10 % responsive cells, and moves by more than a seed SD when nothing but the last
#: bits of the burst ends change (docs/performance.md).
STUDIED_METRICS = (*GATED_METRICS, "l23.median_osi")


def run_study(config: ExperimentConfig, preset: str, out: Path, n_seeds: int = 5,
              time_steps_ms=TIME_STEPS_MS, workers: int | None = None,
              build_root: Path | None = None, log: Callable[[str], None] = print) -> dict:
    """Run (or load from the store at `out`) the headline at every time step and seed, then
    with float32 at the largest time step that passes; return both comparisons (`compare`)
    with the seeds and each variant's wall seconds of the compiled run per simulated second."""
    seeds = list(range(config.seed, config.seed + n_seeds))
    steps = Axis(("engine.dt_ms",), tuple((dt,) for dt in time_steps_ms))
    by_dt = _variants(config, preset, "time-step", [steps], seeds, out, workers, build_root, log,
                      label=lambda run: _dt_label(run.settings["engine.dt_ms"]))
    reference = _dt_label(min(time_steps_ms))
    time_steps = compare(by_dt, reference)
    chosen = max(dt for dt in time_steps_ms if time_steps["passes"][_dt_label(dt)])
    float32 = dataclasses.replace(config, engine=dataclasses.replace(
        config.engine, dt_ms=chosen, float_type="float32"))
    label = f"float32, {_dt_label(chosen)}"
    single = _variants(float32, preset, "float32", [], seeds, out, workers, build_root, log,
                       label=lambda run: label)
    costs = {name: float(np.mean([r["run_s_per_simulated_s"] for r in runs]))
             for name, runs in (by_dt | single).items()}
    return {"preset": preset, "seeds": seeds, "reference": reference,
            "largest_passing_ms": chosen, "time_steps": time_steps,
            "float32": compare({reference: by_dt[reference], **single}, reference),
            "run_s_per_simulated_s": costs}


def _dt_label(dt_ms: float) -> str:
    return f"dt {dt_ms:g} ms"


def _variants(config, preset, name, axes, seeds, out, workers, build_root, log, label) -> dict:
    """Run a sweep of `axes` × `seeds` into the store at `out`; return each run's metrics (with
    its ``run_s_per_simulated_s``), grouped by ``label(run)``."""
    plan = build_sweep(f"{name}-{preset}", HEADLINE.name, preset, config, axes, seeds,
                       DEFAULT_METRICS, code_version())
    done = run_sweep(plan, out, workers=workers, build_root=build_root, log=log)
    if done.failures or done.remaining:
        reason = next(iter(done.failures.values()), done.stopped or "runs missing")
        raise RuntimeError(f"the {name} study did not finish: {reason}")
    store, grouped = ResultStore(out), {}
    for run in plan.runs:
        stored = store.load(store.run_dir(HEADLINE.name, run.key), arrays=False)
        cost = stored.provenance["engine"]["wall_time_s"]["run"] / stored.metrics["simulated_time_s"]
        grouped.setdefault(label(run), []).append(stored.metrics | {"run_s_per_simulated_s": cost})
    return grouped


def compare(variants: dict[str, list[dict]], reference: str) -> dict:
    """Each variant's metrics against the seed spread of the `reference` variant.

    Parameters
    ----------
    variants : dict of str to list of dict
        The stored metrics of every seed's run, by variant.
    reference : str
        The variant whose seed-to-seed spread is the yardstick.

    Returns
    -------
    dict
        ``rows``: per variant, circuit, metric and checkpoint the mean and SD over seeds,
        the difference from the reference's mean and that difference over the reference's
        SD; ``passes`` per variant: whether no difference of a `GATED_METRICS` metric
        exceeds one SD.
    """
    values = {name: {circuit: {metric: _per_checkpoint(runs, circuit, metric)
                               for metric in STUDIED_METRICS}
                     for circuit in runs[0]["circuits"]}
              for name, runs in variants.items()}
    rows, passes = [], {}
    for name, by_circuit in values.items():
        worst = 0.0
        for circuit, by_metric in by_circuit.items():
            for metric, table in by_metric.items():
                yardstick = values[reference][circuit][metric]
                # A checkpoint without values (no development yet, no responsive cell) or
                # with one seed's is NaN, not a warning.
                with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
                    warnings.simplefilter("ignore", RuntimeWarning)
                    mean, sd = np.nanmean(table, axis=0), np.nanstd(table, axis=0, ddof=1)
                    spread = np.nanstd(yardstick, axis=0, ddof=1)
                    difference = mean - np.nanmean(yardstick, axis=0)
                    ratio = np.abs(difference) / spread
                if metric in GATED_METRICS:
                    worst = max(worst, float(np.nanmax(ratio, initial=0.0)))
                rows.append({"variant": name, "circuit": circuit, "metric": metric,
                             "mean": _listed(mean), "sd": _listed(sd),
                             "difference": _listed(difference), "in_sd": _listed(ratio)})
        passes[name] = worst <= 1.0
    return {"rows": rows, "passes": passes}


def _per_checkpoint(runs: list[dict], circuit: str, metric: str) -> np.ndarray:
    """(seeds × checkpoints) values of `metric` (``l23.`` prefix: of L2/3)."""
    def value(run):
        entry = run["circuits"][circuit]
        for part in metric.split("."):
            entry = entry[part]
        return entry
    return np.array([value(run) for run in runs], dtype=float)


def _listed(values: np.ndarray) -> list[float | None]:
    return [None if np.isnan(v) or np.isinf(v) else round(float(v), 4) for v in values]


def table(report: dict) -> str:
    """Both comparisons as Markdown: the final checkpoint's mean ± SD per variant and
    circuit, with the largest difference from the reference in its SDs, then the verdicts."""
    lines = [(f"Time-step and float-type study ({report['preset']}, seeds {report['seeds']}): "
             "mean ± SD over seeds at the final checkpoint; in brackets the largest difference "
             f"from {report['reference']} over all checkpoints, in its seed-to-seed SDs (the "
             "last column is reported, not gated)"), "",
             "| variant | circuit | " + " | ".join(STUDIED_METRICS) + " |",
             "|---|---|" + "---|" * len(STUDIED_METRICS)]
    comparisons = (report["time_steps"], report["float32"])
    for comparison in comparisons:
        by_row = {}
        for row in comparison["rows"]:
            by_row.setdefault((row["variant"], row["circuit"]), {})[row["metric"]] = row
        for (variant, circuit), metrics in by_row.items():
            if comparison is report["float32"] and variant == report["reference"]:
                continue  # listed with the time steps
            cells = []
            for name in STUDIED_METRICS:
                row = metrics[name]
                worst = max((v for v in row["in_sd"] if v is not None), default=float("nan"))
                cells.append(f"{_number(row['mean'][-1])} ± {_number(row['sd'][-1])} "
                             f"[{worst:.1f}]")
            lines.append(f"| {variant} | {circuit} | " + " | ".join(cells) + " |")
    lines.append("")
    for comparison in comparisons:
        for variant, ok in comparison["passes"].items():
            if comparison is report["float32"] and variant == report["reference"]:
                continue
            cost = report["run_s_per_simulated_s"][variant]
            lines.append(f"{variant}: {'within' if ok else 'NOT within'} the seed spread of "
                         f"{report['reference']}; {1 / cost:.1f} simulated s per wall s")
    lines.append(f"largest time step within the spread: {report['largest_passing_ms']:g} ms")
    return "\n".join(lines)


def _number(value) -> str:
    return "–" if value is None else f"{value:.3g}"
