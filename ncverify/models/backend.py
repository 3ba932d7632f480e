"""Elementary functions that follow their argument's number type.

The closed forms in :mod:`ncverify.models` are written once and evaluated symbolically (SymPy),
to high precision (mpmath), in ball arithmetic (python-flint ``arb``) or in float64 (NumPy),
depending on what they are given.  This module picks ``exp``, ``log`` and ``sqrt`` accordingly.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import mpmath
import numpy as np
import sympy

try:  # python-flint is a hard dependency, but keep import errors readable
    import flint
except ImportError as exc:  # pragma: no cover
    raise ImportError("ncverify needs python-flint (pip install python-flint)") from exc

__all__ = ["ops_for", "is_symbolic"]

_SYMPY = SimpleNamespace(name="sympy", exp=sympy.exp, log=sympy.log, sqrt=sympy.sqrt,
                         rational=sympy.Rational)
_MPMATH = SimpleNamespace(name="mpmath", exp=mpmath.exp, log=mpmath.log, sqrt=mpmath.sqrt,
                          rational=lambda p, q=1: mpmath.mpf(p) / q)
_ARB = SimpleNamespace(name="arb", exp=lambda x: flint.arb(x).exp(),
                       log=lambda x: flint.arb(x).log(), sqrt=lambda x: flint.arb(x).sqrt(),
                       rational=lambda p, q=1: flint.arb(p) / q)
_NUMPY = SimpleNamespace(name="numpy", exp=np.exp, log=np.log, sqrt=np.sqrt,
                         rational=lambda p, q=1: p / q)


def is_symbolic(*args: Any) -> bool:
    """True if any argument is a SymPy object."""
    return any(isinstance(a, sympy.Basic) for a in args)


def ops_for(*args: Any) -> SimpleNamespace:
    """The namespace of elementary functions matching the most exact argument type.

    >>> ops_for(sympy.Symbol("a"), 2.0).name
    'sympy'
    >>> ops_for(mpmath.mpf(1), 3).name
    'mpmath'
    >>> ops_for(1.5).name
    'numpy'
    """
    if any(isinstance(a, sympy.Basic) for a in args):
        return _SYMPY
    if any(isinstance(a, (flint.arb, flint.fmpq, flint.fmpz)) for a in args):
        return _ARB
    if any(isinstance(a, mpmath.mpf) for a in args):
        return _MPMATH
    return _NUMPY
