"""The contract of a plasticity rule, and the registry of rules by name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from neurodev.development.models import namespace as unit_namespace

#: Every registered rule class, by name (what ``[rules]`` of a config lists).
RULES: dict[str, type[Rule]] = {}


def register(rule: type[Rule]) -> type[Rule]:
    """Class decorator: make `rule` available to configs under ``rule.name``."""
    if rule.name in RULES and RULES[rule.name] is not rule:
        raise ValueError(f"a plasticity rule named {rule.name!r} is registered already")
    RULES[rule.name] = rule
    return rule


@dataclass(frozen=True)
class Periodic:
    """Statements a rule runs on a clock of its own.

    ``target`` is ``"synapses"`` (the projection's) or ``"cells"`` (its postsynaptic group);
    ``order`` places them among every rule's periodic statements within a time step;
    statements with the same ``clock`` name share one clock.
    """

    target: str
    statements: str
    interval_ms: float
    order: int
    name: str
    clock: str


class Statements:
    """What must follow a change of a synapse's weight or liveness, gathered from every rule
    of its projection (so that, e.g., normalisation's running totals stay true whichever rule
    changed the weight)."""

    def __init__(self, rules: Sequence[Rule], channels: Sequence[str]):
        self.rules, self.channels = list(rules), tuple(channels)

    def set_weight(self) -> str:
        """After a rule assigned ``w_new``: every rule's bookkeeping, then ``w = w_new``."""
        return "".join(rule.on_weight_change(self.channels) for rule in self.rules) + "w = w_new\n"

    def alive_changed(self, delta: str) -> str:
        """After ``alive`` changed by `delta` (an expression, e.g. ``(forming - eliminating)``)."""
        return "".join(rule.on_alive_change(delta, self.channels) for rule in self.rules)


class Rule:
    """A plasticity rule: Brian2 code fragments for the projection it acts on.

    A subclass sets `name` (its key in `RULES`), `section` (the config section whose
    parameters it reads; its namespace is that section's, named by `models.namespace`) and
    overrides what it needs. The fragments may read, besides their own variables and their
    section's parameters:

    - ``w`` (the weight) and, in a weight change, assign ``w_new`` and then end with
      ``statements.set_weight()``;
    - ``developing`` on cells (``developing_post`` in synapses): 1 while plasticity is on
      (the schedule's per-period table, whatever the inputs show);
    - ``learns`` on cells (``learns_post`` in synapses): 0 on the cells of a frozen-plasticity
      control, whose synaptic rules must then leave their weights alone, 1 elsewhere;
    - ``alive`` in synapses: 1 for a live synapse (a constant 1 unless a rule `provides`
      it), and ``excitatory`` on cells;
    - ``in_<channel>`` in synapses: 1 if the presynaptic input belongs to that input channel
      (``in_on``, ``in_off``); `channels` (the projection's channel names) is given to every
      hook that may need them.
    """

    name: ClassVar[str]
    section: ClassVar[str | None] = None
    #: Synapse variables the rule defines that the engine would otherwise supply.
    provides: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, params=None):
        self.params = params

    def namespace(self) -> dict:
        return {} if self.params is None else unit_namespace(self.params)

    def source_model(self, channels: Sequence[str]) -> str:
        """Model lines of the presynaptic group (e.g. a presynaptic trace)."""
        return ""

    def source_reset(self) -> str:
        """Statements run when a presynaptic cell spikes."""
        return ""

    def target_model(self, channels: Sequence[str]) -> str:
        """Model lines of the postsynaptic cells."""
        return ""

    def target_reset(self) -> str:
        """Statements run when a postsynaptic cell spikes (after its reset)."""
        return ""

    def threshold_term(self) -> str:
        """Added to the postsynaptic threshold (e.g. ``" + theta"``)."""
        return ""

    def synapse_model(self, channels: Sequence[str]) -> str:
        """Model lines of the synapses."""
        return ""

    def on_pre(self, statements: Statements) -> str:
        """Statements run by a synapse when its presynaptic cell spikes."""
        return ""

    def on_post(self, statements: Statements) -> str:
        """Statements run by a synapse when its postsynaptic cell spikes."""
        return ""

    def on_weight_change(self, channels: Sequence[str]) -> str:
        """Statements run after any rule assigned ``w_new`` and before ``w = w_new``."""
        return ""

    def on_alive_change(self, delta: str, channels: Sequence[str]) -> str:
        """Statements run after ``alive`` changed by `delta`."""
        return ""

    def periodic(self, statements: Statements) -> list[Periodic]:
        """Statements run on clocks of the rule's own."""
        return []

    def initialise(self, synapses, cells, projection, synapse_channel, channels):
        """Set the rule's variables once the synapses are connected. `projection` is the
        merged projection, `synapse_channel` the input channel of every synapse."""
