"""Subtractive normalisation per input channel: every ``normalisation_interval_ms`` each cell's
weights from each channel (ON, OFF) are shifted back toward their initial total, separately (a
joint constraint lets one channel win everywhere). The running totals and live-synapse counts
follow every weight and liveness change, whichever rule makes it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neurodev.development.rules.base import Periodic, Rule, Statements, register


@register
class ChannelNormalisation(Rule):
    name = "channel_normalisation"
    section = "plasticity"

    def target_model(self, channels: Sequence[str]) -> str:
        return "".join(f"total_{c} : 1\ntarget_{c} : 1 (constant)\nn_{c} : 1\nshift_{c} : 1\n"
                       for c in channels)

    def on_weight_change(self, channels: Sequence[str]) -> str:
        return "".join(f"total_{c}_post += in_{c} * (w_new - w)\n" for c in channels)

    def on_alive_change(self, delta: str, channels: Sequence[str]) -> str:
        return "".join(f"n_{c}_post += in_{c} * {delta}\n" for c in channels)

    def periodic(self, statements: Statements) -> list[Periodic]:
        # Two steps, so that no synapse reads a total another one is changing; the shift is
        # shared among the cell's live synapses of each channel.
        channels = statements.channels
        cells = "".join(f"shift_{c} = developing * learns * (target_{c} - total_{c}) / clip(n_{c}, 1, inf)\n"
                        for c in channels)
        shifts = " + ".join(f"in_{c} * shift_{c}_post" for c in channels)
        synapses = f"w_new = clip(w + alive * ({shifts}), 0, w_max)\n" + statements.set_weight()
        interval = self.params.normalisation_interval_ms
        return [Periodic("cells", cells, interval, 0, "normalise_cells", "normalisation_clock"),
                Periodic("synapses", synapses, interval, 1, "normalise_synapses",
                         "normalisation_clock")]

    def initialise(self, synapses, cells, projection, synapse_channel, channels):
        # The targets are the cells' initial totals.
        for k, c in enumerate(channels):
            mine = (synapse_channel == k).astype(float)
            totals = np.bincount(projection.post, weights=projection.weight * mine,
                                 minlength=len(cells))
            setattr(cells, f"total_{c}", totals)
            setattr(cells, f"target_{c}", totals)
            setattr(cells, f"n_{c}", np.bincount(projection.post, weights=mine * projection.alive,
                                                 minlength=len(cells)))
