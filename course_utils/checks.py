"""Outcome checks and exercise self-checks: print ``[PASS]``/``[FAIL]`` with the numbers compared.

A failed check raises :class:`CheckFailed` (an ``AssertionError``), so a notebook run by the
tests stops there and CI fails. Checks return nothing, so a check as a cell's last line adds
no stray output.

Every check says what kind of fact it is, with ``kind=``:

- ``"learned"``: a learned result (a trained model does better than something). It must
  beat a baseline the notebook computes, so use :func:`check_beats`, which prints both.
  An untrained model must fail it: the negative control in ``tests/test_gates.py`` runs every
  notebook with all training counts set to 0 and asserts that.
- ``"exact"``: a fact that holds whatever the weights are (an identity, layer arithmetic, a
  formula against an integral, a property of the data). It passes untrained too.
- ``"exercise"``: an exercise's self-check (:func:`check_exercise` sets it).

With ``$COURSE_CHECK_RECORD`` set to a file path, checks append one JSON line each to that file
(description, kind, passed, detail) and never raise: the negative control reads it.
"""

from __future__ import annotations

import json
import re
import math
import os
from numbers import Real

import numpy as np

KINDS = ("learned", "exact", "exercise")
RECORD_ENV_VAR = "COURSE_CHECK_RECORD"


class CheckFailed(AssertionError):
    """An outcome check or exercise self-check did not hold.

    ``description`` is what was checked and ``detail`` what was found (for a self-check, the
    diagnosis); ``str()`` gives the whole ``[FAIL]`` line.
    """

    def __init__(self, line: str, description: str = "", detail: str = ""):
        super().__init__(line)
        self.description, self.detail = description, detail


def _number(value, argument: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.number)):
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.item()
        else:
            raise TypeError(f"{argument}={value!r}: expected a single real number")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{argument} is NaN: the quantity being checked was not computed")
    return value


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _check_kind(kind) -> str | None:
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind={kind!r}: expected one of {', '.join(KINDS)}")
    return kind


def _report(description: str, passed: bool, detail: str, kind: str | None = None) -> None:
    if not isinstance(description, str) or not description.strip():
        raise ValueError("description: expected a sentence saying what is being checked")
    kind = _check_kind(kind)
    line = f"[{'PASS' if passed else 'FAIL'}] {description}: {detail}"
    print(line)
    record = os.environ.get(RECORD_ENV_VAR, "").strip()
    if record:
        with open(record, "a", encoding="utf-8") as f:
            f.write(json.dumps({"description": description, "kind": kind, "passed": bool(passed),
                                "detail": detail}) + "\n")
        return
    if not passed:
        raise CheckFailed(line, description, detail)


def check(description: str, condition: bool, detail: str = "", kind: str | None = None) -> None:
    """Pass if ``condition`` is true; ``detail`` says what was found."""
    if not isinstance(condition, (bool, np.bool_)):
        raise TypeError(f"condition={condition!r}: expected True or False")
    _report(description, bool(condition), detail or ("holds" if condition else "does not hold"),
            kind)


def check_less(description: str, value, bound, kind: str | None = None) -> None:
    """Pass if ``value < bound``."""
    value, bound = _number(value, "value"), _number(bound, "bound")
    ok = value < bound
    _report(description, ok, f"{_fmt(value)} {'<' if ok else '>='} {_fmt(bound)}", kind)


def check_greater(description: str, value, bound, kind: str | None = None) -> None:
    """Pass if ``value > bound``."""
    value, bound = _number(value, "value"), _number(bound, "bound")
    ok = value > bound
    _report(description, ok, f"{_fmt(value)} {'>' if ok else '<='} {_fmt(bound)}", kind)


def check_between(description: str, value, low, high, kind: str | None = None) -> None:
    """Pass if ``low <= value <= high``."""
    value, low, high = _number(value, "value"), _number(low, "low"), _number(high, "high")
    if low > high:
        raise ValueError(f"low={low} is above high={high}")
    ok = low <= value <= high
    _report(description, ok, f"{_fmt(value)} {'in' if ok else 'outside'} "
                              f"[{_fmt(low)}, {_fmt(high)}]", kind)


def _as_arrays(value, target):
    a, b = np.asarray(value, dtype=np.float64), np.asarray(target, dtype=np.float64)
    if np.isnan(b).any():
        raise ValueError("target contains NaN: the quantity being checked was not computed")
    return a, b


def _closeness(a, b, rtol, atol):
    """(all close?, largest difference) of two arrays of one shape."""
    with np.errstate(invalid="ignore"):  # inf - inf: equal infinities are handled by a == b
        close = (a == b) | (np.isfinite(b) & (np.abs(a - b) <= atol + rtol * np.abs(b)))
        gap = float(np.max(np.where(a == b, 0.0, np.abs(a - b)))) if a.size else 0.0
    return bool(np.all(close)), gap


def _tolerances(rtol, atol):
    if rtol < 0 or atol < 0:
        raise ValueError(f"rtol={rtol}, atol={atol}: tolerances must be non-negative")


def check_close(description: str, value, target, rtol: float = 1e-5, atol: float = 1e-8,
                kind: str | None = None) -> None:
    """Pass if ``value`` and ``target`` (numbers or arrays) agree: |value - target| <= atol + rtol|target|."""
    _tolerances(rtol, atol)
    a, b = _as_arrays(value, target)
    if a.shape != b.shape:
        raise ValueError(f"value has shape {a.shape} but target has shape {b.shape}")
    if np.isnan(a).any():
        raise ValueError("value contains NaN: the quantity being checked was not computed")
    ok, gap = _closeness(a, b, rtol, atol)
    if a.size == 1:
        detail = f"{_fmt(a.item())} vs {_fmt(b.item())} (difference {gap:.2g})"
    else:
        detail = f"{a.size} values, largest difference {gap:.2g}"
    _report(description, ok, f"{detail}, tolerance rtol={rtol:g}, atol={atol:g}", kind)


def check_beats(description: str, value, baseline, margin: float = 0.0, *,
                better: str = "higher", baseline_name: str = "baseline",
                factor: float | None = None) -> None:
    """A learned result against the baseline the notebook computed: a ``kind="learned"`` gate.

    ``better="higher"`` passes if ``value > baseline + margin``; ``better="lower"`` passes if
    ``value < baseline - margin``. With ``factor`` instead of a margin, ``better="lower"`` asks
    ``value < factor * baseline`` and ``better="higher"`` asks ``value > factor * baseline``
    (e.g. a Fréchet distance at most half the untrained generator's: ``factor=0.5``).
    ``baseline_name`` says what the baseline is (``"untrained model"``, ``"mean image"``...).
    Both numbers and the bar are printed.
    """
    if better not in ("higher", "lower"):
        raise ValueError(f"better={better!r}: expected 'higher' or 'lower'")
    value, baseline = _number(value, "value"), _number(baseline, "baseline")
    margin = _number(margin, "margin")
    if margin < 0:
        raise ValueError(f"margin={margin}: expected a non-negative number")
    if factor is not None:
        factor = _number(factor, "factor")
        if margin:
            raise ValueError("give margin or factor, not both")
        if factor <= 0:
            raise ValueError(f"factor={factor}: expected a positive number")
        bar, how = factor * baseline, f"{factor:g} x {baseline_name}"
    else:
        bar = baseline + margin if better == "higher" else baseline - margin
        sign = "+" if better == "higher" else "-"
        how = f"{baseline_name} {sign} margin {_fmt(margin)}"
    ok = value > bar if better == "higher" else value < bar
    relation = (">" if ok else "<=") if better == "higher" else ("<" if ok else ">=")
    _report(description, ok, f"{_fmt(value)} {relation} {_fmt(bar)} "
                              f"({how}; {baseline_name}: {_fmt(baseline)})", "learned")


# ------------------------------------------------------------------ exercise self-checks
#
# A self-check compares the student's result with values *stored* when the student copies were
# generated (course_utils.exercises), so that no cell of a student copy computes the answer. The
# source notebook passes ``expected`` and ``mistakes`` itself (its reference code stays there, for
# instructors); the student copy passes only the key and the student's result.

EXERCISE_KEY = re.compile(r"^(?P<notebook>\d\d)\.(?P<exercise>[1-9]\d*)(?P<part>[a-z]?)$")
_STORED = object()
_RECORDER = None  # set by course_utils.exercises while it generates the stored values


def parse_exercise_key(key) -> tuple[str, int]:
    """``"05.2"`` -> ``("05", 2)``; a letter may follow for a second check (``"07.4b"``)."""
    match = EXERCISE_KEY.match(key) if isinstance(key, str) else None
    if not match:
        raise ValueError(f"key={key!r}: expected the notebook and exercise number, e.g. '05.2'")
    return match.group("notebook"), int(match.group("exercise"))


def _to_array(value, argument: str) -> np.ndarray:
    """A float64 array of ``value``: a number, an array, a backend tensor, or a tuple of them."""
    if isinstance(value, (tuple, list)) and any(not np.isscalar(v) for v in value):
        parts = [_to_array(v, argument) for v in value]
        if len({p.shape for p in parts}) == 1:
            return np.stack(parts)
        return np.concatenate([p.ravel() for p in parts])
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):
        pass
    try:
        import keras
        return np.asarray(keras.ops.convert_to_numpy(value), dtype=np.float64)
    except Exception as error:  # noqa: BLE001
        raise TypeError(f"{argument}: expected numbers or arrays, got {type(value).__name__}") from error


def _same(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    """One shape and all close, NaN matching NaN and each infinity itself."""
    if a.shape != b.shape:
        return False
    both_nan = np.isnan(a) & np.isnan(b)
    with np.errstate(invalid="ignore"):
        close = both_nan | (a == b) | (np.isfinite(b) & (np.abs(a - b) <= atol + rtol * np.abs(b)))
    return bool(np.all(close))


def _shown(x: np.ndarray) -> str:
    return _fmt(x.item()) if x.size == 1 else f"an array of shape {x.shape}"


def _named_factor(c: float, sizes: dict) -> str | None:
    """Which named size (or 2) the factor ``c`` (or 1 / c) equals."""
    named = {**{name: float(n) for name, n in sizes.items() if n not in (0, 1)}, "2": 2.0}
    for name, n in named.items():
        for factor, how in ((n, "times"), (1 / n, "divided by")):
            if abs(c - factor) <= 1e-3 * abs(factor):
                if name == "2":
                    return f"{how} 2"
                return f"{how} {n:g}, {name}" + (
                    ": a sum where a mean belongs?" if how == "times" else ": a mean where a sum belongs?")
    return None


def diagnose(got, expected, sizes: dict | None = None) -> str:
    """What differs between ``got`` and ``expected``, worked out from the numbers alone.

    It says which of these the numbers show: results that change from run to run are caught
    before (``check_exercise``); here a wrong shape (a transposition, an axis of length 1 too
    many or too few, a reduction over every axis), values that are not finite, a flipped sign, a
    constant factor (named when it equals 2 or one of ``sizes``, e.g. ``{"the batch": 4}``), a
    constant offset, the right values in another order, and a gap that grows with the values.
    """
    a, b = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    sizes = dict(sizes or {})
    if a.shape != b.shape:
        where = f"your result has shape {a.shape} where {b.shape} was expected"
        if a.size == b.size and a.size > 1:
            if a.ndim == 2 and a.T.shape == b.shape and _same(a.T, b, 1e-4, 1e-6):
                return f"{where}, and it is the transpose of the expected array: rows and columns swapped"
            if _same(a.reshape(b.shape), b, 1e-4, 1e-6):
                if np.squeeze(a).shape == np.squeeze(b).shape:
                    return (f"{where}: the values are right, but an axis of length 1 is "
                            f"{'extra' if a.ndim > b.ndim else 'missing'} (keepdims?)")
                return f"{where}: the values are right, but arranged in another shape"
        if a.size == 1 and b.size > 1:
            for name, f in (("sum", np.sum), ("mean", np.mean)):
                if np.isclose(a.item(), f(b), rtol=1e-4):
                    return (f"{where}: one number, the {name} of the expected {b.size} values: did "
                            "you reduce over every axis? Keep one value per item")
            return f"{where}: one number where {b.size} were expected: did you reduce over every axis?"
        if a.size > b.size and b.size > 1 and a.size % b.size == 0:
            return (f"{where}, {a.size // b.size} times too many values: an axis is not reduced, "
                    "or two arrays broadcast against each other (shapes (n,) and (n, 1)?)")
        if a.size < b.size:
            return f"{where}: fewer values than expected: did you reduce over an axis that should stay?"
        return f"{where}: check the axes you reduce over and the shapes you combine"
    bad = ~np.isfinite(a) & np.isfinite(b)
    if bad.any():
        kinds = " and ".join(sorted({"NaN" if np.isnan(v) else "infinite" for v in a[bad]}))
        return (f"{int(bad.sum())} of your {a.size} values are {kinds} where the expected ones are "
                "finite: a log of 0 or a division by 0? Look at the largest inputs (a sigmoid rounds "
                "to exactly 0 or 1 for large logits); keras.ops has numerically stable forms")
    finite = np.isfinite(a) & np.isfinite(b)
    a, b = a[finite], b[finite]
    gap = np.abs(a - b)
    summary = (f"{_shown(np.asarray(got, dtype=np.float64))}; largest difference {gap.max():.3g}, "
               f"{int((gap > 1e-6 + 1e-4 * np.abs(b)).sum())} of {a.size} values differ")
    if _same(a, -b, 1e-4, 1e-8):
        return f"your result is minus the expected one: a flipped sign ({summary})"
    nonzero = np.abs(b) > 1e-12
    if nonzero.sum() >= 1 and np.all(np.abs(a[~nonzero]) <= 1e-9):
        ratio = a[nonzero] / b[nonzero]
        c = float(np.median(ratio))
        if np.all(np.abs(ratio - c) <= 1e-4 * max(1.0, abs(c))) and abs(c - 1) > 1e-4:
            named = _named_factor(abs(c), sizes)
            sign = "minus " if c < 0 else ""
            if named:
                return f"your result is {sign}the expected one {named} ({summary})"
            return f"your result is {sign}{abs(c):.4g} times the expected one: a constant factor ({summary})"
    if a.size > 1:
        offset = float(np.median(a - b))
        if np.all(np.abs(a - b - offset) <= 1e-6 + 1e-4 * np.abs(b)) and abs(offset) > 1e-9:
            return (f"your result is the expected one {'plus' if offset > 0 else 'minus'} "
                    f"{abs(offset):.4g} everywhere: a term that does not depend on the input is extra "
                    f"or missing ({summary})")
        if _same(np.sort(a), np.sort(b), 1e-4, 1e-6):
            return (f"your result holds the right values in another order: an index, an axis or "
                    f"two arguments swapped? ({summary})")
        if a.size >= 4 and np.ptp(np.abs(b)) > 0:
            ranks = lambda v: np.argsort(np.argsort(v))
            rho = np.corrcoef(ranks(gap), ranks(np.abs(b)))[0, 1]
            if rho > 0.8 and gap.max() > 10 * max(gap.min(), 1e-12):
                return (f"the gap grows with the size of the values (rank correlation {rho:.2f}): a "
                        f"power or a scale that depends on the input is off ({summary})")
    return f"your result is {summary}"


def _evaluate(value):
    """(the result as an array, whether it changed between two calls): a callable is called twice."""
    if callable(value):
        first, second = _to_array(value(), "value"), _to_array(value(), "value")
        varies = first.shape != second.shape or not _same(first, second, 1e-6, 1e-9)
        return first, varies
    return _to_array(value, "value"), False


def check_exercise(key: str, value, expected=_STORED, mistakes=(), *, description: str | None = None,
                   rtol: float = 1e-5, atol: float = 1e-8, sizes: dict | None = None) -> None:
    """An exercise's self-check: the student's ``value`` against the expected values.

    ``key`` names the exercise (``"05.2"``: notebook 05, exercise 2). ``value`` is the student's
    result on the check's fixed inputs, or a function of no arguments that computes it; a
    function is called twice, so that a result that changes on the same inputs (noise drawn
    by the student instead of the one given) is named.

    In a **source notebook** the call passes the reference: ``expected`` (computed independently
    of the student's code), ``mistakes`` as ``(wrong_value, message)`` pairs, what each usual
    mistake would give on the same inputs, a ``description`` of what is checked, the tolerances,
    and ``sizes``, the sizes of the problem a constant factor may equal (``{"the batch": 4}``).
    In a **student copy** the call is ``check_exercise(key, value)``: the same reference comes
    from the values stored when the copy was generated, so no cell computes the answer. A
    message is shown only when the student's result matches its mistake; any other wrong result
    is described from the numbers (:func:`diagnose`).
    """
    parse_exercise_key(key)
    got, varies = _evaluate(value)
    if expected is _STORED:
        from course_utils import exercises
        stored = exercises.stored_check(key)
        expected, mistakes, description = stored["expected"], stored["mistakes"], stored["description"]
        rtol, atol, sizes = stored["rtol"], stored["atol"], stored["sizes"]
    else:
        if not isinstance(description, str) or not description.strip():
            raise ValueError("description: say what the check compares, e.g. 'kl_divergence on 4 rows'")
        mistakes = list(mistakes)
        for i, pair in enumerate(mistakes):
            if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[1], str)):
                raise TypeError(f"mistakes[{i}]={pair!r}: expected a (wrong_value, message) pair")
        mistakes = [(_to_array(wrong, f"mistakes[{i}]"), message)
                    for i, (wrong, message) in enumerate(mistakes)]
    _tolerances(rtol, atol)
    expected = _to_array(expected, "expected")
    if np.isnan(expected).any():
        raise ValueError("expected contains NaN: the reference was not computed")
    if _RECORDER is not None:
        _RECORDER(key, got=got, varies=varies, expected=expected, mistakes=mistakes,
                  description=description, rtol=rtol, atol=atol, sizes=dict(sizes or {}))
        return
    description = f"exercise {key}: {description}"
    if varies:
        _report(description, False, "your result changes from one run to the next on the same inputs: "
                "did you draw noise of your own instead of using the noise (or the generator) given?",
                "exercise")
    elif _same(got, expected, rtol, atol) and np.isfinite(got).all() == np.isfinite(expected).all():
        gap = float(np.max(np.abs(got - expected))) if got.size and np.isfinite(got).all() else 0.0
        _report(description, True, f"{_shown(got)} as expected (largest difference {gap:.2g})", "exercise")
    else:
        for wrong, message in mistakes:
            if _same(got, np.asarray(wrong, dtype=np.float64), rtol, atol):
                where = (f"{_shown(got)} where {_shown(expected)} was expected" if got.size == 1
                         else f"{_shown(got)}, not the expected values")
                _report(description, False, f"your result is {where}: {message}", "exercise")
                return
        _report(description, False, diagnose(got, expected, sizes), "exercise")
