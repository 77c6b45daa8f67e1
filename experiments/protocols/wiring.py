"""How an experiment's circuits are wired and labelled. Pure, so that figures can read the
labels of stored runs without the engine."""

from __future__ import annotations

from typing import NamedTuple

#: The label suffix of a circuit whose feed-forward synapses turn over.
REWIRED = "_rewired"


class Wiring(NamedTuple):
    """How one circuit is wired: L4 feed-forward prior strength, L4 → L2/3 like-to-like
    specificity, whether structural plasticity rewires its feed-forward synapses, and the
    controls: whether each L4 cell's feed-forward weights are shuffled among its synapses
    (the shuffled prior), whether its feed-forward synapses come from anywhere on the retina
    (`nonlocal_arbor`) and whether they learn at all (`frozen`: no synaptic plasticity; the
    cells' homeostatic thresholds adapt as in every circuit, so that the control separates
    what weight learning does from what the thresholds' adaptation to the input does)."""

    ff_prior: float
    l23_prior: float
    rewired: bool
    shuffled: bool = False
    nonlocal_arbor: bool = False
    frozen: bool = False
