"""Where each circuit's cells and synapses sit when the engine merges every circuit of a run into
one population and one synapse object per kind, and how the merged recordings are split back
into one `Recording` per circuit. Pure NumPy: the engine fills a `MergedRecording` from its
monitors, and everything else is tested without Brian2.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from neurodev.circuits.spec import CircuitSpec


class MergedProjection(NamedTuple):
    """Synapses of one kind of every circuit, in merged cell indices."""

    pre: np.ndarray
    post: np.ndarray
    weight: np.ndarray
    inhibitory: np.ndarray
    alive: np.ndarray
    structural: np.ndarray

    @property
    def n_synapses(self) -> int:
        return len(self.pre)


@dataclass(frozen=True)
class Recording:
    """What one circuit did: spike tallies, and state snapshots at the start of every
    checkpoint.

    Attributes
    ----------
    window_spikes : dict of str to ndarray of int32, shape (n_windows, n_cells)
        Spikes of every cell of each population (``"exc"``, ``"inh"``, ``"exc23"``,
        ``"inh23"``) in every response window (grating presentation), in time order.
    window_phase : dict of str to ndarray of complex, shape (n_windows, n_cells)
        ``Σ exp(iωt)`` over those spikes, ω the probe's angular frequency.
    segment_spikes : dict of str to ndarray of int32, shape (n_segments, n_cells)
        Spikes of every cell in every segment of the timeline (checkpoints and epochs).
    frame_spikes : dict of str to ndarray of uint16, shape (n_frames, n_cells), or None
        Spikes of every cell in every frame of receptive-field noise, in time order
        (checkpoint by checkpoint); None where the run shows no noise.
    ff_weights : ndarray of float32, shape (n_checkpoints, n_ff_synapses)
        Feed-forward weights, in the order of the pool ``spec.projections["input_exc"]``
        (0 for dead candidates).
    ff_alive : ndarray of bool, shape (n_checkpoints, n_ff_synapses)
        Which synapses of the pool are alive.
    formed, eliminated : ndarray of int, shape (n_checkpoints,)
        Feed-forward synapses formed and eliminated since the start of the run.
    threshold_shift_mv : ndarray of float32, shape (n_checkpoints, n_exc)
        Homeostatic threshold shift of every excitatory cell (mV).
    cortical_weights : dict of str to ndarray of float32, shape (n_checkpoints, n_synapses)
        Weights of each plastic cortical projection (e.g. ``exc_exc23``), in the order of
        ``spec.projections[name]``; empty where the cortex is static.
    """

    window_spikes: dict[str, np.ndarray]
    window_phase: dict[str, np.ndarray]
    segment_spikes: dict[str, np.ndarray]
    frame_spikes: dict[str, np.ndarray] | None
    ff_weights: np.ndarray
    ff_alive: np.ndarray
    formed: np.ndarray
    eliminated: np.ndarray
    threshold_shift_mv: np.ndarray
    cortical_weights: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class MergedRecording:
    """What the merged network recorded, as arrays.

    Attributes
    ----------
    window_spikes, window_phase : ndarray, shape (n_windows, n_cells)
        Spikes and their phase sums of every cortical cell (merged index) in every response
        window (`neurodev.development.recorders`).
    segment_spikes : ndarray, shape (n_segments, n_cells)
        Spikes of every cortical cell in every segment.
    frame_spikes : ndarray of uint16, shape (n_frames, n_cells), or None
        Spikes of every cortical cell in every noise frame (None without noise).
    ff_weights, ff_alive : ndarray, shape (n_checkpoints, n_merged_ff_synapses)
        Snapshots of the merged plastic feed-forward synapses (``ff_alive``: None where no
        circuit is rewired, and every synapse is alive).
    threshold_shift_mv : ndarray, shape (n_checkpoints, n_merged_exc)
        Snapshots of the L4 excitatory cells of every circuit, in circuit order.
    formed, eliminated : ndarray, shape (n_checkpoints, n_merged_exc) or None
        Synapses formed and eliminated onto those cells so far (None without turnover).
    cortical_weights : dict of str to ndarray, shape (n_checkpoints, n_merged_synapses)
        Snapshots of each plastic cortical projection of every circuit, in circuit order.
    """

    window_spikes: np.ndarray
    window_phase: np.ndarray
    segment_spikes: np.ndarray
    frame_spikes: np.ndarray | None
    ff_weights: np.ndarray
    ff_alive: np.ndarray | None
    threshold_shift_mv: np.ndarray
    formed: np.ndarray | None
    eliminated: np.ndarray | None
    cortical_weights: dict[str, np.ndarray] = field(default_factory=dict)


class Layout:
    """Where each circuit's cells and synapses sit in the merged population.

    Circuit ``c`` owns one contiguous block of cells holding its populations in the order of
    `CircuitSpec.population_sizes` (L4 E, L4 I, L2/3 E, L2/3 I). Projections are concatenated
    in circuit order; a plastic projection is its whole pool in `rewired` circuits and its
    live synapses in the others. `learns` is False for the cells of `frozen` circuits.
    """

    EXCITATORY = ("exc", "exc23")
    INHIBITORY = ("inh", "inh23")

    def __init__(self, circuits: Sequence[CircuitSpec], rewired: Collection[str],
                 frozen: Collection[str] = ()):
        self.circuits = list(circuits)
        self.rewired = [c.label in rewired for c in circuits]
        self.starts, is_exc, start = [], [], 0
        for circuit in circuits:
            starts = {}
            for population, size in circuit.population_sizes.items():
                starts[population] = start
                is_exc.append(np.full(size, population in self.EXCITATORY))
                start += size
            self.starts.append(starts)
        self.n_cells = start
        self.is_exc = np.concatenate(is_exc)
        self.learns = np.concatenate([np.full(sum(c.population_sizes.values()), c.label not in frozen)
                                      for c in circuits])

    def merged_projections(self, plastic: Collection[str] = ()) -> dict[str, MergedProjection]:
        """The synapse populations the engine simulates: ``input_exc`` (plastic),
        ``input_inh``, each of the `plastic` cortical projections (e.g. ``exc_exc23``) and
        ``recurrent`` (every other projection between cortical cells)."""
        recurrent = [name for name in self.circuits[0].projections
                     if not name.startswith("input") and name not in plastic]
        return {"input_exc": self.projection("input_exc"),
                "input_inh": self.projection("input_inh"),
                **{name: self.projection(name) for name in plastic},
                "recurrent": self.projection(*recurrent)}

    def offset(self, circuit_index: int, population: str) -> int:
        return self.starts[circuit_index][population]

    def common_uniform(self, seed: int) -> np.ndarray:
        """A uniform variate in [0, 1) per merged cell, the same for a cell of every circuit
        (common random numbers: circuits that differ in their weights start from the same
        state, and adding a circuit changes no other circuit's draws)."""
        return np.concatenate([np.random.default_rng(seed).random(sum(c.population_sizes.values()))
                               for c in self.circuits])

    def indices(self, population: str) -> np.ndarray:
        """Merged indices of one population of every circuit, in circuit order."""
        return np.concatenate([self.offset(k, population) + np.arange(c.population_sizes[population])
                               for k, c in enumerate(self.circuits)])

    def simulated(self, k: int, name: str):
        """Circuit `k`'s projection `name` as simulated, and where its synapses sit in the pool."""
        pool = self.circuits[k].projections[name]
        if self.rewired[k] or not pool.plastic:
            return pool, np.arange(pool.n_synapses)
        return pool.live(), np.flatnonzero(pool.alive)

    def projection(self, *names: str) -> MergedProjection:
        """The named projections of every circuit as one, in merged cell indices."""
        parts = []
        for k in range(len(self.circuits)):
            for name in names:
                p, _ = self.simulated(k, name)
                parts.append((p.pre + (0 if p.source == "input" else self.offset(k, p.source)),
                              p.post + self.offset(k, p.target), p.weight,
                              np.full(p.n_synapses, p.source in self.INHIBITORY), p.alive,
                              np.full(p.n_synapses, self.rewired[k] and p.plastic)))
        return MergedProjection(*map(np.concatenate, zip(*parts, strict=True)))

    def recording(self, k: int, merged: MergedRecording) -> Recording:
        """Circuit `k`'s part of the merged recording, in its own cell and pool indices."""
        circuit = self.circuits[k]

        def by_population(tally):
            return {population: tally[:, self.offset(k, population):self.offset(k, population) + size]
                    for population, size in circuit.population_sizes.items()}

        _, in_pool = self.simulated(k, "input_exc")
        ff = self._synapses_of(k, "input_exc")
        pool_size = circuit.projections["input_exc"].n_synapses
        n_checkpoints = len(merged.ff_weights)
        weights = np.zeros((n_checkpoints, pool_size), dtype=np.float32)
        weights[:, in_pool] = merged.ff_weights[:, ff]
        alive = np.zeros((n_checkpoints, pool_size), dtype=bool)
        alive[:, in_pool] = merged.ff_alive[:, ff] > 0.5 if self.rewired[k] else True
        exc_start = sum(c.n_exc for c in self.circuits[:k])
        exc = slice(exc_start, exc_start + circuit.n_exc)

        def events_so_far(counts):
            if not self.rewired[k]:
                return np.zeros(n_checkpoints, dtype=np.int64)
            return np.rint(counts[:, exc].sum(axis=1)).astype(np.int64)

        return Recording(
            window_spikes=by_population(merged.window_spikes),
            window_phase=by_population(merged.window_phase),
            segment_spikes=by_population(merged.segment_spikes),
            frame_spikes=(None if merged.frame_spikes is None
                          else by_population(merged.frame_spikes)),
            ff_weights=weights, ff_alive=alive,
            formed=events_so_far(merged.formed), eliminated=events_so_far(merged.eliminated),
            threshold_shift_mv=np.asarray(merged.threshold_shift_mv[:, exc], dtype=np.float32),
            cortical_weights={name: np.asarray(weights[:, self._synapses_of(k, name)],
                                               dtype=np.float32)
                              for name, weights in merged.cortical_weights.items()},
        )

    def _synapses_of(self, k: int, name: str) -> slice:
        """Where circuit `k`'s simulated synapses of projection `name` sit in the merged
        projection."""
        start = sum(self.simulated(j, name)[0].n_synapses for j in range(k))
        return slice(start, start + self.simulated(k, name)[0].n_synapses)
