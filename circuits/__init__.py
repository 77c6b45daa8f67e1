"""Anatomy in pure NumPy: sheets, orientation maps, wiring rules and the `CircuitSpec`."""

from neurodev.circuits.maps import orientation_map
from neurodev.circuits.params import ParameterError
from neurodev.circuits.spec import CircuitParams, CircuitSpec, WiringParams, build_circuit
from neurodev.circuits.wiring import Projection

__all__ = ["CircuitParams", "CircuitSpec", "ParameterError", "Projection", "WiringParams",
           "build_circuit", "orientation_map"]
