"""Property: every config the validation accepts can be built.

Hypothesis draws `tiny` configs with one to three keys changed, each over a range wider than
the one its dataclass allows (negative, zero, tiny and huge numbers; valid and invalid
choices). Each is either refused with a `ConfigError` by validation, or its circuits, waves
and schedule build without an exception within `BUILD_LIMIT_S` (what `develop` does before
it starts Brian2). Sizes (sheet sides, cell and trial counts) are drawn up to a few times
`tiny`'s: larger ones are refused by the memory estimate or just take longer, which the
memory-estimate test covers.
"""

import dataclasses
import math
import time

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from neurodev.circuits.maps import MAP_KINDS  # noqa: E402
from neurodev.development.params import DEVICES, FORMATION_RULE_NAMES  # noqa: E402
from neurodev.development.vision import EXPERIENCES  # noqa: E402
from neurodev.development.waves import WAVE_PRESETS  # noqa: E402
from neurodev.experiments.config import SECTIONS, TINY, ConfigError, from_dict  # noqa: E402
from neurodev.experiments.protocols import pipeline  # noqa: E402
from neurodev.experiments.protocols.scratch_vs_prior import EXPERIMENT as HEADLINE  # noqa: E402

#: A build of an accepted tiny config takes well under a second; waves that die out are
#: given up within an hour of retinal time (about 10 s at the slowest frame rate).
BUILD_LIMIT_S = 30.0
#: Integer keys that set sizes, drawn only up to these values.
SIZES = {"retina_side": 30, "exc_side": 20, "inh_count": 80, "l23_exc_side": 20,
         "l23_inh_count": 80, "n_orientations": 16, "n_trials": 4, "n_epochs": 3,
         "waves_per_epoch": 8, "n_shuffles": 50, "min_wave_sites": 200, "vision_epochs": 3}
CHOICES = [*WAVE_PRESETS, *MAP_KINDS, *DEVICES, *FORMATION_RULE_NAMES, *EXPERIENCES, "nosuch", ""]
KEYS = [(section, field.name, field.type) for section in SECTIONS
        for field in dataclasses.fields(getattr(TINY, section))]


def values_for(key: str, kind: str):
    if kind == "bool":
        return st.booleans()
    if kind == "str":
        return st.sampled_from(CHOICES)
    if kind == "int":
        return st.integers(-2, SIZES.get(key, 10**6))
    magnitudes = st.floats(-6, 6).map(lambda e: 10.0**e)
    return st.one_of(st.sampled_from([0.0, -1.0, 1.0, math.inf]), magnitudes,
                     magnitudes.map(lambda x: -x))


@st.composite
def overrides(draw) -> dict:
    chosen = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True))
    data: dict = {}
    for section, key, kind in chosen:
        data.setdefault(section, {})[key] = draw(values_for(key, kind))
    return data


def build(config):
    """What `pipeline.develop` does before it simulates: circuits, waves, schedule."""
    pipeline.build_circuits(config, HEADLINE.wirings(config))
    return pipeline.development_timeline(config)


@settings(max_examples=120, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(overrides())
def test_a_validated_config_builds_in_bounded_time_or_is_refused(data):
    start = time.perf_counter()
    try:
        config = from_dict(data, TINY)
        HEADLINE.validate(config)
        timeline = build(config)
    except ConfigError as error:
        assert "\n" not in str(error) and str(error)
        return
    assert timeline.duration_s > 0
    assert time.perf_counter() - start < BUILD_LIMIT_S, data
