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


class _Stored:
    def __init__(self, l23_l23, n_frames=0):
        self.config = {"rules": {"l23_l23": l23_l23}, "rf_mapping": {"n_frames": n_frames}}


@pytest.mark.parametrize(("rules", "drawn"), [([[], []], False),
                                               ([[], ["pair_stdp", "channel_normalisation"]], True)])
def test_the_l23_weight_ratio_is_drawn_only_where_l23_synapses_can_learn(rules, drawn):
    """Static L2/3 E → E synapses keep the ratio at 1 by construction; one plastic run in the
    study is enough to draw it (for every condition, so that the rows line up)."""
    panels = seeds.panels_of([_Stored(r) for r in rules])
    assert panels[:len(seeds.PANELS)] == seeds.PANELS
    assert (seeds.PLASTIC_L23_PANEL in panels) is drawn


@pytest.mark.parametrize(("n_frames", "drawn"), [((0, 0), False), ((0, 300), True)])
def test_fields_from_responses_are_drawn_beside_the_weights_where_noise_mapped_them(n_frames,
                                                                                   drawn):
    panels = seeds.panels_of([_Stored([], n) for n in n_frames])
    assert (seeds.RESPONSE_FIELD_PANEL in panels) is drawn
    if drawn:
        at = panels.index(seeds.RESPONSE_FIELD_PANEL)
        assert panels[at - 1][0] == "median_rf_radius_um"
