"""Shared look of every figure: colours per hypothesis, sizes, and saving as PNG + PDF."""

from __future__ import annotations

from pathlib import Path

import matplotlib

from neurodev.experiments.protocols.wiring import REWIRED

matplotlib.use("Agg")
import matplotlib.pyplot as plt

WIRING_COLOURS = {"random": "#d95f02", "prior": "#1b9e77", "shuffled_prior": "#7570b3",
                  "nonlocal_random": "#e7298a", "frozen_random": "#666666"}
WIRING_NAMES = {"random": "random wiring (learning from scratch)", "prior": "prior wiring (innate map)",
                "shuffled_prior": "shuffled prior (control: its weights, no structure)",
                "nonlocal_random": "nonlocal random (control: no retinotopy)",
                "frozen_random": "frozen random (control: no synaptic plasticity)"}

#: Conditions as the literature names them (β2-nAChR knockout: Bansal et al. 2000, recalled).
CONDITION_NAMES = {"b2ko": "β2-KO", "lid_suture": "lid suture", "dark": "dark reared"}


def wiring_of(label: str) -> tuple[str, bool]:
    """A circuit label's wiring and whether structural plasticity is on (``…_rewired``)."""
    return label.removesuffix(REWIRED), label.endswith(REWIRED)


def in_wiring_order(labels) -> list[str]:
    """Circuit labels in the order every figure shows them: the hypotheses, then controls,
    each wiring with structural plasticity on (``…_rewired``) right after it."""
    order = list(WIRING_COLOURS)

    def rank(label):
        wiring, rewired = wiring_of(label)
        return (order.index(wiring) if wiring in order else len(order), rewired)

    return sorted(labels, key=rank)


def wiring_colour(label: str) -> str:
    """A circuit's colour: its wiring's, with or without structural plasticity."""
    return WIRING_COLOURS.get(wiring_of(label)[0], "k")


def wiring_name(label: str) -> str:
    """A circuit's name in legends; with structural plasticity on, its wiring's and so."""
    wiring, rewired = wiring_of(label)
    name = WIRING_NAMES.get(wiring, wiring)
    return f"{name}, turnover on" if rewired else name


def wiring_linestyle(label: str) -> str:
    """Solid for a wiring as it is everywhere, dashed with structural plasticity on."""
    return "--" if wiring_of(label)[1] else "-"


def condition_name(condition: str) -> str:
    """A condition's name in figures (``"b2ko"`` → ``"β2-KO"``; others as they are)."""
    return ", ".join(CONDITION_NAMES.get(part, part) for part in condition.split(", "))


plt.rcParams.update({
    "font.size": 8, "axes.titlesize": 9, "axes.labelsize": 8, "legend.fontsize": 7,
    "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 100,
})


def label_counts(ax, x, medians, counts, colour):
    """Write beside each median the number of cells it is taken over; where too few cells
    gave no median, write the count at the bottom of the axes, so a gap is never silent."""
    for xk, median, n in zip(x, medians, counts, strict=True):
        missing = median is None or median != median  # NaN
        ax.annotate(f"{n}", (xk, 0.02 if missing else median), textcoords="offset points",
                    xytext=(2, 3), fontsize=5, color=colour,
                    xycoords=("data", "axes fraction") if missing else "data")


def save(figure, out_dir: Path, name: str) -> list[Path]:
    """Write `figure` as ``name.png`` (300 dpi) and ``name.pdf`` in `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.png", out_dir / f"{name}.pdf"]
    for path in paths:
        figure.savefig(path, dpi=300, bbox_inches="tight")
    plt.close(figure)
    return paths
