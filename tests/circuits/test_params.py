import pytest

from neurodev.circuits.params import ParameterError, check_choice, check_range


@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan"), "0.5", True])
def test_check_range_rejects_out_of_range_and_non_numbers(value):
    with pytest.raises(ParameterError, match=r"p = .* is not allowed: a number in \[0, 1\]"):
        check_range("p", value, 0, 1)


def test_check_range_integer_and_open_bound():
    check_range("n", 3, 1, 10, integer=True)
    with pytest.raises(ParameterError, match="an integer"):
        check_range("n", 3.0, 1, 10, integer=True)
    with pytest.raises(ParameterError, match=r"\(0, 1\]"):
        check_range("p", 0.0, 0, 1, open_low=True)


def test_error_names_section_once_placed():
    error = ParameterError("prior_strength", 1.5, "a number in [0, 1]").within("wiring")
    assert str(error) == "wiring.prior_strength = 1.5 is not allowed: a number in [0, 1]"


def test_check_choice():
    check_choice("preset", "wt", ("wt", "silent"))
    with pytest.raises(ParameterError, match="one of 'wt', 'silent'"):
        check_choice("preset", "b2ko", ("wt", "silent"))
