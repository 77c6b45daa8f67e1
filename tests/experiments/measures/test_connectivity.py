"""Connection specificity against a synthetic network with a known rule."""

import numpy as np
import pytest

from neurodev.experiments.measures.connectivity import connection_specificity


def like_to_like_network(rng, n_cells=300, p_similar=0.3, p_other=0.05):
    """Cells with uniform preferences; i → j connected with `p_similar` when their
    orientations differ by less than 22.5°, else `p_other`; weight 2 for similar, 1 else."""
    preferred = rng.uniform(0, np.pi, n_cells)
    d = np.abs(preferred[:, None] - preferred[None, :]) % np.pi
    d = np.degrees(np.minimum(d, np.pi - d))
    similar = d < 22.5
    connected = rng.random((n_cells, n_cells)) < np.where(similar, p_similar, p_other)
    np.fill_diagonal(connected, False)
    pre, post = np.nonzero(connected)
    weight = np.where(similar[pre, post], 2.0, 1.0)
    return pre, post, weight, preferred, similar


def test_connection_probability_and_weight_follow_the_rule_with_intervals_that_cover_it(rng):
    pre, post, weight, preferred, similar = like_to_like_network(rng)
    out = connection_specificity(pre, post, weight, preferred, np.ones(300, bool), rng)
    # Each bin holds ~22 000 pairs: the SD of p̂ is ≤ 0.003, so 0.015 is ≥ 5 SD.
    assert out["probability"][0] == pytest.approx(0.3, abs=0.015)
    np.testing.assert_allclose(out["probability"][1:], 0.05, atol=0.01)
    assert np.all(out["probability_low"] <= out["probability"])
    assert out["probability_low"][0] < 0.3 + 0.015 and out["probability_high"][0] > 0.3 - 0.015
    np.testing.assert_allclose(out["mean_weight"], [2.0, 1.0, 1.0, 1.0])
    assert out["n_pairs"].sum() == 300 * 299
    expected = (0.3 * similar.sum() + 0.05 * (~similar).sum() - 0.3 * 300) / (300 * 299)
    assert out["overall_probability"] == pytest.approx(expected, abs=0.005)


def test_only_measured_cells_enter_and_pairs_count_once(rng):
    pre, post, weight, preferred, _ = like_to_like_network(rng, n_cells=60)
    measured = np.arange(60) < 30
    out = connection_specificity(np.concatenate([pre, pre]), np.concatenate([post, post]),
                                 np.concatenate([weight, weight]), preferred, measured, rng)
    assert out["n_pairs"].sum() == 30 * 29
    inside = measured[pre] & measured[post]
    assert out["overall_probability"] == pytest.approx(inside.sum() / (30 * 29))
    # A duplicated synapse doubles the pair's weight, not its count.
    assert np.nanmax(out["mean_weight"]) == pytest.approx(4.0)


def test_an_empty_population_gives_no_numbers(rng):
    out = connection_specificity(np.array([0]), np.array([1]), np.array([1.0]),
                                 np.zeros(3), np.zeros(3, bool), rng)
    assert np.all(out["n_pairs"] == 0) and np.all(np.isnan(out["probability"]))
    assert np.isnan(out["overall_probability"])
