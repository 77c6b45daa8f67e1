"""The rearing experiment end to end through the command line: its conditions × seeds on
the sweep executors, every run's figure and the multi-seed figure."""

import math

from neurodev.development.vision import EXPERIENCES
from neurodev.experiments.cli import main
from neurodev.experiments.config import TINY
from neurodev.experiments.machinery.store import ResultStore


def test_rearing_runs_every_condition_and_seed_and_draws_them_together(tmp_path, capsys):
    out = tmp_path / "results"
    assert main(["run", "rearing", "--preset", "tiny", "--seeds", "2", "--workers", "2",
                 "--out", str(out)]) == 0
    store = ResultStore(out)
    runs = [store.load(run_dir, arrays=False) for run_dir in store.runs("rearing")]
    assert sorted((run.config["experience"]["kind"], run.config["seed"]) for run in runs) == \
        sorted((kind, seed) for kind in EXPERIENCES for seed in (1, 2))
    figures = out / "rearing" / "figures"
    studies = sorted(figures.glob("rearing_*_seeds.png"))
    assert len(studies) == 1 and studies[0].stat().st_size > 20_000
    assert len(list(figures.glob("rearing_*.pdf"))) == len(runs) + 1
    # The conditions of one seed share everything up to eye opening, and differ after it.
    opening = TINY.schedule.n_epochs + TINY.schedule.stage3_epochs
    seed_1 = {run.config["experience"]["kind"]: run.metrics["circuits"]
              for run in runs if run.config["seed"] == 1}
    for label, normal in seed_1["normal"].items():
        for kind in ("dark", "lid_suture"):
            other = seed_1[kind][label]
            assert other["median_osi"][:opening + 1] == normal["median_osi"][:opening + 1]
        assert (seed_1["dark"][label]["mean_rate_development_hz"][-1]
                != normal["mean_rate_development_hz"][-1])
    # Redrawn from the store alone: the same study figure, by the same name.
    capsys.readouterr()
    studies[0].unlink()
    assert main(["figures", "rearing", "--out", str(out)]) == 0
    assert studies[0].is_file()
    # Every checkpoint is labelled with its phase; each phase has its convergence, and each
    # circuit its headstart (reached, or censored at the last checkpoint).
    kind = runs[0].config["experience"]["kind"]
    assert runs[0].metrics["development"]["phase"] == ["start", "wt", "stage3", f"vision_{kind}"]
    for circuit in runs[0].metrics["circuits"].values():
        assert set(circuit["convergence"]) == {"wt", "stage3", f"vision_{kind}"}
        headstart = circuit["headstart"]
        assert headstart["reached"] == math.isnan(headstart["censored_at_s"])
