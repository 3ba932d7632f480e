"""The deep unconstrained feature model: parameters, forward product and full loss (`gk` Eq. 1).

Parameters are ``H_1 ∈ R^{d×Kn}``, ``W_1..W_{L-1} ∈ R^{d×d}``, ``W_L ∈ R^{K×d}``; the list
``Ws`` holds W_1 first.  This module is the one home of the full-parameter loss; the reduced
loss in terms of Z alone lives in :mod:`ncverify.models.schatten`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy

from ncverify.models.etf import class_labels
from ncverify.models.losses import mean_cross_entropy
from ncverify.models.schatten import factor_penalty
from ncverify.models.validation import require_int

__all__ = ["deep_linear_output", "deep_linear_ufm_loss", "lemma1_parameters"]


def deep_linear_output(H1: Any, Ws: Sequence[Any]) -> Any:
    """``Z = W_L ⋯ W_1 H_1`` (NumPy or SymPy)."""
    Z = H1
    for W in Ws:
        Z = W @ Z if isinstance(Z, np.ndarray) else W * Z
    return Z


def deep_linear_ufm_loss(H1: Any, Ws: Sequence[Any], lam: Any, K: int, n: int) -> Any:
    """Full loss ``g(W_L⋯W_1H_1) + ½λ Σ_l ‖W_l‖² + ½λ‖H_1‖²`` of the deep linear UFM (`gk` Eq. 1).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> H1, Ws = rng.standard_normal((3, 4)), [rng.standard_normal((2, 3))]
    >>> float(deep_linear_ufm_loss(H1, Ws, 0.1, K=2, n=2)) > 0
    True
    """
    K, n = require_int("K", K, minimum=2), require_int("n", n, minimum=1)
    Z = deep_linear_output(H1, Ws)
    if Z.shape != (K, K * n):
        raise ValueError(f"W_L ⋯ W_1 H_1 must have shape ({K}, {K * n}), got {Z.shape}")
    return mean_cross_entropy(Z, class_labels(K, n)) + factor_penalty([H1, *Ws], lam)


def lemma1_parameters(s: Sequence[Any], Us: Sequence[Any], V0: Any, K: int, d: int, n: int,
                      L: int) -> tuple[Any, list[Any]]:
    """Parameters with the aligned-SVD structure of `gk` Lemma 1, Eq. (3).

    ``W_l = U_l Σ U_{l-1}ᵀ`` (1 <= l <= L-1), ``W_L = U_L Σ̃ U_{L-1}ᵀ``, ``H_1 = U_0 Σ̄ V_0ᵀ``,
    where the top K×K block of Σ (d×d), Σ̃ (K×d) and Σ̄ (d×Kn) is diag(s) and the rest is zero.
    ``Us = [U_0, ..., U_{L-1}, U_L]`` with U_0..U_{L-1} d×d and U_L K×K.  Exact for SymPy input.

    Returns ``(H_1, [W_1, ..., W_L])``; then ``Z = U_L [diag(s^{L+1}) 0] V_0ᵀ`` (Eq. 4).
    """
    K, d, n, L = (require_int("K", K, 2), require_int("d", d, 1), require_int("n", n, 1),
                  require_int("L", L, 1))
    if d < K:
        raise ValueError(f"d must be >= K={K} (Lemma 1), got {d}")
    if len(s) != K or len(Us) != L + 1:
        raise ValueError(f"need K={K} singular values and L+1={L + 1} matrices U_0..U_L")
    exact = isinstance(V0, sympy.MatrixBase)

    def block(rows: int, cols: int) -> Any:
        M = sympy.zeros(rows, cols) if exact else np.zeros((rows, cols))
        for i in range(K):
            M[i, i] = s[i]
        return M

    mul = (lambda a, b: a * b) if exact else (lambda a, b: a @ b)
    H1 = mul(mul(Us[0], block(d, K * n)), V0.T)
    Ws = [mul(mul(Us[l], block(d, d)), Us[l - 1].T) for l in range(1, L)]
    Ws.append(mul(mul(Us[L], block(K, d)), Us[L - 1].T))
    return H1, Ws
