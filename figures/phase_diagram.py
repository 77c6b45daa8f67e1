"""Phase diagram of the prior-strength study: selectivity at eye opening and time to criterion
as heat maps over prior strength and wave correlation, mean ± SD over seeds in every cell;
and the same numbers as a tidy table, from stored runs only."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from neurodev.figures.seeds import (
    at_checkpoint,
    criterion_times,
    group_by_values,
    spread,
    write_summary,
)
from neurodev.figures.style import plt, save

L4, L23, CORRELATION = "wiring.prior_strength", "wiring.l23_prior_strength", "waves.correlation"
#: (metric, title) of the L4 panels, over L4 strength × correlation.
L4_PANELS = (("fraction_selective", "L4 fraction selective at eye opening"),
             ("median_osi", "L4 median OSI at eye opening"))
L23_METRIC = "l23.median_osi"
LABEL = "prior"


def make(run_dirs: list[Path], out_dir: Path, name: str, condition_keys=()) -> list[Path]:
    """Draw the study's runs (one ``prior`` circuit each; the same config but for the seed,
    L4 and L2/3 prior strength and wave correlation); write the numbers drawn as
    ``name_summary.csv``; return the files."""
    runs = defaultdict(list, {tuple(map(float, point)): group for point, group in
                              group_by_values(run_dirs, (L4, L23, CORRELATION)).items()})
    l4s, l23s, correlations = (sorted({point[k] for point in runs}) for k in range(3))
    figure, axes = plt.subplots(2, max(3, len(l4s)), figsize=(3.3 * max(3, len(l4s)), 6.4),
                                layout="constrained", squeeze=False)
    rows = []
    # L4 does not depend on the L2/3 strength (L2/3 does not project back): its first value.
    l4_runs = {(l4, c): runs[l4, l23s[0], c] for l4 in l4s for c in correlations}
    for ax, (metric, title) in zip(axes[0], L4_PANELS, strict=False):
        values = {point: [at_checkpoint(run, LABEL, metric, "eye_opening") for run in group]
                  for point, group in l4_runs.items()}
        rows += _heat_map(ax, values, l4s, correlations, title, "L4 prior strength",
                          lambda l4, c, m=metric: _fields(l4, l23s[0], c, m))
    rows += _criterion_map(axes[0][len(L4_PANELS)], l4_runs, l4s, correlations, l23s[0])
    for ax, l4 in zip(axes[1], l4s, strict=False):
        values = {(l23, c): [at_checkpoint(run, LABEL, L23_METRIC, "eye_opening")
                             for run in runs[l4, l23, c]] for l23 in l23s for c in correlations}
        rows += _heat_map(ax, values, l23s, correlations,
                          f"L2/3 median OSI at eye opening\n(L4 prior {l4:g})",
                          "L2/3 prior strength (like-to-like L4 → L2/3)",
                          lambda l23, c, l4=l4: _fields(l4, l23, c, L23_METRIC))
    for ax in axes.ravel()[len(L4_PANELS) + 1:]:
        if not ax.images:
            ax.set_axis_off()
    n_seeds = sorted({len(group) for group in runs.values()})
    figure.suptitle(f"n = {'/'.join(map(str, n_seeds))} seed(s) per cell: mean ± SD; wave "
                    "correlation 1 = wt, 0 = uncorrelated at the same mean rates", fontsize=8)
    return [*save(figure, out_dir, name), write_summary(rows, Path(out_dir) / f"{name}_summary.csv")]


def _fields(l4, l23, correlation, metric) -> dict:
    return {"l4_prior_strength": l4, "l23_prior_strength": l23, "correlation": correlation,
            "metric": metric}


def _heat_map(ax, values, xs, correlations, title, xlabel, fields) -> list[dict]:
    """`values[(x, correlation)]` (one per seed) as a heat map, each cell's mean ± SD written
    in it; the summary lines drawn, each starting with ``fields(x, correlation)``."""
    lines = {point: spread(fields(*point), v) for point, v in values.items()}
    grid = np.array([[lines[x, c]["mean"] for x in xs] for c in correlations])
    image = ax.imshow(grid, origin="lower", cmap="viridis", aspect="auto")
    for (x, c), line in lines.items():
        text = "n/a" if not line["n"] else f"{line['mean']:.2f}" + (
            f"\n± {line['sd']:.2f}" if line["n"] > 1 else "")
        ax.text(xs.index(x), correlations.index(c), text, ha="center", va="center",
                fontsize=6, color=_ink(image, line["mean"]))
    _axes(ax, xs, correlations, title, xlabel)
    plt.colorbar(image, ax=ax, shrink=0.8)
    return list(lines.values())


def _ink(image, value) -> str:
    """Text colour legible on `image`'s colour for `value` (by that colour's luminance)."""
    if value != value:  # NaN: the axes' grey background
        return "k"
    red, green, blue, _ = image.cmap(image.norm(value))
    return "k" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "w"


def _criterion_map(ax, l4_runs, l4s, correlations, l23) -> list[dict]:
    """Time to criterion (min of developmental time) over the seeds that reached it, and
    how many did; a cell no seed reached is blank, with the time it was last measured."""
    lines, texts = {}, {}
    for (l4, c), group in l4_runs.items():
        reached, censored = criterion_times(group, LABEL)
        lines[l4, c] = spread(_fields(l4, l23, c, "time_to_criterion_min"), reached,
                              n_runs=len(group))
        text = f"{lines[l4, c]['mean']:.0f} min" if reached else f"> {min(censored):.0f} min"
        texts[l4, c] = f"{text}\n{len(reached)}/{len(group)} reached"
    grid = np.array([[lines[x, c]["mean"] for x in l4s] for c in correlations])
    image = ax.imshow(np.ma.masked_invalid(grid), origin="lower", cmap="magma_r", aspect="auto",
                      vmin=0)
    ax.set_facecolor("0.6")
    for (l4, c), text in texts.items():
        ax.text(l4s.index(l4), correlations.index(c), text, ha="center", va="center",
                fontsize=6, color=_ink(image, lines[l4, c]["mean"]))
    analysis = next(iter(l4_runs.values()))[0].config["analysis"]
    _axes(ax, l4s, correlations, f"time to {analysis['criterion_metric']} ≥ "
          f"{analysis['criterion_level']} (min)", "L4 prior strength")
    plt.colorbar(image, ax=ax, shrink=0.8)
    return list(lines.values())


def _axes(ax, xs, correlations, title, xlabel):
    ax.set_xticks(range(len(xs)), [f"{x:g}" for x in xs])
    ax.set_yticks(range(len(correlations)), [f"{c:g}" for c in correlations])
    ax.set_xlabel(xlabel, fontsize=7)
    ax.set_ylabel("wave correlation", fontsize=7)
    ax.set_title(title, fontsize=8)
    ax.tick_params(labelsize=6)
