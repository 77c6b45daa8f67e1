import numpy as np
import pytest

from neurodev.experiments.measures.turnover import turnover


def test_turnover_of_a_known_history():
    # 10 synapses: 4 eliminated before checkpoint 1, 2 formed (one of them eliminated again)
    # before checkpoint 2.
    alive = np.zeros((3, 10), dtype=bool)
    alive[0, :6] = True
    alive[1, :2] = True
    alive[2, [0, 1, 6]] = True
    t = turnover(alive, np.array([0, 0, 2]), np.array([0, 4, 5]))
    assert t["live"] == [6, 2, 3]
    assert t["formed"] == [0, 2] and t["eliminated"] == [4, 1]
    assert t["persistent_fraction"] == pytest.approx([2 / 6, 1.0])
    assert t["eliminated_fraction"] == pytest.approx([4 / 6, 0.5])
    assert t["formed_total_fraction"] == pytest.approx(2 / 6)
    assert t["eliminated_total_fraction"] == pytest.approx(5 / 6)


def test_constant_wiring_has_no_turnover():
    alive = np.ones((4, 5), dtype=bool)
    zero = np.zeros(4, dtype=int)
    t = turnover(alive, zero, zero)
    assert t["persistent_fraction"] == [1.0] * 3
    assert t["formed_fraction"] == t["eliminated_fraction"] == [0.0] * 3
