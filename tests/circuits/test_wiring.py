import itertools

import numpy as np
import pytest

from neurodev.circuits.maps import MAP_KINDS
from neurodev.circuits.sheets import pairwise_distances
from neurodev.circuits.spec import CircuitParams, WiringParams, build_circuit
from neurodev.circuits.wiring import MAX_POOL_RATIO, Projection, distance_dependent, gabor, normalise_groups
from neurodev.experiments.measures.maps import input_orientation_spread
from neurodev.experiments.measures.receptive_fields import (
    receptive_field_radius,
    receptive_fields,
    weight_orientation,
)
from neurodev.experiments.measures.tuning import circular_difference

PARAMS = CircuitParams()
WIRING = WiringParams()


def circuit(strength, seed=7):
    return build_circuit("c", PARAMS, WIRING, strength, seed)


def test_gabor_carrier_runs_along_theta():
    offsets = np.array([[150.0, 0.0], [0.0, 150.0]])
    values = gabor(offsets, np.zeros(2), np.zeros(2), 300.0, 1e9)
    np.testing.assert_allclose(values, [-1.0, 1.0], atol=1e-12)  # half a wavelength along x


def test_normalise_groups_gives_each_group_the_total():
    groups = np.array([0, 0, 1, 1, 1])
    weight = normalise_groups(np.array([1.0, 3.0, 0.0, 0.0, 0.0]), groups, 2.0)
    np.testing.assert_allclose(np.bincount(groups, weight), [2.0, 2.0])
    np.testing.assert_allclose(weight[2:], 2 / 3)  # an all-zero group becomes uniform


@pytest.mark.parametrize("strength", [0.0, 0.5, 1.0])
def test_each_channel_of_each_cell_carries_the_same_total(strength):
    spec = circuit(strength)
    ff = spec.projections["input_exc"]
    n_sites = len(spec.input_positions_um)
    for on in (True, False):
        mask = (ff.pre < n_sites) == on
        totals = np.bincount(ff.post[mask], ff.weight[mask], minlength=spec.n_exc)
        np.testing.assert_allclose(totals, PARAMS.ff_weight_per_channel, rtol=1e-12)


def test_wirings_share_synapses_and_differ_in_weights():
    random, prior = circuit(0.0), circuit(1.0)
    a, b = random.projections["input_exc"], prior.projections["input_exc"]
    np.testing.assert_array_equal(a.pre, b.pre)
    np.testing.assert_array_equal(a.post, b.post)
    assert not np.allclose(a.weight, b.weight)
    np.testing.assert_array_equal(random.map_theta, prior.map_theta)


@pytest.mark.parametrize("probability", [0.7, 0.3])
def test_feedforward_pool_holds_live_synapses_and_dead_candidates(probability):
    params = CircuitParams(ff_connection_probability=probability)
    ff = build_circuit("c", params, WIRING, 1.0, 7).projections["input_exc"]
    assert np.all(ff.weight[~ff.alive] == 0)
    ratio = ff.n_synapses / ff.n_live
    # Candidates join with min(1, 2p): the expected ratio is 1/p for p >= 0.5, 2 below; the
    # ~10^4 candidates put the sampling error of the ratio under 2 %.
    assert ratio == pytest.approx(min(1 / probability, MAX_POOL_RATIO), rel=0.03)
    live = ff.live()
    assert live.n_synapses == ff.n_live and live.alive.all()


def test_feedforward_synapses_lie_within_the_arbor():
    spec = circuit(1.0)
    ff = spec.projections["input_exc"]
    site = ff.pre % len(spec.input_positions_um)
    distance = np.hypot(*(spec.input_positions_um[site] - spec.rf_centres_um[ff.post]).T)
    assert distance.max() <= PARAMS.ff_arbor_radius_um


def test_random_fields_start_wider_than_the_priors_and_leave_room_to_refine():
    """The arbor spans 2.5 Gabor envelopes, so a random cell's field (uniform over the arbor)
    starts wider than a prior cell's and activity can narrow it towards the prior's size; the
    ~55 live synapses per cell are the ~78 sites × 2 channels of the arbor times p = 0.35."""
    assert PARAMS.ff_arbor_radius_um >= 2.5 * WIRING.gabor_sigma_um
    radius = {}
    for strength in (0.0, 1.0):
        spec = circuit(strength)
        ff = spec.projections["input_exc"]
        rf = receptive_fields(ff.pre, ff.post, ff.weight, len(spec.input_positions_um), spec.n_exc)
        radius[strength] = np.median(receptive_field_radius(rf, spec.input_positions_um))
        # Binomial(157, 0.35) per cell, SD 6: the mean of 256 cells has an SE of 0.4.
        assert ff.n_live / spec.n_exc == pytest.approx(55, abs=2)
    assert radius[0.0] > 1.2 * radius[1.0]  # measured 174 µm against 133 µm


def test_prior_receptive_fields_follow_the_map():
    """The weight-based preferred orientation of prior cells is the map's θ; random cells'
    preferences are unrelated to it (uniform differences have a median of 45°)."""
    deviation = {}
    for strength in (0.0, 1.0):
        spec = circuit(strength)
        ff = spec.projections["input_exc"]
        rf = receptive_fields(ff.pre, ff.post, ff.weight, len(spec.input_positions_um), spec.n_exc)
        _, preferred = weight_orientation(rf, spec.input_positions_um, WIRING.gabor_wavelength_um)
        deviation[strength] = np.degrees(circular_difference(preferred, spec.map_theta))
    # The template is sampled on a 50 µm grid with 30 % of synapses missing: a few degrees of error.
    assert np.median(deviation[1.0]) < 10
    assert 30 < np.median(deviation[0.0]) < 60


def test_distance_dependent_connectivity_falls_with_distance(rng):
    positions = np.column_stack([np.arange(400) * 10.0, np.zeros(400)])
    p = distance_dependent("exc", "exc", positions, positions, peak_probability=0.5,
                           sigma_um=100.0, weight=0.1, rng=rng)
    assert not np.any(p.pre == p.post)
    distance = pairwise_distances(positions, positions)[p.pre, p.post]
    near, far = np.mean(distance < 100), np.mean(distance > 300)
    assert near > 10 * far
    np.testing.assert_array_equal(p.weight, 0.1)


def test_same_seed_same_circuit():
    a, b = circuit(0.7, seed=3), circuit(0.7, seed=3)
    for name in a.projections:
        np.testing.assert_array_equal(a.projections[name].weight, b.projections[name].weight)


def l23_input_agreement(spec):
    ff = spec.projections["exc_exc23"]
    resultant, _ = input_orientation_spread(ff.pre, ff.post, spec.map_theta, spec.l23_theta,
                                            spec.n_exc23)
    return float(np.nanmedian(resultant))


@pytest.mark.parametrize("kind", ["columnar", "salt_and_pepper"])
def test_like_to_like_l23_inputs_share_the_cells_orientation(kind):
    wiring = WiringParams(map=kind)
    like = build_circuit("prior", PARAMS, wiring, 1.0, seed=2)
    distance_only = build_circuit("prior_l4", PARAMS, wiring, 1.0, seed=2,
                                  l23_prior_strength=0.0)
    # Same L4, same draws: only the L4 → L2/3 synapses differ.
    np.testing.assert_array_equal(like.projections["input_exc"].weight,
                                  distance_only.projections["input_exc"].weight)
    assert l23_input_agreement(like) > l23_input_agreement(distance_only) + 0.2
    if kind == "salt_and_pepper":
        # ~9 inputs of independent orientation: resultant ≈ 1/√9 ≈ 0.3 (Rayleigh median 0.28).
        assert l23_input_agreement(distance_only) < 0.4


def test_clones_share_their_l4_mothers_orientation():
    wiring = WiringParams(map="salt_and_pepper", clone_fraction=1.0, clone_jitter_deg=0.0)
    spec = build_circuit("prior", PARAMS, wiring, 1.0, seed=3)
    assert np.all(spec.clone_mother >= 0)
    np.testing.assert_allclose(spec.l23_theta, spec.map_theta[spec.clone_mother])
    nearest = np.argmin(pairwise_distances(spec.l23_exc_positions_um, spec.exc_positions_um), axis=1)
    np.testing.assert_array_equal(spec.clone_mother, nearest)
    none = build_circuit("prior", PARAMS, WiringParams(clone_fraction=0.0), 1.0, seed=3)
    assert np.all(none.clone_mother == -1)


def test_rodent_prior_wires_selective_cells_without_a_map():
    wiring = WiringParams(map="salt_and_pepper")
    specs = {s: build_circuit("c", PARAMS, wiring, s, seed=4) for s in (0.0, 1.0)}
    osi = {}
    for s, spec in specs.items():
        ff = spec.projections["input_exc"]
        rf = receptive_fields(ff.pre, ff.post, ff.weight[None], len(spec.input_positions_um),
                              spec.n_exc)
        osi[s], preferred = weight_orientation(rf, spec.input_positions_um, wiring.gabor_wavelength_um)
    assert np.median(osi[1.0]) > np.median(osi[0.0]) + 0.1
    deviation = np.degrees(circular_difference(preferred[0], specs[1.0].map_theta))
    assert np.median(deviation) < 10  # the prior's RFs follow each cell's own random θ


def test_the_weight_bound_is_the_channel_total_and_holds_every_seeds_weights():
    """Every map at several seeds, on the `quick` sheets and on small ones like `tiny`'s (whose
    narrow arbor gives a Gabor lobe few synapses, the largest weights): every initial weight
    lies within the bound, and a replica divides it like its weights."""
    small = CircuitParams(retina_side=12, exc_side=8, inh_count=16, ff_arbor_radius_um=150.0)
    for params in (PARAMS, small):
        for seed, kind in itertools.product(range(1, 6), MAP_KINDS):
            ff = build_circuit("prior", params, WiringParams(map=kind), 1.0, seed).projections["input_exc"]
            assert ff.weight_bound == params.ff_weight_per_channel
            assert 0 < ff.weight.max() <= ff.weight_bound
    assert circuit(1.0).replicated(4).projections["input_exc"].weight_bound == pytest.approx(
        PARAMS.ff_weight_per_channel / 4)
    with pytest.raises(ValueError, match=r"an initial weight exceeds the weight bound 0\.5"):
        Projection("input", "exc", np.zeros(1, np.int32), np.zeros(1, np.int32), np.ones(1),
                   weight_bound=0.5)


def test_replicated_circuit_has_copies_of_every_synapse_with_the_same_total_drive():
    spec = circuit(1.0)
    copies = spec.replicated(3)
    for name, projection in spec.projections.items():
        replica = copies.projections[name]
        assert replica.n_synapses == 3 * projection.n_synapses
        np.testing.assert_array_equal(replica.pre[::3], projection.pre)
        np.testing.assert_array_equal(replica.alive[2::3], projection.alive)
        drive = np.bincount(projection.post, projection.weight)
        np.testing.assert_allclose(np.bincount(replica.post, replica.weight,
                                               minlength=len(drive)), drive)


def test_a_shuffled_prior_cell_holds_exactly_the_prior_cells_weights_per_channel():
    prior = build_circuit("prior", PARAMS, WIRING, 1.0, seed=5)
    shuffled = build_circuit("shuffled_prior", PARAMS, WIRING, 1.0, seed=5, shuffled=True)
    a, b = prior.projections["input_exc"], shuffled.projections["input_exc"]
    np.testing.assert_array_equal(a.pre, b.pre)
    np.testing.assert_array_equal(a.alive, b.alive)
    assert np.all(b.weight[~b.alive] == 0)
    n_sites = len(prior.input_positions_um)
    for cell in range(prior.n_exc):
        for channel in (a.pre < n_sites, a.pre >= n_sites):
            mine = (a.post == cell) & channel
            np.testing.assert_array_equal(np.sort(a.weight[mine]), np.sort(b.weight[mine]))
    # The arrangement is gone: about half of a channel's weights are zeros (the other
    # lobe), so ~27 % of synapses keep their weight (mostly zeros), and the weights' OSI
    # falls from the prior's 0.43 to the random circuit's level (0.20 against 0.22).
    assert np.mean(a.weight[a.alive] == b.weight[a.alive]) < 0.4
    weight_osi = [np.median(weight_orientation(receptive_fields(
        spec.projections["input_exc"].pre, spec.projections["input_exc"].post,
        spec.projections["input_exc"].weight[None], n_sites, spec.n_exc),
        spec.input_positions_um, WIRING.gabor_wavelength_um)[0]) for spec in (prior, shuffled)]
    assert weight_osi[1] < weight_osi[0] - 0.15
    # Everything else is the prior's.
    for name in prior.projections:
        if name != "input_exc":
            np.testing.assert_array_equal(prior.projections[name].weight,
                                          shuffled.projections[name].weight)


def test_a_nonlocal_cell_keeps_its_weights_on_as_many_distinct_sites_anywhere():
    """The nonlocal control: per cell and channel, the random circuit's number of synapses
    and multiset of weights, on distinct sites spread over the retina (their mean distance
    from the cell's RF centre is that of uniform sites, not the arbor's)."""
    local = build_circuit("random", PARAMS, WIRING, 0.0, seed=5)
    scattered = build_circuit("nonlocal_random", PARAMS, WIRING, 0.0, seed=5, nonlocal_arbor=True)
    a, b = local.projections["input_exc"], scattered.projections["input_exc"]
    n_sites = len(local.input_positions_um)
    for cell in range(local.n_exc):
        for channel in (0, 1):
            mine_a = (a.post == cell) & (a.pre // n_sites == channel)
            mine_b = (b.post == cell) & (b.pre // n_sites == channel)
            assert sorted(a.weight[mine_a]) == pytest.approx(sorted(b.weight[mine_b]))
            assert len(set(b.pre[mine_b])) == mine_b.sum()
    centres = local.rf_centres_um

    def mean_distance(projection):
        sites = local.input_positions_um[projection.pre % n_sites]
        return np.linalg.norm(sites - centres[projection.post], axis=1).mean()

    positions = local.input_positions_um
    uniform = np.linalg.norm(positions[None] - centres[:, None], axis=2).mean()
    assert mean_distance(a) < PARAMS.ff_arbor_radius_um
    assert mean_distance(b) == pytest.approx(uniform, rel=0.05)
    # Only the feed-forward synapses onto L4 move: everything else is the random circuit's.
    for name in local.projections:
        if name != "input_exc":
            np.testing.assert_array_equal(local.projections[name].pre, scattered.projections[name].pre)
