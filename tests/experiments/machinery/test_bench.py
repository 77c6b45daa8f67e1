"""neurodev bench: validation, the checks' arithmetic, and a tiny run of every part."""

import json

import pytest

from neurodev.experiments.cli import _parser, main
from neurodev.experiments.config import TINY, ConfigError
from neurodev.experiments.machinery import bench
from neurodev.figures import scratch_vs_prior as scratch_vs_prior_figure


@pytest.mark.parametrize(("parts", "message"), [
    (["headline", "warp"], "bench part 'warp' is not allowed"),
    (["bare"], "need 'headline'"),
])
def test_bad_parts_are_refused(parts, message):
    with pytest.raises(ConfigError, match=message):
        bench.check_parts(parts)


def test_sweep_part_stands_alone_and_is_checked_against_the_issue_target():
    assert bench.check_parts(["sweep"]) == ["sweep"]
    assert _parser().parse_args(["bench"]).parts == "headline,bare,floor,threads,series"
    checks = bench.checks({"sweep": {"compiled_ratio": 0.6}})
    assert checks == {"sweep_two_workers_vs_one": {"measured": 0.6, "target": 0.65, "met": True}}


def test_bad_parts_on_the_command_line_exit_before_running(tmp_path, capsys):
    code = main(["bench", "--preset", "tiny", "--parts", "headline,warp", "--out", str(tmp_path)])
    assert code == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert not any(tmp_path.iterdir())


def series_entry(run_s, simulated_s=100.0, peak_mb=20.0):
    return {"wall_time_s": {"run": run_s, "compilation": 2.0}, "simulated_time_s": simulated_s,
            "peak_rss_bytes": peak_mb * 2**20}


def report(x2_run_s, time_x2_run_s, waves_x4_peak_mb=21.0):
    """Affine cost: 10 s per step overhead plus 10 s per synapse copy (×1: 20 s)."""
    return {
        "headline": {"simulated_s_per_wall_s": 45.0, "bytes_per_synapse": 120.0,
                     "wall_time_s": {"run": 110.0}},
        "bare": {"wall_time_s": {"run": 100.0}},
        "floor": {"wall_time_s": {"run": 80.0}},
        "series": {"base": series_entry(20.0), "reseeded": series_entry(20.0),
                   "synapses_x2": series_entry(x2_run_s), "synapses_x4": series_entry(50.0),
                   "time_x2": series_entry(time_x2_run_s, 200.0),
                   "waves_x4": series_entry(20.0, 400.0, waves_x4_peak_mb),
                   "structural": series_entry(21.0)},
    }


def test_checks_pass_affine_cost_and_report_each_figure():
    checks = bench.checks(report(x2_run_s=30.0, time_x2_run_s=40.0))
    assert all(check["met"] for check in checks.values())
    assert checks["simulation_vs_bare"]["measured"] == 1.1
    assert checks["simulation_vs_floor"]["measured"] == 1.375
    assert checks["memory_waves_x4"]["measured"] == 1.05
    assert checks["structural_extra"]["measured"] == 0.05
    assert checks["linearity_error"]["measured"] == 0
    assert checks["rebuild_compilation_s"]["measured"] == 2.0


@pytest.mark.parametrize(("x2_run_s", "time_x2_run_s"), [(37.0, 40.0), (30.0, 50.0)])
def test_checks_flag_cost_that_is_not_linear(x2_run_s, time_x2_run_s):
    # ×2 synapses 23 % above the line through ×1 and ×4; or ×2 time 25 % dearer per second.
    checks = bench.checks(report(x2_run_s, time_x2_run_s))
    assert not checks["linearity_error"]["met"]


def test_memory_that_grows_with_the_waves_fails_its_check():
    checks = bench.checks(report(30.0, 40.0, waves_x4_peak_mb=23.0))  # 15 % more
    assert not checks["memory_waves_x4"]["met"]


def test_marginal_memory_is_the_slope_over_the_synapse_series():
    series = {name: {"n_synapses": n, "peak_rss_bytes": 10e6 + 80 * n}
              for name, n in (("base", 1000), ("synapses_x2", 2000), ("synapses_x4", 4000))}
    assert bench.marginal_bytes_per_synapse(series) == pytest.approx(80.0)


@pytest.mark.compiler
def test_tiny_headline_bare_reference_and_floor(tmp_path):
    result = bench.run_bench(TINY, ["headline", "bare", "floor"], scratch_vs_prior_figure.make,
                             build_root=tmp_path,
                             log=lambda message: None)
    headline, bare, floor = result["headline"], result["bare"], result["floor"]
    assert floor["simulated_time_s"] == headline["simulated_time_s"]
    # The cells alone cost less than with inputs and synapses.
    assert floor["wall_time_s"]["run"] < bare["wall_time_s"]["run"]
    assert set(headline["phase_wall_time_s"]) == {
        "circuits", "waves", "simulation", "measurement", "analysis", "store", "figure"}
    assert bare["n_synapses"] == headline["n_synapses"]
    assert bare["simulated_time_s"] == headline["simulated_time_s"]
    # Poisson inputs at the headline's mean rate: ~20 000 spikes, so ±5 % is > 7 SD.
    assert bare["input_rate_hz"] == pytest.approx(headline["input_rate_hz"], rel=0.05)
    assert bare["synaptic_events"] > bare["n_synapses"]
    assert result["checks"]["simulation_vs_bare"]["measured"] > 0
    path = bench.write(result, tmp_path / "bench.json")
    assert json.loads(path.read_text())["headline"]["synaptic_events"] == headline["synaptic_events"]


@pytest.mark.slow
@pytest.mark.compiler
def test_tiny_bench_with_every_part(tmp_path):
    result = bench.run_bench(TINY, list(bench.PARTS), build_root=tmp_path,
                             log=lambda message: None)
    series = result["series"]
    # Replicated synapses: twice and four times the synapses and (nearly) the events.
    ratio = series["synapses_x4"]["synaptic_events"] / series["base"]["synaptic_events"]
    assert series["synapses_x4"]["n_synapses"] == 4 * series["base"]["n_synapses"]
    assert ratio == pytest.approx(4, rel=0.1)
    assert series["reseeded"]["seed"] != series["base"]["seed"]
    assert result["threads"]["two_processes_wall_s"] > 0
    assert set(result["checks"]) == set(bench.TARGETS)
