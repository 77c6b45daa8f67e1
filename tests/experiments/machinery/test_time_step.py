"""The time-step study's comparison on metrics with a known answer."""

import pytest

from neurodev.experiments.machinery.time_step import (
    STUDIED_METRICS,
    compare,
    table,
)


def run_metrics(osi_final):
    """One run's stored metrics: every studied metric at 0.3 then 0.5, except the final
    median OSI of the random circuit."""
    def circuit(final):
        values = {name: [0.3, 0.5] for name in STUDIED_METRICS if "." not in name}
        values["median_osi"] = [0.3, final]
        values["l23"] = {name.split(".")[1]: [0.3, 0.5] for name in STUDIED_METRICS if "." in name}
        return values
    return {"circuits": {"random": circuit(osi_final), "prior": circuit(0.5)}}


def test_time_steps_pass_while_their_mean_stays_within_the_finest_seed_spread():
    # Finest: final OSI 0.4, 0.5, 0.6 over seeds (SD 0.1); 0.5 ms shifts it by 0.05 (half
    # an SD), 1 ms by 0.2 (two SDs).
    finest = [run_metrics(v) for v in (0.4, 0.5, 0.6)]
    shifted = {"dt 0.5 ms": [run_metrics(v + 0.05) for v in (0.4, 0.5, 0.6)],
               "dt 1 ms": [run_metrics(v + 0.2) for v in (0.4, 0.5, 0.6)]}
    result = compare({"dt 0.1 ms": finest, **shifted}, "dt 0.1 ms")
    assert result["passes"] == {"dt 0.1 ms": True, "dt 0.5 ms": True, "dt 1 ms": False}
    row = next(r for r in result["rows"] if r["variant"] == "dt 1 ms"
               and r["circuit"] == "random" and r["metric"] == "median_osi")
    assert row["in_sd"][-1] == pytest.approx(2.0)
    assert row["sd"][-1] == pytest.approx(0.1)
    assert row["in_sd"][0] is None  # no spread, no difference: nothing to judge
    float32 = compare({"dt 0.1 ms": finest, "float32, dt 0.5 ms": shifted["dt 0.5 ms"]},
                      "dt 0.1 ms")
    costs = {"dt 0.1 ms": 0.1, "dt 0.5 ms": 0.02, "dt 1 ms": 0.01, "float32, dt 0.5 ms": 0.015}
    text = table({"preset": "quick", "seeds": [1, 2, 3], "reference": "dt 0.1 ms",
                  "largest_passing_ms": 0.5, "time_steps": result, "float32": float32,
                  "run_s_per_simulated_s": costs})
    assert "largest time step within the spread: 0.5 ms" in text
    assert "dt 1 ms: NOT within" in text
    assert "float32, dt 0.5 ms: within" in text


def test_the_reported_l23_median_osi_does_not_gate():
    def with_l23_osi(value):
        metrics = run_metrics(0.5)
        metrics["circuits"]["random"]["l23"]["median_osi"] = [0.3, value]
        return metrics
    finest = [with_l23_osi(v) for v in (0.4, 0.5, 0.6)]
    shifted = [with_l23_osi(v + 0.5) for v in (0.4, 0.5, 0.6)]  # five SDs
    assert compare({"a": finest, "b": shifted}, "a")["passes"] == {"a": True, "b": True}
