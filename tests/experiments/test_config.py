import tomllib

import numpy as np
import pytest

from neurodev.experiments.config import (
    PRESETS,
    QUICK,
    SEED_STREAMS,
    TINY,
    ConfigError,
    from_dict,
    load,
    to_toml,
)


def test_overrides_reach_their_section():
    config = load("tiny", overrides=["wiring.prior_strength=0.25", "waves.preset=silent",
                                      "seed=9"])
    assert config.wiring.prior_strength == 0.25
    assert config.waves.preset == "silent"
    assert config.seed == 9
    assert config.circuit == TINY.circuit


@pytest.mark.parametrize(("override", "message"), [
    ("wiring.prior_strength=1.5", r"wiring.prior_strength = 1.5 is not allowed: a number in \[0, 1\]"),
    ("wiring.prior_strenght=1", r"unknown key 'wiring.prior_strenght'; allowed keys in \[wiring\]"),
    ("circuit.retina_side=-4", r"circuit.retina_side = -4 is not allowed: an integer in \[4, 512\]"),
    ("circuit.retina_side=12.5", r"circuit.retina_side = 12.5 is not allowed: an integer"),
    ("nosuch.key=1", r"unknown config section 'nosuch'"),
    ("waves.preset=b2", r"waves.preset = 'b2' is not allowed: one of 'wt', 'stage3', 'b2ko'"),
    ("seed=-1", r"seed = -1 is not allowed"),
    ("burst_timing.tau_depression_ms=500",
     r"burst_timing.tau_depression_ms = 500.0 is not allowed: above tau_potentiation_ms = 600"),
    ("burst_timing.depression_balance=3",
     (r"burst_timing.depression_balance = 3.0 is not allowed: below tau_depression_ms / "
      r"tau_potentiation_ms = 3 \(else coincident activity depresses\)")),
    ("justakey", r"--set takes key=value"),
    ("prior_strength=0.5", r"--set key 'prior_strength' is not a config key: use section.key"),
])
def test_bad_values_fail_with_one_line_naming_key_value_and_range(override, message):
    with pytest.raises(ConfigError, match=message) as error:
        load("quick", overrides=[override])
    assert "\n" not in str(error.value)


def test_unknown_preset():
    with pytest.raises(ConfigError, match="unknown preset 'huge'; allowed: tiny, quick, paper"):
        load("huge")


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_toml_round_trip(preset):
    config = PRESETS[preset]
    assert from_dict(tomllib.loads(to_toml(config)), QUICK) == config


def test_config_file_then_overrides(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[wiring]\nprior_strength = 0.5\n[circuit]\nexc_side = 10\n")
    config = load("tiny", path, ["wiring.prior_strength=0.75"])
    assert (config.wiring.prior_strength, config.circuit.exc_side) == (0.75, 10)


def test_run_key_depends_on_every_value_and_the_version():
    key = TINY.key("1.0")
    assert key == TINY.key("1.0")
    assert key != TINY.key("1.1")
    assert key != from_dict({"seed": 2}, TINY).key("1.0")
    assert key != from_dict({"plasticity": {"a_plus": 0.0031}}, TINY).key("1.0")


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_passes_the_headline_experiments_checks(preset):
    from neurodev.experiments.protocols.scratch_vs_prior import EXPERIMENT

    for seed in range(1, 6):  # every seed runs (no initial weight limits the seeds)
        EXPERIMENT.validate(from_dict({"seed": seed}, PRESETS[preset]))


def test_named_seed_streams_are_the_master_seeds_children_in_a_fixed_order():
    """A stream is its position in `SEED_STREAMS` (append only), so a new stream never
    shifts another: each equals the child of that index of the master seed's sequence."""
    children = np.random.SeedSequence(TINY.seed).spawn(len(SEED_STREAMS))
    for child, name in zip(children, SEED_STREAMS, strict=True):
        assert np.array_equal(TINY.seed_stream(name).generate_state(4), child.generate_state(4))
    assert SEED_STREAMS[:5] == ("circuits", "waves", "gratings", "brian2", "analysis")
    with pytest.raises(ValueError):
        TINY.seed_stream("nosuch")
