"""Outcome checks and exercise self-checks: print ``[PASS]``/``[FAIL]`` with the numbers compared.

A failed check raises :class:`CheckFailed` (an ``AssertionError``), so a notebook run by the
tests stops there and CI fails. Checks return nothing, so a check as a cell's last line adds
no stray output.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np


class CheckFailed(AssertionError):
    """An outcome check or exercise self-check did not hold."""


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


def _report(description: str, passed: bool, detail: str) -> None:
    if not isinstance(description, str) or not description.strip():
        raise ValueError("description: expected a sentence saying what is being checked")
    line = f"[{'PASS' if passed else 'FAIL'}] {description}: {detail}"
    print(line)
    if not passed:
        raise CheckFailed(line)


def check(description: str, condition: bool, detail: str = "") -> None:
    """Pass if ``condition`` is true; ``detail`` says what was found."""
    if not isinstance(condition, (bool, np.bool_)):
        raise TypeError(f"condition={condition!r}: expected True or False")
    _report(description, bool(condition), detail or ("holds" if condition else "does not hold"))


def check_less(description: str, value, bound) -> None:
    """Pass if ``value < bound``."""
    value, bound = _number(value, "value"), _number(bound, "bound")
    ok = value < bound
    _report(description, ok, f"{_fmt(value)} {'<' if ok else '>='} {_fmt(bound)}")


def check_greater(description: str, value, bound) -> None:
    """Pass if ``value > bound``."""
    value, bound = _number(value, "value"), _number(bound, "bound")
    ok = value > bound
    _report(description, ok, f"{_fmt(value)} {'>' if ok else '<='} {_fmt(bound)}")


def check_between(description: str, value, low, high) -> None:
    """Pass if ``low <= value <= high``."""
    value, low, high = _number(value, "value"), _number(low, "low"), _number(high, "high")
    if low > high:
        raise ValueError(f"low={low} is above high={high}")
    ok = low <= value <= high
    _report(description, ok, f"{_fmt(value)} {'in' if ok else 'outside'} "
                              f"[{_fmt(low)}, {_fmt(high)}]")


def check_close(description: str, value, target, rtol: float = 1e-5, atol: float = 1e-8) -> None:
    """Pass if ``value`` and ``target`` (numbers or arrays) agree: |value - target| <= atol + rtol|target|."""
    if rtol < 0 or atol < 0:
        raise ValueError(f"rtol={rtol}, atol={atol}: tolerances must be non-negative")
    a, b = np.asarray(value, dtype=np.float64), np.asarray(target, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"value has shape {a.shape} but target has shape {b.shape}")
    if np.isnan(a).any() or np.isnan(b).any():
        raise ValueError("value or target contains NaN: the quantity being checked was not computed")
    with np.errstate(invalid="ignore"):  # inf - inf: equal infinities are handled by a == b
        close = (a == b) | (np.abs(a - b) <= atol + rtol * np.abs(b))
        gap = float(np.max(np.where(a == b, 0.0, np.abs(a - b)))) if a.size else 0.0
    ok = bool(np.all(close))
    if a.size == 1:
        detail = f"{_fmt(a.item())} vs {_fmt(b.item())} (difference {gap:.2g})"
    else:
        detail = f"{a.size} values, largest difference {gap:.2g}"
    _report(description, ok, f"{detail}, tolerance rtol={rtol:g}, atol={atol:g}")
