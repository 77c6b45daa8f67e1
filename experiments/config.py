"""Experiment configuration: every component's frozen parameters, presets, TOML and overrides.

A config is validated completely when it is built, so a bad value stops a run before any
simulation starts, with a one-line message naming the key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

from neurodev.circuits.params import ParameterError, check_choice, check_ranges, param
from neurodev.circuits.spec import CircuitParams, WiringParams
from neurodev.development.params import (
    BurstTimingParams,
    EngineParams,
    NeuronParams,
    PlasticityParams,
    RuleParams,
    StructuralParams,
    TripletParams,
)
from neurodev.development.schedule import ScheduleParams
from neurodev.development.stimuli import GratingParams, RFMappingParams
from neurodev.development.vision import ExperienceParams, FrontEndParams
from neurodev.development.waves import WaveParams, WavesDieOut

#: The random streams of a run, each derived from the master seed by its position here.
#: Append only: a stream is known by its position, so adding one never shifts another.
#: ``waves`` draws stage II (the configured preset), ``stage3_waves`` stage III.
SEED_STREAMS = ("circuits", "waves", "gratings", "brian2", "analysis", "map_generator", "vision",
                "stage3_waves", "rf_mapping")


#: Keys that configs once had, and what took their place (so an old config file is told why).
RETIRED_KEYS = {
    "plasticity.w_max": "the feed-forward weight bound follows from the wiring: it is "
                        "circuit.ff_weight_per_channel, the channel's total weight",
    "gratings.peak_rate_hz": "gratings reach the inputs through the visual front end: see "
                             "front_end.gain_hz and front_end.spontaneous_rate_hz",
}


#: Per-checkpoint metrics a headstart criterion may use (`analysis.criterion_metric`).
CRITERION_METRICS = ("fraction_selective", "median_osi", "median_weight_osi",
                     "median_half_width_deg")


class ConfigError(ValueError):
    """A configuration that cannot be run; the message is one line for the user."""


@contextmanager
def refused_as_config_error():
    """Report a parameter that only a component can check (e.g. against the retina's spacing),
    or waves that die out, as a `ConfigError`."""
    try:
        yield
    except (ParameterError, WavesDieOut) as error:
        raise ConfigError(str(error)) from None


@dataclass(frozen=True)
class AnalysisParams:
    """How responses are classified and summarised. ``responsive_rate_hz``: mean rate at the
    preferred direction that makes a cell responsive; ``selective_p``: the level of each
    cell's permutation test of orientation selectivity (``n_permutations`` relabellings of
    its trials); ``min_cells_for_median``: fewer responsive cells than this give no median
    (the median of a handful of sparsely firing cells says little); ``n_shuffles``: label
    shuffles of the shuffle floor and of the direction decoder's chance level;
    ``criterion_metric`` and ``criterion_level``: the headstart criterion, when a circuit's
    metric first reaches the level (a half-width falls to it, the others rise to it);
    ``rf_alpha``: the chance that a cell blind to the receptive-field noise is given a
    field (its map's peak is tested over the whole grid, Bonferroni), and ``rf_extent_z``
    the ``|z|`` of the rest of a field's pixels
    (`neurodev.experiments.measures.receptive_fields.response_field`)."""

    responsive_rate_hz: float = param(1.0, 0, 1000)
    selective_p: float = param(0.05, 0, 1, open_low=True)
    n_permutations: int = param(999, 19, 100_000)
    min_cells_for_median: int = param(10, 1, 100_000)
    n_shuffles: int = param(20, 1, 10_000)
    criterion_metric: str = "fraction_selective"
    criterion_level: float = param(0.5, 0, 180)
    rf_alpha: float = param(0.05, 0, 1, open_low=True)
    rf_extent_z: float = param(2.0, 0, 100)

    def __post_init__(self):
        check_choice("criterion_metric", self.criterion_metric, CRITERION_METRICS)
        check_ranges(self)


@dataclass(frozen=True)
class ExperimentConfig:
    """Everything that determines a run's result (the run key is a hash of it)."""

    seed: int = param(1, 0, 2**32 - 1)
    circuit: CircuitParams = CircuitParams()
    wiring: WiringParams = WiringParams()
    waves: WaveParams = WaveParams()
    schedule: ScheduleParams = ScheduleParams()
    gratings: GratingParams = GratingParams()
    rf_mapping: RFMappingParams = RFMappingParams()
    front_end: FrontEndParams = FrontEndParams()
    experience: ExperienceParams = ExperienceParams()
    neurons: NeuronParams = NeuronParams()
    plasticity: PlasticityParams = PlasticityParams()
    triplet: TripletParams = TripletParams()
    burst_timing: BurstTimingParams = BurstTimingParams()
    structural: StructuralParams = StructuralParams()
    rules: RuleParams = RuleParams()
    engine: EngineParams = EngineParams()
    analysis: AnalysisParams = AnalysisParams()

    def __post_init__(self):
        check_ranges(self)
        # Grating presentations and blanks are laid out in whole stimulus frames.
        frame = self.engine.stimulus_frame_ms
        for key in ("gratings.presentation_ms", "gratings.blank_ms", "rf_mapping.frame_ms"):
            section, name = key.split(".")
            value = getattr(getattr(self, section), name)
            if abs(value / frame - round(value / frame)) > 1e-9:
                raise ParameterError(key, value, f"a multiple of engine.stimulus_frame_ms = {frame}")
        try:
            self.experience.check_covers((self.circuit.retina_side - 1)
                                         * self.circuit.retina_spacing_um)
        except ParameterError as error:
            raise error.within("experience") from None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def seed_stream(self, name: str) -> np.random.SeedSequence:
        """The independent random stream `name` (one of `SEED_STREAMS`) of this run's seed."""
        return np.random.SeedSequence(self.seed, spawn_key=(SEED_STREAMS.index(name),))

    def key(self, version: str) -> str:
        """Hash of the canonical config and the package version: the run's identity."""
        canonical = json.dumps({"config": _rounded(self.to_dict()), "version": version},
                               sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


SECTIONS = {f.name: f.type for f in fields(ExperimentConfig) if f.name != "seed"}

QUICK = ExperimentConfig()
TINY = ExperimentConfig(
    circuit=CircuitParams(retina_side=12, exc_side=8, inh_count=16, ff_arbor_radius_um=150.0,
                          ff_connection_probability=0.7),
    schedule=ScheduleParams(n_epochs=1, waves_per_epoch=5, stage3_epochs=1, vision_epochs=1),
    gratings=GratingParams(n_orientations=4, n_trials=2, presentation_ms=500.0, blank_ms=100.0),
    rf_mapping=RFMappingParams(n_frames=300),
)
PAPER = ExperimentConfig(
    circuit=CircuitParams(retina_side=48, exc_side=32, inh_count=256),
    schedule=ScheduleParams(n_epochs=5, waves_per_epoch=200, stage3_epochs=5, vision_epochs=3),
    gratings=GratingParams(n_trials=5),
)
PRESETS = {"tiny": TINY, "quick": QUICK, "paper": PAPER}


def _rounded(value):
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def from_dict(data: dict, base: ExperimentConfig = QUICK) -> ExperimentConfig:
    """Apply nested ``{section: {key: value}}`` (and ``seed``) on top of `base`.

    Raises
    ------
    ConfigError
        For an unknown section or key, or a value outside its allowed range.
    """
    data = dict(data)
    top = {}
    if "seed" in data:
        top["seed"] = data.pop("seed")
    for section, values in data.items():
        if section not in SECTIONS:
            raise ConfigError(f"unknown config section '{section}'; allowed: seed, "
                              + ", ".join(SECTIONS))
        if not isinstance(values, dict):
            raise ConfigError(f"'{section}' must be a table of keys, got {values!r}")
        current = getattr(base, section)
        allowed = {f.name: f.type for f in fields(current)}
        for key in values:
            if f"{section}.{key}" in RETIRED_KEYS:
                raise ConfigError(f"'{section}.{key}' is no longer a config key: "
                                  + RETIRED_KEYS[f"{section}.{key}"])
            if key not in allowed:
                raise ConfigError(f"unknown key '{section}.{key}'; allowed keys in [{section}]: "
                                  + ", ".join(allowed))
        try:
            top[section] = replace(current, **{k: _coerce(v, allowed[k]) for k, v in values.items()})
        except ParameterError as error:
            raise ConfigError(str(error.within(section))) from None
    try:
        return replace(base, **top)
    except ParameterError as error:
        raise ConfigError(str(error)) from None


def _coerce(value, declared_type):
    """TOML writes 20 for 20.0 and lists for tuples: accept integers for float fields and
    lists for tuple fields, nothing else."""
    if declared_type in (float, "float") and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if str(declared_type).startswith("tuple") and isinstance(value, list):
        return tuple(value)
    return value


def parse_overrides(assignments: list[str]) -> dict:
    """Turn ``["wiring.prior_strength=0.5", "seed=3"]`` into a nested dict.

    Values are read as TOML (numbers, booleans, quoted strings); a bare word is a string.
    """
    data = {}
    for item in assignments:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ConfigError(f"--set takes key=value, got '{item}'")
        if name in data:
            raise ConfigError(f"--set {name} is given twice ({data[name]!r} and "
                              f"{_parse_value(text.strip())!r}): give each key once")
        data[name] = _parse_value(text.strip())
    return nested(data, "--set")


def nested(settings: dict, where: str) -> dict:
    """``{"wiring.prior_strength": v, "seed": 3}`` as ``{"wiring": {"prior_strength": v},
    "seed": 3}``; `where` (e.g. ``"--set"``) names the source of a name that is not a key."""
    data: dict = {}
    for name, value in settings.items():
        section, dot, key = name.partition(".")
        if name == "seed":
            data["seed"] = value
        elif not dot or not key or "." in key:
            raise ConfigError(f"{where} key '{name}' is not a config key: use section.key, "
                              "e.g. wiring.prior_strength")
        else:
            data.setdefault(section, {})[key] = value
    return data


def _parse_value(text: str):
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def load(preset: str = "quick", config_file: Path | None = None,
         overrides: list[str] | Mapping = (), seed: int | None = None) -> ExperimentConfig:
    """Build a config: preset, then a TOML file, then the overrides, then the seed.

    `overrides` are ``--set`` assignments (``["wiring.prior_strength=0.5"]``) or, from the
    Python API, a mapping of dotted keys to values (``{"wiring.prior_strength": 0.5}``).
    """
    if preset not in PRESETS:
        raise ConfigError(f"unknown preset '{preset}'; allowed: " + ", ".join(PRESETS))
    config = PRESETS[preset]
    if config_file is not None:
        try:
            data = tomllib.loads(Path(config_file).read_text())
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"cannot read config file {config_file}: {error}") from None
        config = from_dict(data, config)
    settings = (nested(dict(overrides), "overrides") if isinstance(overrides, Mapping)
                else parse_overrides(list(overrides)))
    if seed is not None and "seed" in settings:
        raise ConfigError(f"--seed {seed} conflicts with --set seed={settings['seed']!r}: "
                          "give the seed once")
    config = from_dict(settings, config)
    if seed is not None:
        config = from_dict({"seed": seed}, config)
    return config


def to_toml(config: ExperimentConfig) -> str:
    """The resolved config as TOML that `load` reads back to an equal config."""
    data = config.to_dict()
    lines = [f"seed = {data.pop('seed')}"]
    for section, values in data.items():
        lines += ["", f"[{section}]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | tuple):
        return json.dumps(value)
    return repr(value)
