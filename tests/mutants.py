"""Mutants of a solution, generated from its syntax tree: the wrong answers nobody listed.

Each mutant changes one thing in the solution's code:

- ``operator``: a swapped arithmetic or comparison operator (``+`` and ``-``, ``*`` and ``/``,
  ``**`` to ``*``, ``<`` and ``<=``, ``>`` and ``>=``, ``&`` and ``|``);
- ``constant``: a changed number (``c`` to ``c + 1``, or ``2 c`` for a fraction; ``1`` to ``2``);
- ``axis``: a changed ``axis=`` (another axis, or the keyword dropped: a reduction over all);
- ``term``: a term dropped (``a + b`` to ``a`` or ``b``; ``a * b`` to ``a`` or ``b``), or a minus
  sign dropped;
- ``arguments``: the first two arguments of a call swapped.

``tests/test_exercise_mutations.py`` runs every mutant against the exercise's self-check.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass

SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
         ast.Pow: ast.Mult, ast.FloorDiv: ast.Div, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd}
COMPARE_SWAPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
                 ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}


@dataclass(frozen=True)
class Mutant:
    kind: str
    where: str   # the piece of code changed, as written in the solution
    code: str    # the whole mutated solution


def _sites(tree):
    """(kind, path to a node, how to mutate it) for every mutable node, in source order."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and type(node.op) in SWAPS:
            yield "operator", node, lambda n: setattr(n, "op", SWAPS[type(n.op)]())
            yield "term", node, "left"
            yield "term", node, "right"
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in COMPARE_SWAPS:
            yield "operator", node, lambda n: setattr(n, "ops", [COMPARE_SWAPS[type(n.ops[0])]()])
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            yield "term", node, "operand"
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            yield "constant", node, lambda n: setattr(
                n, "value", (2 if n.value == 1 else n.value + 1) if float(n.value).is_integer()
                else n.value * 2)
        elif isinstance(node, ast.Call):
            if len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args[:2]):
                yield "arguments", node, lambda n: setattr(n, "args", [n.args[1], n.args[0], *n.args[2:]])
            for i, keyword in enumerate(node.keywords):
                if keyword.arg == "axis":
                    yield "axis", node, ("drop-axis", i)
                    yield "axis", keyword.value, "other-axis"


def _other_axis(node):
    """Another axis: an int moves by one (-1 to 0), a tuple loses its last entry."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return ast.Constant(0 if node.value == -1 else node.value - 1 if node.value > 0 else node.value + 1)
    if isinstance(node, ast.Tuple) and len(node.elts) > 1:
        return ast.Tuple(elts=node.elts[:-1], ctx=ast.Load())
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return ast.Constant(0)
    return None


def mutants(solution: str, limit: int = 40) -> list[Mutant]:
    """Up to ``limit`` distinct mutants of ``solution`` (a piece of Python code), spread evenly
    over its mutable sites, each different from the solution as code."""
    tree = ast.parse(solution)
    original = ast.unparse(tree)
    sites = list(_sites(tree))
    found, seen = [], {original}
    for index, (kind, node, how) in enumerate(sites):
        mutated = copy.deepcopy(tree)
        target = list(_sites(mutated))[index][1]
        where = ast.unparse(target) if not isinstance(target, ast.Call) else ast.unparse(target)[:60]
        if callable(how):
            how(target)
        elif how in ("left", "right", "operand"):
            _replace(mutated, target, getattr(target, how))
        elif how == "other-axis":
            other = _other_axis(target)
            if other is None:
                continue
            _replace(mutated, target, other)
        elif how[0] == "drop-axis":
            del target.keywords[how[1]]
        code = ast.unparse(ast.fix_missing_locations(mutated))
        if code in seen:
            continue
        seen.add(code)
        found.append(Mutant(kind, where, code))
    if len(found) > limit:
        step = len(found) / limit
        found = [found[int(i * step)] for i in range(limit)]
    return found


def _replace(tree, old, new):
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new
                        return
    raise ValueError("node not found")
