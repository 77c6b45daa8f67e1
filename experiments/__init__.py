"""Measurements, named experiments, configuration, the result store and the CLI."""
