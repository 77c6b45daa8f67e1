"""The integration methods on equations with a known solution (runtime mode, NumPy)."""

import brian2 as b2
import numpy as np
import pytest
from brian2.stateupdaters.base import UnsupportedEquationsException

from neurodev.development.integration import MembraneTrapezoid, jump_namespace

#: A membrane with a constant conductance relaxes exponentially to (E_L + g E_e) / (1 + g).
MEMBRANE = """
dv/dt = (-70*mV - v + g * (0*mV - v)) / (20*ms) : volt
g : 1 (constant)
"""


def relax(method, dt_ms, duration_ms=20.0):
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = dt_ms * b2.ms
    cell = b2.NeuronGroup(1, MEMBRANE, method=method)
    cell.v, cell.g = -70 * b2.mV, 2.0
    b2.Network(cell).run(duration_ms * b2.ms)
    rest, rate = -70 / 3, 3 / 20  # mV, 1/ms
    exact = rest + (-70 - rest) * np.exp(-rate * duration_ms)
    return abs(float(cell.v[0] / b2.mV) - exact)


def test_trapezoid_is_second_order_and_beats_euler_on_the_membrane():
    """Halving the step quarters the trapezoid's error (second order; 20 % allowed), halves
    Euler's, and at 1 ms the trapezoid is over ten times closer."""
    trapezoid = MembraneTrapezoid(implicit=("v",), exact=())
    coarse, fine = relax(trapezoid, 1.0), relax(trapezoid, 0.5)
    assert coarse / fine == pytest.approx(4.0, rel=0.2)
    assert relax("euler", 1.0) / relax("euler", 0.5) == pytest.approx(2.0, rel=0.2)
    assert relax("euler", 1.0) > 10 * coarse


def test_exact_decay_with_scaled_jumps_keeps_a_jumps_charge_at_any_step():
    """A jump w scaled by `jump_namespace` and decaying exactly: the steps' conductances
    sum to w τ (to 1e-6: the geometric series, cut after 60 time constants)."""
    b2.prefs.codegen.target = "numpy"
    for dt_ms in (0.1, 1.0):
        b2.defaultclock.dt = dt_ms * b2.ms
        jump = jump_namespace("membrane_trapezoid", dt_ms / 1000, 5e-3, 10e-3)["jump_exc"]
        cell = b2.NeuronGroup(1, "dge/dt = -ge / (5*ms) : 1",
                              method=MembraneTrapezoid(implicit=(), exact=("ge",)))
        cell.ge = 0.3 * jump
        trace = b2.StateMonitor(cell, "ge", record=0)
        b2.Network(cell, trace).run(300 * b2.ms)
        charge_ms = float(np.sum(trace.ge[0])) * dt_ms
        assert charge_ms == pytest.approx(0.3 * 5.0, rel=1e-6)
    assert jump_namespace("euler", 1e-3, 5e-3, 10e-3) == {"jump_exc": 1.0, "jump_inh": 1.0}


def test_an_equation_not_linear_in_its_variable_is_refused():
    b2.prefs.codegen.target = "numpy"
    cell = b2.NeuronGroup(1, "dv/dt = -v**2 / (10*ms*mV) : volt", method=MembraneTrapezoid())
    with pytest.raises(b2.core.base.BrianObjectException) as error:
        b2.Network(cell).run(1 * b2.ms)
    assert isinstance(error.value.__cause__, UnsupportedEquationsException)
    assert "not linear in it" in str(error.value.__cause__)
