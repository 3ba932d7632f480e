"""The fully connected network of `zg` Eq. (1) as an exact object: SymPy with a generic activation
and generic per-sample losses, and exact rational forward-mode derivatives.

Layout as in :mod:`ncverify.engine.mlp`: ``H_1 = X`` (d_0×b, one sample per column),
``P_l = W_l H_l``, ``H_{l+1} = σ(P_l)``, ``z = W_L H_L``; layers are indexed ``l = 0..L-1`` in
code (``W[l]`` is the paper's ``W_{l+1}``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy

from ncverify.models.validation import require_int

__all__ = ["SymbolicNetwork", "exact_mse_directional_derivative", "poly_activation",
           "reference_forward", "reference_loss", "symbolic_network"]


@dataclass
class SymbolicNetwork:
    """A network with symbolic weights, data, generic activation σ and generic losses ℓ_i.

    ``W[l]`` are matrices of symbols, ``X`` the d_0×b data symbols, ``H[i][l]`` the input of
    layer l for sample i (a column), ``Z[i]`` the output column, ``losses[i] = ℓ_i(z_i)`` with
    ℓ_i an undefined SymPy function (one per sample: the label is folded into ℓ_i), ``total``
    their sum, ``lam`` the weight-decay symbol, ``penalty = (lam/2) Σ_l ‖W_l‖_F²`` and
    ``losses_fn`` the functions ℓ_i themselves.
    """

    dims: tuple[int, ...]
    b: int
    W: list[sympy.Matrix]
    X: sympy.Matrix
    H: list[list[sympy.Matrix]]
    Z: list[sympy.Matrix]
    losses: list[sympy.Expr]
    total: sympy.Expr
    lam: sympy.Symbol
    penalty: sympy.Expr
    sigma: Callable[[sympy.Expr], sympy.Expr]
    losses_fn: list[sympy.FunctionClass]

    def after(self, l: int, i: int, u: sympy.Matrix) -> sympy.Expr:
        """ℓ_i as a function of the pre-activation ``u`` of layer l (u stands for P_l[:, i])."""
        h = u
        for m in range(l, len(self.W) - 1):
            h = self.W[m + 1] * h.applyfunc(self.sigma)
        return self.losses_fn[i](*h)

    def delta(self, l: int, i: int) -> sympy.Matrix:
        """``∂ℓ_i/∂P_l[:, i]`` by the chain rule of SymPy (dummy pre-activation substituted)."""
        u = sympy.Matrix([sympy.Dummy(f"u{p}") for p in range(self.dims[l + 1])])
        f = self.after(l, i, u)
        P = self.W[l] * self.H[i][l]
        sub = {u[p]: P[p] for p in range(len(u))}
        return sympy.Matrix([sympy.diff(f, u[p]).subs(sub) for p in range(len(u))])


def symbolic_network(dims: Sequence[int], b: int,
                     sigma: Callable[[sympy.Expr], sympy.Expr] | None = None) -> SymbolicNetwork:
    """Build :class:`SymbolicNetwork` for widths ``dims = (d_0, ..., d_L)`` and b samples.

    ``sigma`` defaults to an undefined function ``σ`` (any differentiable activation).
    """
    dims = tuple(require_int(f"dims[{i}]", d, minimum=1) for i, d in enumerate(dims))
    if len(dims) < 2:
        raise ValueError(f"dims must hold at least (d_0, d_1), got {dims}")
    b = require_int("b", b, minimum=1)
    sig_f = sympy.Function("sigma")
    sigma = sigma or (lambda t: sig_f(t))
    L = len(dims) - 1
    W = [sympy.Matrix(dims[l + 1], dims[l], lambda i, j, l=l: sympy.Symbol(f"w{l + 1}_{i}_{j}"))
         for l in range(L)]
    X = sympy.Matrix(dims[0], b, lambda i, j: sympy.Symbol(f"x{i}_{j}"))
    fns = [sympy.Function(f"ell{i}") for i in range(b)]
    H, Z, losses = [], [], []
    for i in range(b):
        h = X[:, i]
        hs = [h]
        for m in range(L - 1):
            h = (W[m] * h).applyfunc(sigma)
            hs.append(h)
        z = W[-1] * h
        H.append(hs)
        Z.append(z)
        losses.append(fns[i](*z))
    lam = sympy.Symbol("lam", positive=True)
    penalty = lam / 2 * sum(sum(w**2 for w in Wl) for Wl in W)
    return SymbolicNetwork(dims, b, W, X, H, Z, losses, sympy.Add(*losses), lam, penalty, sigma,
                           fns)


def poly_activation(t):
    """``σ(t) = t + t²/2``: a nonlinear activation that keeps rationals rational."""
    return t + t * t / 2


def _poly_activation_grad(t):
    return 1 + t


def exact_mse_directional_derivative(W: Sequence[np.ndarray], X: np.ndarray, T: np.ndarray,
                                     layer: int, E: np.ndarray) -> Fraction:
    """Exact ``d/dε 𝓛(W_layer + εE)`` at ε = 0 for ``𝓛 = (1/2b)‖Z - T‖²`` with σ = t + t²/2.

    Forward-mode (dual-number) differentiation over ``Fraction`` object arrays: every
    operation carries its exact derivative, independent of any backward-pass formula.
    """
    H, dH = X, np.zeros_like(X)
    for m, Wm in enumerate(W):
        dW = E if m == layer else np.zeros_like(Wm)
        P, dP = Wm @ H, dW @ H + Wm @ dH
        if m == len(W) - 1:
            Z, dZ = P, dP
            break
        H, dH = poly_activation(P), _poly_activation_grad(P) * dP
    b = X.shape[1]
    return Fraction(sum(((Z - T) * dZ).ravel().tolist(), Fraction(0))) / b


def reference_forward(W: Sequence[np.ndarray], X: np.ndarray, activation: str) -> np.ndarray:
    """Output ``Z`` of one network (NumPy, float64), written independently of the engine."""
    acts = {"identity": lambda a: a, "tanh": np.tanh, "relu": lambda a: np.maximum(a, 0.0)}
    if activation not in acts:
        raise ValueError(f"activation must be one of {tuple(acts)}, got {activation!r}")
    H = np.asarray(X, dtype=np.float64)
    for w in W[:-1]:
        H = acts[activation](np.asarray(w) @ H)
    return np.asarray(W[-1]) @ H


def reference_loss(W: Sequence[np.ndarray], X: np.ndarray, targets: np.ndarray,
                   activation: str, loss: str, lam: float = 0.0) -> float:
    """``fit + (lam/2) Σ‖W_l‖²`` with the fit from :mod:`ncverify.models.losses` (CE: integer
    labels; MSE: a target matrix)."""
    from ncverify.models.losses import mean_cross_entropy, mse_fit

    Z = reference_forward(W, X, activation)
    fit = mean_cross_entropy(Z, targets) if loss == "ce" else mse_fit(Z, targets)
    return float(fit) + 0.5 * lam * sum(float(np.sum(np.asarray(w) ** 2)) for w in W)
