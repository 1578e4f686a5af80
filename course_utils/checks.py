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
        close = (a == b) | (np.abs(a - b) <= atol + rtol * np.abs(b))
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


def check_exercise(description: str, value, expected, mistakes=(), rtol: float = 1e-5,
                   atol: float = 1e-8) -> None:
    """An exercise's self-check: ``value`` (the student's) against ``expected`` (computed
    independently), and if they differ, which usual mistake the numbers point to.

    ``mistakes`` is a sequence of ``(wrong_value, message)`` pairs: what a typical mistake
    would have produced on the same inputs (computed independently too, not from the student's
    function) and a question that names it, e.g.
    ``(np.exp(log_var), "did you use sigma^2 = exp(log_var) where sigma = exp(log_var / 2) belongs?")``.
    On a mismatch the first mistake whose value (shape included) matches the student's is
    named; otherwise the message says the result matches no usual mistake.
    """
    _tolerances(rtol, atol)
    a, b = _as_arrays(value, expected)
    pairs = list(mistakes)
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[1], str)):
            raise TypeError(f"mistakes[{i}]={pair!r}: expected a (wrong_value, message) pair")

    def shown(x):
        return _fmt(x.item()) if x.size == 1 else f"an array of shape {x.shape}"

    if a.shape == b.shape and not np.isnan(a).any():
        ok, gap = _closeness(a, b, rtol, atol)
        if ok:
            _report(description, True, f"{shown(a)} as expected (largest difference {gap:.2g})",
                    "exercise")
            return
    for wrong, message in pairs:
        w = np.asarray(wrong, dtype=np.float64)
        if w.shape == a.shape and not np.isnan(a).any() and _closeness(a, w, rtol, atol)[0]:
            where = (f"{shown(a)} where {shown(b)} was expected" if a.size == 1
                     else f"{shown(a)}, not the expected values")
            _report(description, False, f"your result is {where}: {message}", "exercise")
            return
    if np.isnan(a).any():
        detail = "your result contains NaN"
    elif a.shape != b.shape:
        detail = f"your result has shape {a.shape} where {b.shape} was expected: check the axis you reduce over"
    else:
        gap = _closeness(a, b, rtol, atol)[1]
        detail = (f"your result is {shown(a)} where {shown(b)} was expected (largest difference "
                  f"{gap:.2g}); it matches none of the usual mistakes: compare it with the "
                  "equation above, term by term")
    _report(description, False, detail, "exercise")
