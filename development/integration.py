"""How the cortical cells' equations are integrated: Brian2 state updaters.

``euler``: forward Euler for every variable (Brian2's own). Its conductance decay
``g ← g (1 − dt/τ)`` happens to sum to the charge ``w τ`` of a synaptic jump ``w`` at any step,
but the membrane's driving force, read at the step's start, lets rates grow with the step
(+4.5 % at 0.5 ms, docs/performance.md).

``membrane_trapezoid`` (`MembraneTrapezoid`): the membrane potential by the trapezoidal rule
(Crank–Nicolson) for an equation linear in it, ``dv/dt = M v + B``, with the conductances of
the step,

    v ← (v (1 + M dt/2) + B dt) / (1 − M dt/2),

second order in the membrane's own dynamics and stable at any step (one division per cell
and step, no exponential); the conductances decay exactly (a constant factor per step), and
a synaptic weight enters them scaled by `jump_namespace`'s factor, so that each step sees
the conductance's mean over the step and a jump's charge is ``w τ`` as in continuous time;
everything else (spike traces, the threshold) by forward Euler. Brian2's exponential Euler,
exact in both but without the scaling, gives each jump ``w (τ + dt/2)`` and made rates grow
three times faster with the step than Euler.
"""

from __future__ import annotations

import math

import sympy as sp
from brian2.parsing.sympytools import str_to_sympy, sympy_to_str
from brian2.stateupdaters.base import (
    StateUpdateMethod,
    UnsupportedEquationsException,
    extract_method_options,
)


class MembraneTrapezoid(StateUpdateMethod):
    """The trapezoidal rule for `implicit` variables (each linear in itself), exact decay for
    `exact` ones (``dx/dt = M x``, M constant), forward Euler for the others."""

    def __init__(self, implicit=("v",), exact=("ge", "gi")):
        self.implicit, self.exact = tuple(implicit), tuple(exact)

    def __call__(self, equations, variables=None, method_options=None):
        extract_method_options(method_options, {})
        if equations.is_stochastic:
            raise UnsupportedEquationsException("the trapezoidal rule takes no noise")
        code = []
        expressions = equations.get_substituted_expressions(variables)
        for name, expression in expressions:
            if name in self.implicit:
                slope, offset = _linear_in(name, expression.code, variables)
                update = (f"(({name}) * (1 + ({slope}) * dt / 2) + ({offset}) * dt)"
                          f" / (1 - ({slope}) * dt / 2)")
            elif name in self.exact:
                slope, offset = _linear_in(name, expression.code, variables)
                if offset != "0":
                    raise UnsupportedEquationsException(f"{name} must decay: {expression.code}")
                update = f"{name} * exp(({slope}) * dt)"
            else:
                update = f"{name} + dt * ({expression.code})"
            code.append(f"_{name} = {update}")
        code += [f"{name} = _{name}" for name, _ in expressions]
        return "\n".join(code)


def _linear_in(name: str, code: str, variables) -> tuple[str, str]:
    """``M`` and ``B`` of ``M x + B`` for the expression `code` of variable `name`."""
    symbol = sp.Symbol(name, real=True)
    collected = sp.collect(str_to_sympy(code, variables).expand(), symbol, evaluate=False)
    if set(collected) - {symbol, 1}:
        raise UnsupportedEquationsException(f"the equation of {name} is not linear in it: {code}")
    return (sympy_to_str(sp.sympify(collected.get(symbol, 0))),
            sympy_to_str(sp.sympify(collected.get(1, 0))))


#: The engine's integration methods by name (`EngineParams.method`).
METHODS = {"euler": "euler", "membrane_trapezoid": MembraneTrapezoid()}


#: Euler's jump factors (a conductance gets the weight itself).
EULER_JUMPS = {"jump_exc": 1.0, "jump_inh": 1.0}


def jump_namespace(method: str, dt_s: float, tau_exc_s: float, tau_inh_s: float) -> dict:
    """``jump_exc``, ``jump_inh``: what a synaptic weight is multiplied by when it enters a
    conductance. With exact decay, ``τ (1 − exp(−dt/τ)) / dt``: the first step then sees the
    mean of ``w exp(−t/τ)`` over the step, each later one too, and the steps' charge sums to
    ``w τ``; Euler's decay needs 1.

    Examples
    --------
    >>> jump = jump_namespace("membrane_trapezoid", 1e-3, 5e-3, 10e-3)["jump_exc"]
    >>> round(jump, 4)  # the mean of exp(-t/5 ms) over the first millisecond
    0.9063
    """
    if method == "euler":
        return dict(EULER_JUMPS)
    return {f"jump_{kind}": tau * -math.expm1(-dt_s / tau) / dt_s
            for kind, tau in (("exc", tau_exc_s), ("inh", tau_inh_s))}
