"""Figure of a stored ``map-statistics`` run: prior and measured maps, their similarity over
development, and L2/3 selectivity under like-to-like and random L4 → L2/3 wiring."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neurodev.experiments.machinery.store import ResultStore
from neurodev.experiments.measures.maps import pinwheels
from neurodev.figures.style import WIRING_COLOURS, label_counts, plt, save

COLOURS = {**WIRING_COLOURS, "prior_l4": "#7570b3"}
NAMES = {"random": "random", "prior": "prior (like-to-like L2/3)",
         "prior_l4": "prior L4, random L2/3"}


def make(run_dir: Path, out_dir: Path) -> list[Path]:
    """Draw the figure of one stored run; return the files written."""
    run = ResultStore(Path(run_dir).parent.parent).load(run_dir)
    labels = list(run.metrics["circuits"])
    side = round(np.sqrt(len(run.arrays[f"{labels[0]}.map_theta"])))
    minutes = np.asarray(run.metrics["development"]["real_time_s"]) / 60
    figure, axes = plt.subplots(2, 3, figsize=(7.2, 4.8), layout="constrained")
    maps = [("prior map", run.arrays["prior.map_theta"]),
            ("prior, measured (last)", run.arrays["prior.preferred"][-1]),
            ("random, measured (last)", run.arrays["random.preferred"][-1])]
    for ax, (title, theta) in zip(axes[0], maps, strict=True):
        _draw_map(ax, theta.reshape(side, side), title)
    similarity, l23_osi, inputs = axes[1]
    for label in labels:
        colour = COLOURS.get(label, "k")
        style = "s--" if label == "prior_l4" else "o-"  # its L4 is the prior's: curves overlap
        similarity.plot(minutes, run.metrics["maps"][label]["correlation_with_prior_map"], style,
                        color=colour, label=NAMES.get(label, label))
        l23 = run.metrics["circuits"][label]["l23"]
        l23_osi.plot(minutes, l23["median_osi"], style, color=colour)
        label_counts(l23_osi, minutes, l23["median_osi"], l23["n_responsive"], colour)
        l23_osi.plot(minutes, l23["osi_shuffle_floor"], ":", color=colour, lw=1)
        inputs.hist(run.arrays[f"{label}.l23_input_resultant"], bins=20, range=(0, 1),
                    histtype="step", color=colour)
    similarity.set(xlabel="development (min)", ylabel="measured L4 map vs prior map", ylim=(-0.2, 1))
    similarity.legend(frameon=False)
    l23_osi.set(xlabel="development (min)",
                ylabel="L2/3 median OSI (dotted: shuffle floor;\nnumbers: responsive cells)")
    inputs.set(xlabel="L2/3 cell: orientation agreement\nof its L4 inputs (resultant)",
               ylabel="L2/3 cells")
    density = run.metrics["maps"]["generator"]["mean"]
    figure.suptitle(f"prior map: {density:.2f} pinwheels per Λ² (generator, Λ = "
                    f"{run.metrics['maps']['column_spacing_um'] or float('nan'):.0f} µm)")
    return save(figure, out_dir, f"map-statistics_{Path(run_dir).name}")


def _draw_map(ax, theta, title):
    ax.imshow(theta, cmap="hsv", vmin=0, vmax=np.pi, origin="lower", interpolation="nearest")
    row, col, charge = pinwheels(theta)
    ax.scatter(col, row, c=np.where(charge > 0, "k", "w"), s=8, edgecolors="k", linewidths=0.5)
    ax.set(title=title, xticks=[], yticks=[])
