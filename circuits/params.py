"""Validation shared by every frozen parameter dataclass in neurodev.

Parameters are checked where they enter (``__post_init__``), so a bad value fails with a
message that names the key, the value and what is allowed, before any simulation starts.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import field, fields


class ParameterError(ValueError):
    """A parameter value outside its allowed set.

    Parameters
    ----------
    key : str
        Name of the parameter (``section.key`` once the config loader adds the section).
    value : object
        The offending value.
    allowed : str
        Human-readable description of the allowed values.
    """

    def __init__(self, key: str, value: object, allowed: str):
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key} = {value!r} is not allowed: {allowed}")

    def within(self, section: str) -> ParameterError:
        """Return the same error with ``section.`` prefixed to the key."""
        return ParameterError(f"{section}.{self.key}", self.value, self.allowed)


def check_range(key, value, low=-math.inf, high=math.inf, *, integer=False, open_low=False):
    """Raise `ParameterError` unless ``low <= value <= high`` (``low < value`` if `open_low`).

    Examples
    --------
    >>> check_range("n", 3, 1, 10, integer=True)
    >>> check_range("p", 1.5, 0, 1)
    Traceback (most recent call last):
    ...
    neurodev.circuits.params.ParameterError: p = 1.5 is not allowed: a number in [0, 1]
    """
    kind = "an integer" if integer else "a number"
    bracket = "(" if open_low else "["
    allowed = f"{kind} in {bracket}{_fmt(low)}, {_fmt(high)}]"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(key, value, allowed)
    if integer and not isinstance(value, int):
        raise ParameterError(key, value, allowed)
    if not math.isfinite(value) and not (math.isinf(high) and value == high):
        raise ParameterError(key, value, allowed)
    too_low = value <= low if open_low else value < low
    if too_low or value > high:
        raise ParameterError(key, value, allowed)


def check_choice(key: str, value: object, choices: Collection[str]):
    """Raise `ParameterError` unless `value` is one of `choices`."""
    if value not in choices:
        raise ParameterError(key, value, "one of " + ", ".join(repr(c) for c in choices))


def check_flag(key: str, value: object):
    """Raise `ParameterError` unless `value` is a boolean."""
    if not isinstance(value, bool):
        raise ParameterError(key, value, "true or false")


def param(default, low=-math.inf, high=math.inf, *, open_low=False):
    """A dataclass field with its allowed range beside it, checked by `check_ranges`.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Cell:
    ...     tau_ms: float = param(20.0, 0, 1000, open_low=True)
    ...     def __post_init__(self):
    ...         check_ranges(self)
    >>> Cell(tau_ms=0.0)
    Traceback (most recent call last):
    ...
    neurodev.circuits.params.ParameterError: tau_ms = 0.0 is not allowed: a number in (0, 1000]
    """
    return field(default=default, metadata={"range": (low, high, open_low)})


def check_ranges(params):
    """Check every field of a dataclass declared with `param` against its range (integer
    fields as integers)."""
    for declared in fields(params):
        if "range" in declared.metadata:
            low, high, open_low = declared.metadata["range"]
            check_range(declared.name, getattr(params, declared.name), low, high,
                        integer=declared.type in (int, "int"), open_low=open_low)


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
