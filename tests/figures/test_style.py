from neurodev.figures import style


def test_a_circuit_with_turnover_keeps_its_wirings_colour_and_place_and_is_dashed():
    """The hypotheses keep their colours in every figure, structural plasticity or not; the
    variant is told apart by its dashes and its name, and drawn right after its wiring."""
    assert style.wiring_colour("random_rewired") == style.WIRING_COLOURS["random"]
    assert style.wiring_colour("prior_rewired") == style.WIRING_COLOURS["prior"]
    assert (style.wiring_linestyle("random"), style.wiring_linestyle("random_rewired")) == ("-", "--")
    assert style.wiring_name("prior_rewired") == style.WIRING_NAMES["prior"] + ", turnover on"
    assert style.in_wiring_order(["prior_rewired", "random_rewired", "prior", "random", "other"]) \
        == ["random", "random_rewired", "prior", "prior_rewired", "other"]


def test_an_unknown_circuit_is_drawn_in_black_under_its_own_name():
    assert (style.wiring_colour("prior_l4"), style.wiring_name("prior_l4")) == ("k", "prior_l4")


def test_conditions_are_named_as_in_the_literature():
    assert style.condition_name("b2ko, dark") == "β2-KO, dark reared"
