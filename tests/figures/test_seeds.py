import pytest

from neurodev.figures import seeds
from neurodev.figures.style import plt


@pytest.mark.parametrize(("values", "span"), [([1.0, 1.0001], 0.05), ([0.1, 0.4], 0.33)])
def test_only_a_flat_panel_is_widened(values, span):
    """A metric that barely moves gets a readable range around its value; a panel that varies
    keeps matplotlib's own range (0.3 plus its 5 % margins at each end)."""
    figure, ax = plt.subplots()
    ax.plot([0, 1], values)
    seeds._widen_flat_axis(ax)
    low, high = ax.get_ylim()
    plt.close(figure)
    assert low < min(values) and max(values) < high
    assert high - low == pytest.approx(span, rel=1e-6)
