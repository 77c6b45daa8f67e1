"""Anatomy in pure NumPy: sheets, orientation maps, wiring rules and the `CircuitSpec`."""

from circuits.maps import orientation_map
from circuits.params import ParameterError
from circuits.spec import CircuitParams, CircuitSpec, WiringParams, build_circuit
from circuits.wiring import Projection

__all__ = ["CircuitParams", "CircuitSpec", "ParameterError", "Projection", "WiringParams",
           "build_circuit", "orientation_map"]
