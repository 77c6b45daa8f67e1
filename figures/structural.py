"""Figure of a stored ``structural`` run: selectivity, receptive-field size and synapse turnover
with structural plasticity off (solid) and on (dashed), for both wirings, in the line styles
of every figure (`wiring_linestyle`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neurodev.experiments.machinery.store import ResultStore
from neurodev.figures.style import (
    label_counts,
    plt,
    save,
    wiring_colour,
    wiring_linestyle,
    wiring_of,
)


def make(run_dir: Path, out_dir: Path) -> list[Path]:
    """Draw the figure of one stored run; return the files written."""
    run = ResultStore(Path(run_dir).parent.parent).load(run_dir)
    circuits = run.metrics["circuits"]
    minutes = np.asarray(run.metrics["development"]["real_time_s"]) / 60
    interval_minutes = (minutes[:-1] + minutes[1:]) / 2
    figure, axes = plt.subplots(2, 3, figsize=(7.2, 4.8), layout="constrained")
    osi, radius, live, changes, persistent, weight_osi = axes.ravel()
    for label, m in circuits.items():
        wiring, rewired = wiring_of(label)
        style = {"color": wiring_colour(label), "ls": wiring_linestyle(label),
                 "marker": "o" if rewired else None, "ms": 3}
        name = f"{wiring}, turnover {'on' if rewired else 'off'}"
        osi.plot(minutes, m["median_osi"], label=name, **style)
        label_counts(osi, minutes, m["median_osi"], m["n_responsive"], style["color"])
        radius.plot(minutes, m["median_rf_radius_um"], **style)
        weight_osi.plot(minutes, m["median_weight_osi"], **style)
        t = m["turnover"]["input_exc"]
        live.plot(minutes, np.asarray(t["live"]) / t["live"][0], **style)
        if rewired:
            changes.plot(interval_minutes, t["eliminated_fraction"], **style)
            changes.plot(interval_minutes, t["formed_fraction"], **(style | {"ls": ":"}))
            persistent.plot(interval_minutes, t["persistent_fraction"], **style)
    changes.plot([], [], "k--", label="eliminated")
    changes.plot([], [], "k:", label="formed")
    osi.legend(frameon=False, fontsize=6)
    changes.legend(frameon=False)
    osi.set(ylabel="L4 median OSI (numbers: responsive cells)", ylim=(0, 1))
    radius.set(ylabel="median RF radius (µm)")
    live.set(ylabel="live feed-forward synapses\n(fraction of initial)")
    changes.set(ylabel="per epoch, fraction of live")
    persistent.set(ylabel="fraction persistent to next checkpoint")
    weight_osi.set(ylabel="median weight OSI", ylim=(0, 1))
    for ax in axes[1]:
        ax.set_xlabel("development (min)")
    figure.suptitle("structural plasticity: solid off, dashed on")
    return save(figure, out_dir, f"structural_{Path(run_dir).name}")
