"""The headline experiment end to end (tiny preset, compiled Brian2)."""

import json
import time

import numpy as np
import pytest

from neurodev.development.drives import NoiseInput
from neurodev.development.waves import WAVE_PRESETS
from neurodev.experiments.config import QUICK, TINY, from_dict
from neurodev.experiments.machinery.runner import run_experiment
from neurodev.experiments.machinery.store import FILES, ResultStore
from neurodev.experiments.machinery.sweep import metric_columns as sweep_metric_columns
from neurodev.experiments.protocols.pipeline import (
    build_circuits,
    development_timeline,
    input_drives,
    wave_epochs,
)
from neurodev.experiments.protocols.scratch_vs_prior import EXPERIMENT


def metrics_of(run_dir):
    return json.loads((run_dir / "metrics.json").read_text())


def test_run_stores_every_file_and_the_figure(tiny_run):
    out, run_dir = tiny_run
    assert all((run_dir / name).is_file() for name in FILES)
    figures = out / "scratch-vs-prior" / "figures"
    assert (figures / f"scratch-vs-prior_{run_dir.name}.png").stat().st_size > 10_000
    assert (figures / f"scratch-vs-prior_{run_dir.name}.pdf").is_file()
    provenance = json.loads((run_dir / "provenance.json").read_text())
    assert provenance["seed"] == 1 and provenance["brian2"].startswith("2.")
    engine = provenance["engine"]
    wall = engine["wall_time_s"]
    assert set(wall) == {"network", "code_generation", "compilation", "run"}
    assert wall["run"] > 0 and all(seconds >= 0 for seconds in wall.values())
    synapses = metrics_of(run_dir)["network"]["synapses"]
    assert engine["n_synapses"] == sum(n for circuit in synapses.values() for n in circuit.values())
    # Every synapse sees many spikes in 137 s; the compiled process holds at least each
    # synapse's two indices and weight (12 bytes) and, for 45 000 synapses, far less than 1 GB.
    assert engine["synaptic_events"] > 10 * engine["n_synapses"]
    assert 12 * engine["n_synapses"] < engine["peak_rss_bytes"] < 2**30


def test_prior_starts_tuned_to_its_map_and_random_does_not(tiny_run):
    m = metrics_of(tiny_run[1])["circuits"]
    prior, random = m["prior"], m["random"]
    # Weight receptive fields: the prior's orientation is the map's (a few degrees of grid
    # sampling error); random cells are unrelated to it (uniform: median 45°).
    assert prior["weight_preference_vs_map_deg"][0] < 10
    assert random["weight_preference_vs_map_deg"][0] > 25
    assert prior["median_weight_osi"][0] > random["median_weight_osi"][0] + 0.1
    # Spikes follow the weights: responsive prior cells prefer the map's orientation.
    assert prior["spike_preference_vs_map_deg"][0] < 20
    assert prior["median_osi"][0] > random["median_osi"][0]


def test_both_layers_are_measured_at_every_checkpoint(tiny_run):
    m = metrics_of(tiny_run[1])
    for circuit in m["circuits"].values():
        assert len(circuit["l23"]["median_osi"]) == len(circuit["median_osi"])
    assert m["circuits"]["prior"]["l23"]["fraction_responsive"][0] > 0.5
    assert m["network"]["n_exc23"] == TINY.circuit.l23_exc_side**2


def test_development_changes_weights_and_thresholds_only_while_plastic(tiny_run):
    run = ResultStore(tiny_run[0]).load(tiny_run[1])
    m = run.metrics["circuits"]["random"]
    assert m["weight_change"][0] == 0 and m["weight_change"][-1] > 0.01
    assert m["mean_threshold_shift_mv"][0] == 0 and m["mean_threshold_shift_mv"][-1] != 0
    assert all(rate > 0 for rate in m["mean_rate_development_hz"][1:])
    weights = run.arrays["random.ff_weights"]
    assert weights.dtype == np.float32 and np.all(weights >= 0)


def test_the_frozen_control_keeps_its_weights_while_random_wiring_learns(tiny_run):
    """The frozen control is the random circuit without synaptic plasticity: the same
    initial weights and checkpoint 0, its weights never change, its thresholds still adapt."""
    run = ResultStore(tiny_run[0]).load(tiny_run[1])
    weights = run.arrays["frozen_random.ff_weights"]
    np.testing.assert_array_equal(weights, np.broadcast_to(weights[0], weights.shape))
    np.testing.assert_array_equal(weights[0], run.arrays["random.ff_weights"][0])
    frozen, random = (run.metrics["circuits"][label] for label in ("frozen_random", "random"))
    assert frozen["weight_change"] == [0.0] * len(frozen["weight_change"])
    assert random["weight_change"][-1] > 0.01
    assert frozen["median_osi"][0] == random["median_osi"][0]
    assert frozen["mean_threshold_shift_mv"][-1] != 0


def test_the_nonlocal_control_draws_its_inputs_from_the_whole_retina(tiny_run):
    """Nonlocal wiring: the random circuit's weights, per cell and channel, on synapses
    spread over the retina, so its weight fields are far wider than the random circuit's."""
    run = ResultStore(tiny_run[0]).load(tiny_run[1])
    radius = {label: run.metrics["circuits"][label]["median_rf_radius_um"][0]
              for label in ("random", "nonlocal_random")}
    assert radius["nonlocal_random"] > 2 * radius["random"]
    assert sorted(run.arrays["nonlocal_random.ff_weights"][0]) == pytest.approx(
        sorted(run.arrays["random.ff_weights"][0]))


def test_fields_mapped_from_responses_lie_on_the_weights_fields(tiny_run):
    """Reverse correlation against the checkpoints' noise (`tiny`: 300 frames of 6 × 6
    checks of 100 µm) finds a field in nearly every prior cell, centred near its weights'
    centroid and wider than its weights' field, since the front end's centre–surround field
    and the checks widen it; random cells, whose fields are salt and pepper, less often."""
    run = ResultStore(tiny_run[0]).load(tiny_run[1])
    prior, random = (run.metrics["circuits"][label] for label in ("prior", "random"))
    assert all(f > 0.9 for f in prior["fraction_rf_mapped"])  # measured 0.98–1.00
    assert all(offset < 60 for offset in prior["median_rf_offset_um"])  # measured 30–35 µm
    assert prior["median_response_rf_radius_um"][0] > prior["median_rf_radius_um"][0]
    assert prior["median_response_rf_reliability"][0] > random["median_response_rf_reliability"][0]
    sta = run.arrays["prior.response_rf"]
    assert sta.shape == (len(prior["median_osi"]), TINY.circuit.exc_side**2, 36)
    mapped = run.arrays["prior.response_rf_mapped"]
    assert np.isnan(run.arrays["prior.response_rf_radius_um"][~mapped]).all()
    assert run.metrics["circuits"]["prior"]["l23"]["fraction_rf_mapped"][0] > 0.5


def test_without_noise_the_checkpoints_show_gratings_alone():
    config = from_dict({"rf_mapping": {"n_frames": 0}}, TINY)
    timeline = development_timeline(config)
    assert timeline.checkpoints[0].noise is None
    assert timeline.checkpoints[0].duration_s == pytest.approx(timeline.checkpoints[0].block.duration_s)
    assert not any(isinstance(drive, NoiseInput) for drive in input_drives(config, timeline))
    with_noise = development_timeline(TINY)
    assert len(with_noise.checkpoints[0].noise.checks) == TINY.rf_mapping.n_frames


def test_without_structural_plasticity_every_synapse_persists(tiny_run):
    run = ResultStore(tiny_run[0]).load(tiny_run[1])
    for wiring, m in run.metrics["circuits"].items():
        turnover = m["turnover"]["input_exc"]
        assert turnover["formed"] == turnover["eliminated"] == [0] * (len(turnover["live"]) - 1)
        alive = run.arrays[f"{wiring}.ff_alive"]
        assert (alive == alive[0]).all() and alive[0].sum() == turnover["live"][0]


def test_same_config_and_seed_give_identical_metrics(tiny_run, tmp_path, build_root):
    again = run_experiment("scratch-vs-prior", TINY, tmp_path, build_root=build_root,
                           log=lambda message: None)
    assert again.name == tiny_run[1].name
    assert (again / "metrics.json").read_text() == (tiny_run[1] / "metrics.json").read_text()


def test_stored_run_is_not_run_again(tiny_run, build_root):
    messages = []
    run_experiment("scratch-vs-prior", TINY, tiny_run[0], build_root=build_root,
                   log=messages.append)
    assert "already stored" in messages[0]


@pytest.mark.parametrize("preset", WAVE_PRESETS)
def test_every_wave_preset_drives_stage_two_and_stage_three_follows(preset):
    """The preset replaces stage II only: the stage-III epochs after it burst as always, ON
    before OFF, at the medium's baseline, and are the same waves whatever came before."""
    config = from_dict({"waves": {"preset": preset}, "schedule": {"n_epochs": 2}}, TINY)
    EXPERIMENT.validate(config)
    drives = wave_epochs(config)
    assert len(drives) == 2 + TINY.schedule.stage3_epochs
    stage2, stage3 = drives[:2], drives[2:]
    n_bursts = sum(len(d.burst_input) for d in stage2)
    assert (n_bursts > 0) == (preset in ("wt", "stage3", "b2ko"))
    assert (stage2[0].baseline_rate_hz.max() > 0) == (preset != "silent")
    n_sites = TINY.circuit.retina_side**2
    for drive in stage3:
        on = drive.burst_onset_s[drive.burst_input < n_sites]
        off = drive.burst_onset_s[drive.burst_input >= n_sites]
        assert len(on) == len(off) > 0
        np.testing.assert_allclose(off - on, config.waves.stage3_off_delay_ms / 1000)
        assert np.all(drive.baseline_rate_hz == config.waves.background_rate_hz)
    wild_type = wave_epochs(from_dict({"schedule": {"n_epochs": 2}}, TINY))[2:]
    for drive, wt_drive in zip(stage3, wild_type, strict=True):
        np.testing.assert_array_equal(drive.burst_input, wt_drive.burst_input)
        np.testing.assert_array_equal(drive.burst_onset_s, wt_drive.burst_onset_s)


def test_another_seed_and_wave_preset_rebuild_only_what_holds_array_sizes(tiny_run, tmp_path,
                                                                          build_root):
    """Same circuit shape, other synapses and stimuli: the simulation code is not recompiled;
    only array initialisation (objects, main) and synapse creation and snapshots are."""
    config = from_dict({"seed": 3, "waves": {"preset": "stage3"}}, TINY)
    start = time.time()
    run_dir = run_experiment("scratch-vs-prior", config, tmp_path, build_root=build_root,
                             log=lambda message: None)
    stored = ResultStore(tmp_path).load(run_dir)
    assert stored.config["waves"]["preset"] == "stage3"
    assert stored.metrics["circuits"]["random"]["weight_change"][-1] > 0
    objects = list(build_root.glob("*/slot-*/**/*.o"))
    rebuilt = {o.name for o in objects if o.stat().st_mtime >= start}
    array_sized = {"objects.o", "main.o", "synapse_snapshots_codeobject.o"} | {
        f"{name}_synapses_create_array_codeobject.o"
        for name in ("feedforward", "feedforward_inh", "recurrent")}
    # The eyes' gaze is a table of every frame of the run, whose length the waves set: the
    # inputs' frame statements that read it are compiled again (a second), nothing else.
    assert rebuilt <= array_sized | {"inputs_schedule_codeobject.o"}
    assert "cortex_stateupdater_codeobject.o" in {o.name for o in objects}


@pytest.mark.slow
@pytest.mark.compiler
def test_quick_preset_headline_numbers(tmp_path):
    """The README's main job: prior wiring starts more selective (by 0.12 over seeds 1–5, so
    ≥ 0.08 leaves room for one seed's spread), random weights learn and narrow their receptive
    fields (175 → 128 µm over seeds 1–5; ≥ 15 % narrower is well clear of the 2–3 µm seed SD),
    and the frozen control's fields stay as they were wired."""
    run_dir = run_experiment("scratch-vs-prior", QUICK, tmp_path, log=lambda message: None)
    m = metrics_of(run_dir)["circuits"]
    assert m["prior"]["median_osi"][0] >= m["random"]["median_osi"][0] + 0.08
    assert m["random"]["weight_change"][-1] > 0.05
    radius = {label: m[label]["median_rf_radius_um"] for label in ("random", "frozen_random")}
    assert radius["random"][-1] < 0.85 * radius["random"][0]
    assert radius["frozen_random"][-1] == pytest.approx(radius["frozen_random"][0], abs=1e-9)


@pytest.mark.slow
@pytest.mark.compiler
def test_runtime_mode_reproduces_compiled_standalone(tiny_run, tmp_path):
    """Brian2's runtime and cpp_standalone devices share random streams: the same tiny run
    agrees to the last digit before development. During development float ordering and
    -ffast-math make the two spike trains diverge (the network is chaotic), so later
    checkpoints agree as two realisations of one run: OSI within 0.05 (a quarter of the
    prior-random gap), rates within 10 %, weights within 5 %."""
    config = from_dict({"engine": {"device": "runtime"}}, TINY)
    run_dir = run_experiment("scratch-vs-prior", config, tmp_path, log=lambda message: None)
    runtime, standalone = metrics_of(run_dir)["circuits"], metrics_of(tiny_run[1])["circuits"]
    tolerance = {"median_osi": {"atol": 0.05}, "mean_rate_gratings_hz": {"rtol": 0.1},
                 "weight_change": {"rtol": 0.05}, "median_weight_osi": {"rtol": 0.05}}
    for wiring in ("random", "prior"):
        for key, allowed in tolerance.items():
            assert runtime[wiring][key][0] == pytest.approx(standalone[wiring][key][0], abs=1e-9)
            np.testing.assert_allclose(runtime[wiring][key], standalone[wiring][key], **allowed)


def test_declared_metric_columns_are_the_stored_ones(tiny_run):
    """A sweep file's metric names are checked against these before anything runs."""
    run = ResultStore(tiny_run[0]).load(tiny_run[1], arrays=False)
    assert set(sweep_metric_columns(run.metrics)) == EXPERIMENT.metric_columns(TINY)


def test_rearing_conditions_share_development_up_to_eye_opening(tmp_path, build_root):
    """One vision epoch after the waves, under `normal` and `dark` rearing: the runs are the
    same until eye opening (same input spikes, so identical metrics), and differ after."""
    runs = {}
    for kind in ("normal", "dark"):
        config = from_dict({"schedule": {"vision_epochs": 1}, "experience": {"kind": kind}}, TINY)
        run_dir = run_experiment(EXPERIMENT.name, config, tmp_path / kind, build_root=build_root,
                                 log=lambda message: None)
        runs[kind] = metrics_of(run_dir)
    opening = TINY.schedule.n_epochs + TINY.schedule.stage3_epochs
    development = runs["normal"]["development"]
    assert development["vision_s"][opening] == 0 < development["vision_s"][opening + 1]
    assert development["waves"][opening] == development["waves"][opening + 1]
    for label, normal in runs["normal"]["circuits"].items():
        dark = runs["dark"]["circuits"][label]
        assert len(normal["median_osi"]) == opening + 2
        assert normal["median_osi"][:opening + 1] == dark["median_osi"][:opening + 1]
        assert normal["weight_change"][:opening + 1] == dark["weight_change"][:opening + 1]
        # After eye opening they differ (the frozen control's weights do not, its spikes do).
        assert (normal["weight_change"][-1] != dark["weight_change"][-1]
                or label == "frozen_random")
        assert normal["mean_rate_development_hz"][-1] != dark["mean_rate_development_hz"][-1]


def test_the_l23_prior_is_set_apart_from_the_l4_prior():
    """With ``l23_prior_strength = 0`` the prior keeps its L4 prior but its L4 → L2/3
    synapses are the random circuit's (distance only, the same draws)."""
    config = from_dict({"wiring": {"l23_prior_strength": 0.0}}, TINY)
    circuits = {c.label: c for c in build_circuits(config, EXPERIMENT.wirings(config))}
    random, prior = circuits["random"].projections, circuits["prior"].projections
    for end in ("pre", "post"):
        np.testing.assert_array_equal(getattr(prior["exc_exc23"], end),
                                      getattr(random["exc_exc23"], end))
    assert not np.array_equal(prior["input_exc"].weight, random["input_exc"].weight)
