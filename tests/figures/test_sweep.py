import math

import numpy as np
import pytest

from neurodev.experiments.config import ConfigError
from neurodev.experiments.machinery.table import write_table
from neurodev.figures.sweep import make, seed_statistics


def synthetic_rows():
    """median_osi = strength + 0.1·seed + 0.01·rate: known means and SDs over seeds 1, 2."""
    return [{"run_key": f"{s}{k}{r}", "status": "done", "seed": s, "wiring.prior_strength": k,
             "waves.preset": w, "prior.median_osi": k + 0.1 * s + 0.01 * r,
             "random.median_osi": 0.1}
            for s in (1, 2) for k in (0.0, 0.5, 1.0) for r, w in ((1, "wt"), (3, "b2ko"))]


def test_seed_statistics_average_other_keys_then_seeds():
    rows = [{k: float(v) if isinstance(v, int | float) else v for k, v in row.items()}
            for row in synthetic_rows()]
    values, means, sds, counts = seed_statistics(rows, "wiring.prior_strength", "prior.median_osi")
    assert values == [0.0, 0.5, 1.0]
    # Each seed averages rate 1 and 3 (0.02); seeds 1 and 2 add 0.1 and 0.2.
    np.testing.assert_allclose(means, np.array(values) + 0.15 + 0.02)
    np.testing.assert_allclose(sds, np.std([0.1, 0.2], ddof=1))
    np.testing.assert_array_equal(counts, [2, 2, 2])
    values, means, *_ = seed_statistics(rows, "waves.preset", "prior.median_osi")
    assert values == ["wt", "b2ko"]
    np.testing.assert_allclose(means, [0.5 + 0.15 + 0.01, 0.5 + 0.15 + 0.03])


def test_seed_statistics_leave_out_runs_without_a_value():
    rows = [{"k": 1.0, "seed": 1.0, "m": 0.5}, {"k": 1.0, "seed": 2.0, "m": math.nan},
            {"k": 2.0, "seed": 1.0, "m": math.nan}]
    _, means, sds, counts = seed_statistics(rows, "k", "m")
    assert means[0] == 0.5 and sds[0] == 0.0 and math.isnan(means[1])
    np.testing.assert_array_equal(counts, [1, 0])


def test_figure_from_table_and_unknown_metric(tmp_path):
    table = write_table(synthetic_rows(), tmp_path / "study" / "table.csv")
    axes = [("wiring.prior_strength",), ("waves.preset",)]
    paths = make(table, axes, ("median_osi",), tmp_path / "study")
    assert [p.name for p in paths] == ["summary.png", "summary.pdf"]
    assert all(p.stat().st_size > 1000 for p in paths)
    with pytest.raises(ConfigError, match=r"'osi' is not in the sweep's table; allowed: median_osi$"):
        make(table, axes, ("osi",), tmp_path / "study")
    with pytest.raises(ConfigError, match="'prior_strength' is not"):  # a config key, not a metric
        make(table, axes, ("prior_strength",), tmp_path / "study")
