"""Headline figure: selectivity of random vs prior wiring across development."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neurodev.experiments.machinery.store import ResultStore
from neurodev.figures.style import label_counts, plt, save, wiring_colour, wiring_name

N_EXAMPLES = 3


def make(run_dir: Path, out_dir: Path) -> list[Path]:
    """Draw the figure of one stored ``scratch-vs-prior`` run; return the files written."""
    run = ResultStore(Path(run_dir).parent.parent).load(run_dir)
    wirings = list(run.metrics["circuits"])
    figure = plt.figure(figsize=(7.2, 6.6), layout="constrained")
    top, bottom = figure.subfigures(2, 1, height_ratios=[1, 1.15])
    curve, first, last = top.subplots(1, 3, width_ratios=[1.4, 1, 1])
    _learning_curves(curve, run, wirings)
    for ax, index, title in ((first, 0, "first checkpoint"), (last, -1, "last checkpoint")):
        _osi_distribution(ax, run, wirings, index, title)
    _example_fields(bottom, run, wirings)
    for ax, letter in ((curve, "A"), (first, "B"), (last, "C")):
        ax.text(-0.12, 1.04, letter, transform=ax.transAxes, fontsize=11, fontweight="bold")
    # Named after the experiment whose run it draws (the headline and rearing share it).
    return save(figure, out_dir, f"{Path(run_dir).parent.name}_{Path(run_dir).name}")


def _learning_curves(ax, run, wirings):
    minutes = np.asarray(run.metrics["development"]["real_time_s"]) / 60
    for wiring in wirings:
        m = run.metrics["circuits"][wiring]
        colour = wiring_colour(wiring)
        ax.plot(minutes, m["median_osi"], "o-", color=colour, label=wiring_name(wiring))
        ax.fill_between(minutes, m["osi_q25"], m["osi_q75"], color=colour, alpha=0.2, lw=0)
        ax.plot(minutes, m["osi_shuffle_floor"], ":", color=colour, lw=1)
        ax.plot(minutes, m["l23"]["median_osi"], "^--", color=colour, ms=3, lw=1)
        for layer in (m, m["l23"]):
            label_counts(ax, minutes, layer["median_osi"], layer["n_responsive"], colour)
    ax.plot([], [], "^--", color="0.4", ms=3, lw=1, label="L2/3 (circles: L4; numbers: n cells)")
    ax.plot([], [], ":", color="0.4", lw=1, label="shuffled-label floor (L4)")
    ax.fill_between([], [], [], color="0.4", alpha=0.2, lw=0, label="quartiles over cells")
    # Runs stored before vision existed have no "vision_s".
    vision_s = np.asarray(run.metrics["development"].get("vision_s", [0.0]))
    if vision_s[-1] > 0:  # eye opening: the last checkpoint without visual experience
        opening = minutes[np.flatnonzero(vision_s == 0)[-1]]
        ax.axvline(opening, color="0.5", lw=0.8, ls="--")
        ax.text(opening, 0.45, "eye opening", fontsize=6, color="0.4", rotation=90, ha="right",
                va="center", transform=ax.get_xaxis_transform())
    ax.set_xlabel("developmental time (min of retinal waves, then of vision)")
    ax.set_ylabel("median global OSI (responsive cells)")
    ax.set_title("selectivity during development", loc="left")
    ax.set_ylim(0, 1.6)  # the legend above the curves
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.legend(loc="upper left", frameon=False, fontsize=5.5)


def _osi_distribution(ax, run, wirings, index, title):
    bins = np.linspace(0, 1, 21)
    tallest = 0
    for wiring in wirings:
        osi = run.arrays[f"{wiring}.osi"][index]
        responsive = run.arrays[f"{wiring}.responsive"][index]
        counts, _, _ = ax.hist(osi[responsive], bins=bins, histtype="step", lw=1.5,
                               color=wiring_colour(wiring),
                               label=f"{responsive.sum()}/{len(osi)} respond")  # colours as in A
        tallest = max(tallest, counts.max(initial=0))
    ax.set_ylim(0, 1.5 * tallest or 1)  # the legend above the histograms
    development = run.metrics["development"]
    seen = development.get("vision_s", [0.0] * len(development["waves"]))[index]
    vision = f", {seen / 60:.0f} min of vision" if seen else ""
    ax.set_title(f"{title}: {development['waves'][index]:.0f} waves{vision}", loc="left")
    ax.set_xlabel("global OSI")
    ax.set_ylabel("responsive cells")
    ax.legend(frameon=False, loc="upper right", fontsize=6)


def _example_fields(subfigure, run, wirings):
    """ON − OFF weights around the centre of the same example cells in both wirings."""
    positions = run.arrays["input_positions_um"]
    side = round(np.sqrt(len(positions)))
    spacing = positions[1, 0] - positions[0, 0]
    any_rf = run.arrays[f"{wirings[0]}.rf"]
    n_cells = any_rf.shape[1]
    cells = np.linspace(0, n_cells - 1, N_EXAMPLES + 2).astype(int)[1:-1]
    axes = subfigure.subplots(len(wirings), 2 * N_EXAMPLES, squeeze=False)
    # Wide enough to hold a whole initial arbor.
    half = int(np.ceil(run.config["circuit"]["ff_arbor_radius_um"] / spacing))
    for row, wiring in enumerate(wirings):
        rf = run.arrays[f"{wiring}.rf"]
        centres = run.arrays[f"{wiring}.rf_centres_um"]
        for col, (checkpoint, when) in enumerate(((0, "first"), (-1, "last"))):
            for k, cell in enumerate(cells):
                ax = axes[row, col * N_EXAMPLES + k]
                grid = np.pad(rf[checkpoint, cell].reshape(side, side), half,
                              constant_values=np.nan)
                cx, cy = np.round(centres[cell] / spacing).astype(int) + half
                crop = grid[cy - half:cy + half + 1, cx - half:cx + half + 1]
                limit = np.nanmax(np.abs(crop)) or 1.0
                ax.imshow(crop, cmap="RdBu_r", vmin=-limit, vmax=limit, origin="lower")
                # The crop's first site, in the unpadded grid.
                _mapped_field(ax, run, wiring, checkpoint, cell, (cx - 2 * half, cy - 2 * half),
                              spacing)
                ax.set_xticks([])
                ax.set_yticks([])
                ax.set_frame_on(False)
                if row == 0:
                    ax.set_title(f"cell {cell}, {when}", fontsize=7)
                if col == 0 and k == 0:
                    ax.set_ylabel(wiring, color=wiring_colour(wiring), fontsize=7,
                                  rotation=0, ha="right", va="center")
    mapped = f"{wirings[0]}.response_rf_mapped" in run.arrays
    subfigure.suptitle(f"receptive fields: ON − OFF feed-forward weights (red ON, blue OFF; "
                       f"{2 * half + 1} × {2 * half + 1} sites of {spacing:g} µm)"
                       + ("; circle: centre and RMS radius of the field mapped from responses"
                          " to noise" if mapped else ""), fontsize=8)


def _mapped_field(ax, run, wiring, checkpoint, cell, corner, spacing):
    """The centre and RMS radius of the cell's field mapped from responses, on its crop of
    weights whose lower left site is `corner` (nothing if unmapped or not measured)."""
    if f"{wiring}.response_rf_mapped" not in run.arrays:
        return
    if not run.arrays[f"{wiring}.response_rf_mapped"][checkpoint, cell]:
        return
    centre = run.arrays[f"{wiring}.response_rf_centre_um"][checkpoint, cell] / spacing - corner
    radius = run.arrays[f"{wiring}.response_rf_radius_um"][checkpoint, cell] / spacing
    limits = ax.get_xlim(), ax.get_ylim()
    ax.add_patch(plt.Circle(tuple(centre), radius, fill=False, color="k", lw=0.6))
    ax.plot(*centre, "+", color="k", ms=3, mew=0.6)
    ax.set_xlim(limits[0])  # a field reaching past the crop is cut, not the crop shrunk
    ax.set_ylim(limits[1])
