"""The deep unconstrained feature model: parameters, forward product and full loss (`gk` Eq. 1).

Parameters are ``H_1 ∈ R^{d×Kn}``, ``W_1..W_{L-1} ∈ R^{d×d}``, ``W_L ∈ R^{K×d}``; the list
``Ws`` holds W_1 first.  This module is the one home of the full-parameter loss; the reduced
loss in terms of Z alone lives in :mod:`ncverify.models.schatten`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mpmath
import numpy as np
import sympy

from ncverify.models.etf import class_labels
from ncverify.models.losses import mean_cross_entropy, mse_fit
from ncverify.models.schatten import factor_penalty
from ncverify.models.validation import require_int

__all__ = [
    "deep_linear_output",
    "dnc_parameters",
    "deep_linear_ufm_loss",
    "dufm_features",
    "dufm_loss",
    "dufm_output",
    "lemma1_parameters",
    "relu",
]

ACTIVATIONS = ("identity", "relu")
LOSSES = ("ce", "mse")


def relu(M: Any) -> Any:
    """Elementwise max(0, x) for NumPy arrays, SymPy matrices (exact) and mpmath matrices."""
    if isinstance(M, sympy.MatrixBase):
        return M.applyfunc(lambda x: x if x > 0 else sympy.Integer(0))
    if isinstance(M, mpmath.matrix):
        return mpmath.matrix([[max(M[i, j], 0) for j in range(M.cols)] for i in range(M.rows)])
    return np.maximum(M, 0)


def _mul(A: Any, B: Any) -> Any:
    return A @ B if isinstance(A, np.ndarray) else A * B


def dufm_features(H1: Any, Ws: Sequence[Any], activation: str = "identity"
                  ) -> tuple[list[Any], list[Any]]:
    """Features of the deep UFM, before and after the activation (`gk` §2, `sk` Definition 2).

    ``H_{l+1} = W_l H̃_l`` for l = 1..L-1 with ``H̃_1 = H_1`` and ``H̃_l = σ(H_l)`` for l >= 2;
    the output ``Z = W_L H̃_L`` has no activation.  Returns ``(pre, post)``: the lists
    ``[H_1, H_2, ..., H_L]`` and ``[H_1, σ(H_2), ..., σ(H_L)]``.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    if not Ws:
        raise ValueError("Ws must hold at least W_L")
    act = relu if activation == "relu" else (lambda M: M)
    pre, post = [H1], [H1]
    for W in Ws[:-1]:
        h = _mul(W, post[-1])
        pre.append(h)
        post.append(act(h))
    return pre, post


def dufm_output(H1: Any, Ws: Sequence[Any], activation: str = "identity") -> Any:
    """``Z = W_L σ(W_{L-1} σ(⋯ σ(W_1 H_1)))`` (σ = identity or ReLU)."""
    _, post = dufm_features(H1, Ws, activation)
    return _mul(Ws[-1], post[-1])


def deep_linear_output(H1: Any, Ws: Sequence[Any]) -> Any:
    """``Z = W_L ⋯ W_1 H_1`` (NumPy or SymPy)."""
    return dufm_output(H1, Ws, "identity")


def dufm_loss(H1: Any, Ws: Sequence[Any], lams: Any, K: int, n: int | Sequence[int],
              loss: str = "ce", activation: str = "identity") -> Any:
    """Full deep-UFM loss: fit + ``½λ_{H_1}‖H_1‖² + Σ_l ½λ_{W_l}‖W_l‖²``.

    ``loss="ce"``: mean cross-entropy (`gk` Eq. 1-2); ``loss="mse"``: ``(1/2N)‖Z - Y‖²`` with
    ``Y = I_K ⊗ 1_nᵀ`` (`sk` Eq. 1).  ``lams`` is one λ for every parameter or the list
    ``[λ_{H_1}, λ_{W_1}, ..., λ_{W_L}]``; ``n`` a class size or the list of class sizes.
    Works for NumPy arrays (float), SymPy matrices (exact) and mpmath matrices.
    """
    K = require_int("K", K, minimum=2)
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    labels = class_labels(K, n)
    Z = dufm_output(H1, Ws, activation)
    if tuple(Z.shape if not isinstance(Z, mpmath.matrix) else (Z.rows, Z.cols)) != (K, len(labels)):
        raise ValueError(f"the output must have shape ({K}, {len(labels)}), got {Z.shape}")
    if loss == "ce":
        fit = mean_cross_entropy(Z, labels)
    else:
        Y = np.eye(K)[:, labels]
        if isinstance(Z, sympy.MatrixBase):
            Y = sympy.Matrix(Y.astype(int))
        elif isinstance(Z, mpmath.matrix):
            Y = mpmath.matrix(Y.tolist())
        fit = mse_fit(Z, Y)
    if isinstance(lams, Sequence) and not isinstance(lams, str):
        if len(lams) != len(Ws) + 1:
            raise ValueError(f"lams must hold L+1 = {len(Ws) + 1} values (λ_H1, λ_W1..λ_WL), "
                             f"got {len(lams)}")
        return fit + factor_penalty([H1, *Ws], list(lams))
    return fit + factor_penalty([H1, *Ws], lams)


def deep_linear_ufm_loss(H1: Any, Ws: Sequence[Any], lam: Any, K: int, n: int) -> Any:
    """Full loss ``g(W_L⋯W_1H_1) + ½λ Σ_l ‖W_l‖² + ½λ‖H_1‖²`` of the deep linear UFM (`gk` Eq. 1).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> H1, Ws = rng.standard_normal((3, 4)), [rng.standard_normal((2, 3))]
    >>> float(deep_linear_ufm_loss(H1, Ws, 0.1, K=2, n=2)) > 0
    True
    """
    K, n = require_int("K", K, minimum=2), require_int("n", n, minimum=1)
    return dufm_loss(H1, Ws, lam, K, n, loss="ce", activation="identity")


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


def dnc_parameters(K: int, n: int, d: int, L: int, alpha: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, list[np.ndarray]]:
    """Float parameters of a DNC solution of the deep linear UFM (`gk` Definition 2).

    Lemma-1 structure (Eq. 3) with ``Z = α S ⊗ 1_nᵀ``: the SVD ``S ⊗ 1_nᵀ = Q D (Q ⊗ 1_n/√n)ᵀ √n``
    (Q orthogonal with last column 1_K/√K, D = diag(1, ..., 1, 0)) gives ``U_L = Q``,
    ``V_0 = [Q ⊗ 1_n/√n, completion]`` and equal singular values ``(α√n)^{1/(L+1)}`` on K-1
    directions; the free frames U_0..U_{L-1} are Haar-random.
    """
    from ncverify.models.orthogonal import random_orthogonal

    K, n, d, L = (require_int("K", K, 2), require_int("n", n, 1), require_int("d", d, 1),
                  require_int("L", L, 1))
    if d < K:
        raise ValueError(f"d must be >= K={K}, got {d}")
    ones = np.ones((K, 1)) / np.sqrt(K)
    Q, R = np.linalg.qr(np.hstack([ones, rng.standard_normal((K, K - 1))]))
    Q = np.roll(Q * np.sign(np.diag(R)), -1, axis=1)  # 1_K/√K (sign fixed) as the last column
    lead = np.kron(Q, np.ones((n, 1)) / np.sqrt(n))  # (Kn, K), orthonormal columns
    comp, _ = np.linalg.qr(np.hstack([lead, rng.standard_normal((K * n, K * n - K))]))
    V0 = np.hstack([lead, comp[:, K:]])
    s = np.full(K, (alpha * np.sqrt(n)) ** (1.0 / (L + 1)))
    s[-1] = 0.0
    Us = [random_orthogonal(d, rng) for _ in range(L)] + [Q]
    return lemma1_parameters(list(s), Us, V0, K, d, n, L)
