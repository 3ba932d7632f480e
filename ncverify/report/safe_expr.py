"""A restricted parser for the exact expressions stored in certificates.

Certificates are data: loading one must never run code.  SymPy's ``sympify``/``parse_expr`` call
``eval``, so this module parses with :mod:`ast` and builds the SymPy expression itself, accepting
only numbers, a fixed set of symbol names, + - * / **, unary minus and a few named functions.
"""

from __future__ import annotations

import ast
import re

import sympy

__all__ = ["UnsafeExpressionError", "parse_expression"]

_FUNCS = {"sqrt": sympy.sqrt, "log": sympy.log, "exp": sympy.exp, "Rational": sympy.Rational,
          "Abs": sympy.Abs, "root": sympy.root}
_CONSTS = {"pi": sympy.pi, "E": sympy.E, "oo": sympy.oo, "I": sympy.I}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,15}$")
_MAX_LEN = 10_000


class UnsafeExpressionError(ValueError):
    """The text is not an expression the restricted grammar accepts."""


def parse_expression(text: str) -> sympy.Expr:
    """Parse ``text`` into a SymPy expression without evaluating any code.

    >>> parse_expression("2**(Rational(2, 3)) - sqrt(K)/3")
    -sqrt(K)/3 + 2**(2/3)
    >>> parse_expression("__import__('os').system('true')")
    Traceback (most recent call last):
    ...
    ncverify.report.safe_expr.UnsafeExpressionError: disallowed syntax: Call
    """
    if not isinstance(text, str) or len(text) > _MAX_LEN:
        raise UnsafeExpressionError("expression must be a string of at most 10000 characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise UnsafeExpressionError(f"not an expression: {exc.msg}") from None
    return _build(tree.body)


def _build(node: ast.AST) -> sympy.Expr:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        v = node.value
        if isinstance(v, int) and abs(v).bit_length() > 4096:
            raise UnsafeExpressionError("integer literal too large")
        return sympy.Integer(v) if isinstance(v, int) else sympy.Float(repr(v))
    if isinstance(node, ast.Name):
        if node.id in _CONSTS:
            return _CONSTS[node.id]
        if _NAME.match(node.id) and not node.id.startswith("_"):
            return sympy.Symbol(node.id)
        raise UnsafeExpressionError(f"disallowed name {node.id!r}")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _build(node.operand)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = _build(node.left), _build(node.right)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            return a / b
        if isinstance(node.op, ast.Pow):
            if b.is_Number and abs(b) > 10_000:
                raise UnsafeExpressionError("exponent too large")
            return a**b
        raise UnsafeExpressionError(f"disallowed operator: {type(node.op).__name__}")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        f = _FUNCS.get(node.func.id)
        if f is None:
            raise UnsafeExpressionError(f"disallowed function {node.func.id!r}")
        return f(*[_build(a) for a in node.args])
    raise UnsafeExpressionError(f"disallowed syntax: {type(node).__name__}")
