"""The examples in docstrings, run as the installed package imports them (``neurodev.…``)."""

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("circuits", "development", "experiments", "figures")
MODULES = sorted(
    info.name for package in PACKAGES
    for info in pkgutil.walk_packages(importlib.import_module(f"neurodev.{package}").__path__,
                                      f"neurodev.{package}."))


def test_every_package_is_walked():
    assert {"neurodev.circuits.spec", "neurodev.figures.sweep",
            "neurodev.experiments.measures.tuning"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed"
