"""The membrane model against the closed-form rate of a conductance-driven LIF cell."""

import brian2 as b2
import numpy as np
import pytest

from neurodev.development import models
from neurodev.development.params import (
    FORMATION_RULE_NAMES,
    NeuronParams,
    PlasticityParams,
    StructuralParams,
)
from neurodev.development.rules.homeostasis import HomeostaticThreshold
from neurodev.development.rules.structural import FORMATION_FACTORS


def lif_rate(g, p: NeuronParams) -> float:
    """Rate of a LIF cell with constant excitatory conductance g (units of g_leak), in Hz."""
    tau = p.tau_m_exc_ms / 1000 / (1 + g)
    v_inf = (p.v_rest_mv + g * p.e_exc_mv) / (1 + g)
    if v_inf <= p.v_threshold_mv:
        return 0.0
    isi = p.refractory_ms / 1000 + tau * np.log((v_inf - p.v_reset_mv) / (v_inf - p.v_threshold_mv))
    return 1 / isi


@pytest.mark.parametrize("g", [0.3, 0.6, 1.2])
def test_cortex_cell_fires_at_the_lif_rate(g):
    params = NeuronParams()
    namespace = models.namespace(params)
    b2.prefs.codegen.target = "numpy"  # no compiler start-up for one cell
    b2.defaultclock.dt = 0.05 * b2.ms
    model, threshold, reset = models.cortex_model([HomeostaticThreshold(params)], ("on", "off"))
    frozen_ge = model.replace("dge/dt = -ge/tau_exc", "dge/dt = 0*ge/tau_exc")
    cell = b2.NeuronGroup(1, frozen_ge, threshold=threshold, reset=reset,
                          refractory="refractory_period", method="euler", namespace=namespace)
    cell.v, cell.ge, cell.leak_rate = params.v_reset_mv * b2.mV, g, 1 / (params.tau_m_exc_ms * b2.ms)
    spikes = b2.SpikeMonitor(cell)
    b2.Network(cell, spikes).run(1 * b2.second, namespace={})
    expected = lif_rate(g, params)
    # Euler at 50 µs: each interval is off by at most one step (< 0.5 % at these rates);
    # counting spikes in 1 s adds ±1 spike.
    assert spikes.num_spikes / 1.0 == pytest.approx(expected, rel=0.02, abs=0.5)


def test_namespace_follows_the_unit_suffixed_names():
    namespace = models.namespace(StructuralParams(interval_ms=250.0, activity_reference_hz=2.0))
    assert namespace["structural_interval"] == 250 * b2.ms  # renamed for the equations
    assert namespace["activity_reference"] == 2 * b2.Hz
    assert namespace["elimination_threshold"] == 0.02  # unitless: its own name
    assert "enabled" not in namespace and "formation_rule" not in namespace
    neurons = models.namespace(NeuronParams())
    assert neurons["v_threshold"] == -50 * b2.mV and neurons["refractory_period"] == 2 * b2.ms


def test_a_name_defined_twice_in_merged_namespaces_is_an_error_naming_it():
    merged = models.merged_namespace({"a": 1}, {"b": 2})
    assert merged == {"a": 1, "b": 2}
    with pytest.raises(ValueError, match="'tau_pre'"):
        models.merged_namespace(models.namespace(PlasticityParams()), {"tau_pre": 5 * b2.ms})


def test_every_formation_rule_has_its_expression():
    assert set(FORMATION_FACTORS) == set(FORMATION_RULE_NAMES)


def test_poisson_inputs_are_a_bernoulli_trial_per_step_at_the_rate():
    """400 cells at r(t) = 40 (1 + cos 2π·2t) Hz for 10 s on a 1 ms clock, as
    ``rand() < rate*dt`` would draw them: 400 spikes per cell expected, counts across cells
    binomial, and a spike's next step as likely to spike as any (no doublets added)."""
    b2.prefs.codegen.target = "numpy"
    model = ("survival_ratio : 1\n"
             "rate = 40*Hz * (1 + cos(2*pi*2*Hz*t)) : Hz\n")
    cells = models.poisson_group(400, model, models.POISSON_RESET,
                                 b2.Clock(1 * b2.ms, name="poisson_test_clock"), {}, "poisson")
    spikes = b2.SpikeMonitor(cells)
    b2.Network(cells, spikes).run(10 * b2.second, namespace={})
    counts = np.asarray(spikes.count[:])
    # Total: 160 000 expected, SD 400 (0.25 %); 1.5 % is 6 SD.
    assert counts.sum() == pytest.approx(160_000, rel=0.015)
    # Fano factor over 400 cells: 1 - E[p²]/E[p] = 0.94 for Bernoulli steps; its sampling
    # SD is sqrt(2/399) = 7 %, so ±0.2 is 3 SD.
    assert counts.var(ddof=1) / counts.mean() == pytest.approx(0.94, abs=0.2)
    # Spikes one step after a spike: Σ p_k p_(k+1) per cell = 10⁴ · 0.04² · 1.5 = 24 expected
    # (9 600 in all, SD ~100); carrying the overshoot of a continuous-time draw into the
    # next interval of an exponential variate adds ~50 % (measured: 14 000). ±5 % is 5 SD.
    steps = np.round(np.asarray(spikes.t / b2.ms)).astype(int)
    pairs = sum(np.isin(steps[spikes.i == k] + 1, steps[spikes.i == k]).sum() for k in range(400))
    assert pairs == pytest.approx(9_600, rel=0.05)
