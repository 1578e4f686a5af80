"""[PASS]/[FAIL] outcome checks (course_utils.checks)."""

from __future__ import annotations


import numpy as np
import pytest

import json

from course_utils.checks import (CheckFailed, check, check_beats, check_between, check_close,
                                 check_exercise, check_greater, check_less)

pytestmark = pytest.mark.usefixtures("hermetic")


def test_check_failed_is_an_assertion_error():
    assert issubclass(CheckFailed, AssertionError)


# ---------------------------------------------------------------- check


def test_check_pass(capsys):
    assert check("the images are normalised", True, "max 1.0") is None
    assert capsys.readouterr().out == "[PASS] the images are normalised: max 1.0\n"


def test_check_pass_default_detail(capsys):
    check("a numpy boolean counts", np.bool_(True))
    assert capsys.readouterr().out == "[PASS] a numpy boolean counts: holds\n"


def test_check_fail(capsys):
    with pytest.raises(CheckFailed, match=r"^\[FAIL\] shapes agree: does not hold$"):
        check("shapes agree", False)
    assert capsys.readouterr().out == "[FAIL] shapes agree: does not hold\n"


def test_check_fail_is_caught_as_assertion_error(capsys):
    with pytest.raises(AssertionError, match=r"\[FAIL\] loss went down: 3 > 2"):
        check("loss went down", 3 < 2, "3 > 2")
    assert "[FAIL] loss went down: 3 > 2" in capsys.readouterr().out


@pytest.mark.parametrize("condition", [1, 0, "yes", None, np.array([True, True]), 1.0])
def test_check_condition_must_be_a_boolean(condition):
    with pytest.raises(TypeError, match=r"condition=.*: expected True or False"):
        check("something", condition)


# ---------------------------------------------------------------- check_less / check_greater


def test_check_less_pass_and_fail(capsys):
    check_less("reconstruction error", 0.5, 1.0)
    assert capsys.readouterr().out == "[PASS] reconstruction error: 0.5 < 1\n"
    with pytest.raises(CheckFailed, match=r"\[FAIL\] reconstruction error: 2 >= 1"):
        check_less("reconstruction error", 2.0, 1)
    assert capsys.readouterr().out == "[FAIL] reconstruction error: 2 >= 1\n"


def test_check_less_is_strict(capsys):
    with pytest.raises(CheckFailed):
        check_less("equal is not less", 1.0, 1.0)
    assert "1 >= 1" in capsys.readouterr().out


def test_check_greater_pass_and_fail(capsys):
    check_greater("accuracy", 0.9123456, 0.85)
    assert capsys.readouterr().out == "[PASS] accuracy: 0.9123 > 0.85\n"  # 4 significant digits
    with pytest.raises(CheckFailed, match=r"\[FAIL\] accuracy: 0.5 <= 0.85"):
        check_greater("accuracy", 0.5, 0.85)
    with pytest.raises(CheckFailed):
        check_greater("equal is not greater", 2, 2)


@pytest.mark.parametrize("value", [np.float32(0.25), np.int64(0), np.array(0.25), np.array([0.25]),
                                   0.25, 0])
def test_check_less_accepts_numpy_numbers(value, capsys):
    check_less("numbers of any kind", value, 1)
    assert capsys.readouterr().out.startswith("[PASS]")


@pytest.mark.parametrize("check_function", [check_less, check_greater])
def test_checks_handle_infinity(check_function):
    bound = np.inf if check_function is check_less else -np.inf
    check_function("a finite number against infinity", 1e300, bound)


@pytest.mark.parametrize("check_function", [check_less, check_greater])
@pytest.mark.parametrize("argument, args", [("value", (float("nan"), 1.0)),
                                            ("bound", (1.0, np.float32("nan")))])
def test_nan_is_an_error_not_a_failure(check_function, argument, args, capsys):
    with pytest.raises(ValueError, match=rf"{argument} is NaN: the quantity being checked was not computed"):
        check_function("loss", *args)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("check_function", [check_less, check_greater])
@pytest.mark.parametrize("bad", ["0.5", None, True, np.bool_(False), [0.5], np.array([1.0, 2.0]),
                                 1 + 2j])
def test_non_numbers_are_type_errors(check_function, bad):
    with pytest.raises(TypeError, match=r"value=.*: expected a single real number"):
        check_function("loss", bad, 1.0)
    with pytest.raises(TypeError, match=r"bound=.*: expected a single real number"):
        check_function("loss", 1.0, bad)


# ---------------------------------------------------------------- check_between


def test_check_between_pass_inclusive(capsys):
    check_between("probability", 0.3, 0.0, 1.0)
    check_between("lower edge counts", 0.0, 0.0, 1.0)
    check_between("upper edge counts", 1.0, 0.0, 1.0)
    check_between("a point interval", 2, 2, 2)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "[PASS] probability: 0.3 in [0, 1]"
    assert all(line.startswith("[PASS]") for line in out) and len(out) == 4


def test_check_between_fail(capsys):
    with pytest.raises(CheckFailed, match=r"\[FAIL\] probability: 1.5 outside \[0, 1\]"):
        check_between("probability", 1.5, 0, 1)
    assert capsys.readouterr().out == "[FAIL] probability: 1.5 outside [0, 1]\n"


def test_check_between_low_above_high():
    with pytest.raises(ValueError, match=r"low=2.0 is above high=1.0"):
        check_between("probability", 1.5, 2, 1)


@pytest.mark.parametrize("argument, args", [("value", ("x", 0, 1)), ("low", (0.5, None, 1)),
                                            ("high", (0.5, 0, [1]))])
def test_check_between_type_errors_name_the_argument(argument, args):
    with pytest.raises(TypeError, match=rf"{argument}=.*: expected a single real number"):
        check_between("probability", *args)


@pytest.mark.parametrize("argument, args", [("value", (np.nan, 0, 1)), ("low", (0.5, np.nan, 1)),
                                            ("high", (0.5, 0, np.nan))])
def test_check_between_nan(argument, args):
    with pytest.raises(ValueError, match=rf"{argument} is NaN"):
        check_between("probability", *args)


# ---------------------------------------------------------------- check_close


def test_check_close_scalars(capsys):
    check_close("purity", 0.8 + 1e-9, 0.8)
    out = capsys.readouterr().out
    assert out.startswith("[PASS] purity: 0.8 vs 0.8 (difference 1e-09)")
    assert "rtol=1e-05, atol=1e-08" in out
    with pytest.raises(CheckFailed, match=r"\[FAIL\] purity: 0.81 vs 0.8 \(difference 0.01\)"):
        check_close("purity", 0.81, 0.8)


def test_check_close_tolerances(capsys):
    check_close("relative", 101.0, 100.0, rtol=0.011)
    check_close("absolute", 0.05, 0.0, atol=0.06)
    with pytest.raises(CheckFailed):
        check_close("relative, just outside", 101.0, 100.0, rtol=0.009)
    with pytest.raises(CheckFailed):
        check_close("absolute, just outside", 0.05, 0.0, rtol=0.5, atol=0.04)
    assert "rtol=0.011" in capsys.readouterr().out


def test_check_close_arrays(capsys):
    target = np.array([[1.0, 2.0], [3.0, 4.0]])
    check_close("matrix", target + 1e-7, target, rtol=1e-6)
    assert capsys.readouterr().out.startswith("[PASS] matrix: 4 values, largest difference 1e-07")
    wrong = target.copy()
    wrong[1, 0] += 0.5
    with pytest.raises(CheckFailed, match=r"\[FAIL\] matrix: 4 values, largest difference 0.5"):
        check_close("matrix", wrong, target)


def test_check_close_accepts_lists_and_0d_arrays(capsys):
    check_close("list", [1, 2, 3], np.array([1.0, 2.0, 3.0]))
    check_close("0-d arrays", np.array(0.5), np.float32(0.5))
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("[PASS] list: 3 values, largest difference 0")
    assert out[1].startswith("[PASS] 0-d arrays: 0.5 vs 0.5 (difference 0)")


@pytest.mark.parametrize("shape", [(1,), (1, 1)])
def test_check_close_single_element_arrays(shape, capsys):
    check_close("one element", np.full(shape, 0.5), np.full(shape, 0.5))
    assert capsys.readouterr().out.startswith("[PASS] one element: 0.5 vs 0.5")


def test_check_close_empty_arrays_agree(capsys):
    check_close("nothing to compare", np.zeros(0), np.zeros(0))
    assert capsys.readouterr().out.startswith("[PASS]")


@pytest.mark.parametrize("value, target", [(np.zeros(3), np.zeros(4)), (np.zeros((2, 2)), np.zeros(4)),
                                           (np.zeros(3), 0.0)])
def test_check_close_shape_mismatch(value, target):
    with pytest.raises(ValueError, match=r"value has shape \(.*\) but target has shape \(.*\)"):
        check_close("shapes", value, target)


@pytest.mark.parametrize("value, target", [(np.nan, 1.0), (1.0, np.nan), ([1.0, np.nan], [1.0, 2.0])])
def test_check_close_nan(value, target):
    with pytest.raises(ValueError, match=r"(value|target) contains NaN: the quantity being checked was not computed"):
        check_close("nan", value, target)


@pytest.mark.parametrize("rtol, atol", [(-1e-5, 1e-8), (1e-5, -1.0)])
def test_check_close_negative_tolerance(rtol, atol):
    with pytest.raises(ValueError, match=rf"rtol={rtol}, atol={atol}: tolerances must be non-negative"):
        check_close("tolerances", 1.0, 1.0, rtol=rtol, atol=atol)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_check_close_equal_infinities_agree():
    check_close("an infinite loss on both sides", np.inf, np.inf)


# ---------------------------------------------------------------- description


@pytest.mark.parametrize("description", ["", "   ", None, 3])
@pytest.mark.parametrize("call", [
    lambda d: check(d, True),
    lambda d: check_less(d, 0, 1),
    lambda d: check_greater(d, 1, 0),
    lambda d: check_between(d, 0.5, 0, 1),
    lambda d: check_close(d, 1.0, 1.0),
], ids=["check", "check_less", "check_greater", "check_between", "check_close"])
def test_description_is_required(call, description, capsys):
    with pytest.raises(ValueError, match=r"description: expected a sentence"):
        call(description)
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- kinds and the record


def test_kind_must_be_one_of_the_three():
    with pytest.raises(ValueError, match=r"kind='trained': expected one of learned, exact, exercise"):
        check("x", True, kind="trained")


def test_failure_carries_description_and_detail(capsys):
    with pytest.raises(CheckFailed) as raised:
        check_less("loss is small", 3.0, 2.0, kind="learned")
    assert (raised.value.description, raised.value.detail) == ("loss is small", "3 >= 2")


def test_record_appends_one_line_per_check_and_never_raises(tmp_path, monkeypatch, capsys):
    record = tmp_path / "checks.jsonl"
    monkeypatch.setenv("COURSE_CHECK_RECORD", str(record))
    check("an identity", True, kind="exact")
    check_greater("a learned result", 1.0, 2.0, kind="learned")  # fails, but only records
    check("no kind given", True)
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [(c["description"], c["kind"], c["passed"]) for c in lines] == [
        ("an identity", "exact", True), ("a learned result", "learned", False), ("no kind given", None, True)]
    assert "[FAIL] a learned result" in capsys.readouterr().out


# ---------------------------------------------------------------- check_beats


def test_check_beats_higher_with_a_margin(capsys):
    check_beats("accuracy beats chance", 0.9, 0.1, 0.5, baseline_name="chance")
    assert capsys.readouterr().out == ("[PASS] accuracy beats chance: 0.9 > 0.6 "
                                       "(chance + margin 0.5; chance: 0.1)\n")
    with pytest.raises(CheckFailed, match=r"0.5 <= 0.6 \(chance \+ margin 0.5; chance: 0.1\)"):
        check_beats("accuracy beats chance", 0.5, 0.1, 0.5, baseline_name="chance")


def test_check_beats_lower_with_a_factor(capsys):
    check_beats("FD at most half the untrained one", 10.0, 30.0, better="lower", factor=0.5)
    assert "10 < 15 (0.5 x baseline; baseline: 30)" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match=r"20 >= 15"):
        check_beats("FD at most half the untrained one", 20.0, 30.0, better="lower", factor=0.5)


def test_check_beats_equal_to_the_baseline_fails_as_an_untrained_model_does():
    with pytest.raises(CheckFailed):
        check_beats("trained beats untrained", 0.25, 0.25, better="lower")


def test_check_beats_records_as_learned(tmp_path, monkeypatch):
    record = tmp_path / "r.jsonl"
    monkeypatch.setenv("COURSE_CHECK_RECORD", str(record))
    check_beats("x", 1.0, 0.0)
    assert json.loads(record.read_text())["kind"] == "learned"


@pytest.mark.parametrize("kwargs, message", [
    ({"better": "more"}, r"better='more': expected 'higher' or 'lower'"),
    ({"margin": -1.0}, r"margin=-1.0: expected a non-negative number"),
    ({"margin": 0.1, "factor": 0.5}, r"give margin or factor, not both"),
    ({"factor": 0.0}, r"factor=0.0: expected a positive number"),
])
def test_check_beats_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_beats("x", 1.0, 0.5, **kwargs)


# ---------------------------------------------------------------- check_exercise


SIGMA = np.array([0.8, 1.5])
MISTAKES = [(SIGMA ** 2, "did you use sigma^2 where sigma belongs?"),
            (np.log(SIGMA ** 2), "did you use log_var itself?")]


def _fail(value, expected=SIGMA, mistakes=MISTAKES, **kwargs):
    with pytest.raises(CheckFailed) as raised:
        check_exercise("05.2", value, expected, mistakes, description="sigma", **kwargs)
    return raised.value.detail


def test_check_exercise_pass(capsys):
    check_exercise("05.2", SIGMA + 1e-9, SIGMA, MISTAKES, description="the standard deviation")
    assert capsys.readouterr().out.startswith(
        "[PASS] exercise 05.2: the standard deviation: an array of shape (2,) as expected")


def test_check_exercise_names_the_matching_mistake():
    assert _fail(SIGMA ** 2) == ("your result is an array of shape (2,), not the expected values: "
                                 "did you use sigma^2 where sigma belongs?")


def test_check_exercise_scalar_mistake_shows_both_numbers():
    assert _fail(0.64, 0.8, [(0.64, "did you square it?")]).startswith(
        "your result is 0.64 where 0.8 was expected: did you")


def test_check_exercise_an_infinite_mistake_matches_infinity():
    assert _fail(np.inf, 20.0, [(np.inf, "an unstable log")]).endswith("an unstable log")


@pytest.mark.parametrize("key", ["5.2", "05", "05.0", "05.2.1", 52, "ab.1"])
def test_check_exercise_bad_key(key):
    with pytest.raises(ValueError, match="key=.*expected the notebook and exercise number"):
        check_exercise(key, 1.0, 1.0, description="x")


def test_check_exercise_needs_a_description_in_the_source():
    with pytest.raises(ValueError, match="description"):
        check_exercise("05.2", 1.0, 1.0)


def test_check_exercise_bad_mistakes():
    with pytest.raises(TypeError, match=r"mistakes\[0\]=.*expected a \(wrong_value, message\) pair"):
        check_exercise("05.2", SIGMA, SIGMA, [SIGMA ** 2], description="sigma")


def test_check_exercise_result_that_changes_between_calls_is_own_noise():
    rng = np.random.default_rng(0)
    detail = _fail(lambda: SIGMA + rng.normal(size=2))
    assert "changes from one run to the next" in detail and "noise of your own" in detail
    check_exercise("05.2", lambda: SIGMA.copy(), SIGMA, description="a function called twice")


def test_check_exercise_takes_tuples_of_arrays():
    check_exercise("05.3", (np.ones(3), np.zeros(3)), np.stack([np.ones(3), np.zeros(3)]), description="two")
    check_exercise("05.3", (np.ones(3), np.zeros(2)), np.r_[np.ones(3), np.zeros(2)], description="ragged")


# ---------------------------------------------------------------- diagnose: unlisted mistakes
# Each wrong answer here is made by hand, not with the code under test.

X = np.array([[0.5, -1.0, 2.0], [0.3, 0.7, -0.2], [1.5, 0.1, 0.4], [-0.6, 0.9, 1.2]])  # 4 rows, 3 coordinates
ROW_SUMS = X.sum(axis=1)
SIZES = {"the batch": 4, "the coordinates per row": 3}


@pytest.mark.parametrize("wrong, words", [
    (ROW_SUMS * 3, ["times 3, the coordinates per row", "a sum where a mean belongs"]),
    (ROW_SUMS / 4, ["divided by 4, the batch", "a mean where a sum belongs"]),
    (ROW_SUMS * 2, ["times 2"]),
    (ROW_SUMS * 0.37, ["0.37 times the expected one: a constant factor"]),
    (-ROW_SUMS, ["minus the expected one: a flipped sign"]),
    (ROW_SUMS - 1.5, ["minus 1.5 everywhere", "a term that does not depend on the input"]),
    (ROW_SUMS[::-1], ["right values in another order"]),
    (ROW_SUMS[:, None], ["shape (4, 1) where (4,) was expected", "axis of length 1 is extra (keepdims?)"]),
    (np.array([ROW_SUMS.sum()]), ["one number, the sum of the expected 4 values", "every axis"]),
    (np.r_[ROW_SUMS[:3], np.inf], ["1 of your 4 values are infinite", "log of 0"]),
    (np.r_[ROW_SUMS[:2], np.nan, 1.0], ["NaN"]),
    (np.ones((4, 4)), ["4 times too many values", "broadcast"]),
    (ROW_SUMS[:2], ["fewer values than expected"]),
])
def test_diagnose_names_what_differs(wrong, words):
    detail = _fail(wrong, ROW_SUMS, [], sizes=SIZES)
    assert "compare it with the equation" not in detail
    for word in words:
        assert word in detail, f"{word!r} not in {detail!r}"


def test_diagnose_transposition_and_error_growing_with_the_values():
    grid = np.arange(6.0).reshape(2, 3) + 1
    assert "transpose" in _fail(grid.T, grid, [])
    values = np.array([0.1, 0.5, 1.0, 2.0, 4.0, 8.0])
    assert "grows with the size of the values" in _fail(values ** 1.1, values, [])


def test_diagnose_always_gives_the_largest_difference():
    detail = _fail(np.array([0.8, 1.9]), SIGMA, [])
    assert "largest difference 0.4" in detail and "1 of 2 values differ" in detail


def test_an_infinite_target_is_matched_only_by_itself():
    # rtol * inf is inf: without care any finite value would be "close" to an infinite target.
    with pytest.raises(CheckFailed):
        check_close("a finite value against inf", 3.7, np.inf)
    check_close("inf against inf", np.inf, np.inf)
    assert "an unstable log" not in _fail(3.7, 6.6, [(np.inf, "an unstable log")])
