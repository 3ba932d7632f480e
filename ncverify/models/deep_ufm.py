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
    shape = (Z.rows, Z.cols) if isinstance(Z, mpmath.matrix) else tuple(Z.shape)
    if shape != (K, len(labels)):
        raise ValueError(f"the output must have shape ({K}, {len(labels)}), got {shape}")
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


def helmert_basis(K: int, ctx: Any = mpmath) -> Any:
    """Orthogonal K×K matrix whose last column is ``1_K/√K`` (Helmert), in mpmath (or NumPy when
    ``ctx`` is ``numpy``): column j < K-1 is ``(1, ..., 1, -(j+1), 0, ...)/√((j+1)(j+2))``.

    >>> Q = helmert_basis(3, np); bool(np.allclose(Q.T @ Q, np.eye(3)))
    True
    """
    K = require_int("K", K, minimum=2)
    if ctx is np:
        Q = np.zeros((K, K))
        sqrt = np.sqrt
    else:
        Q = mpmath.matrix(K, K)
        sqrt = mpmath.sqrt
    for j in range(K - 1):
        c = 1 / sqrt((j + 1) * (j + 2))
        for i in range(j + 1):
            Q[i, j] = c
        Q[j + 1, j] = -(j + 1) * c
    for i in range(K):
        Q[i, K - 1] = 1 / sqrt(K)
    return Q


def canonical_dnc_parameters(K: int, n: int, d: int, L: int, alpha: Any) -> tuple[Any, list[Any]]:
    """A DNC solution of the deep linear UFM with canonical frames, in mpmath (`gk` Def. 2).

    U_0 = ... = U_{L-1} = I_d, U_L = Q (Helmert, :func:`helmert_basis`) and the leading K columns
    of V_0 equal ``Q ⊗ 1_n/√n``, with singular values ``(α√n)^{1/(L+1)}`` on K-1 directions, so
    ``Z = α S ⊗ 1_nᵀ``.  Only the leading columns of V_0 enter H_1, so no completion is needed.
    Works at the current ``mpmath.mp.dps``.
    """
    K, n, d, L = (require_int("K", K, 2), require_int("n", n, 1), require_int("d", d, 1),
                  require_int("L", L, 1))
    if d < K:
        raise ValueError(f"d must be >= K={K}, got {d}")
    alpha = mpmath.mpf(alpha)
    s = (alpha * mpmath.sqrt(n)) ** (mpmath.mpf(1) / (L + 1))
    Q = helmert_basis(K)
    H1 = mpmath.matrix(d, K * n)
    for i in range(K - 1):  # row i of H_1 = s · (column i of Q ⊗ 1_n/√n)ᵀ
        for c in range(K):
            for j in range(n):
                H1[i, c * n + j] = s * Q[c, i] / mpmath.sqrt(n)
    Ws = []
    for _ in range(L - 1):
        W = mpmath.matrix(d, d)
        for i in range(K - 1):
            W[i, i] = s
        Ws.append(W)
    WL = mpmath.matrix(K, d)
    for a in range(K):
        for i in range(K - 1):
            WL[a, i] = Q[a, i] * s
    Ws.append(WL)
    return H1, Ws


def deep_linear_gradient(H1: Any, Ws: Sequence[Any], lam: Any, K: int, n: int
                         ) -> tuple[Any, list[Any]]:
    """Gradient of the deep linear UFM loss, `gk` Eq. (7), for NumPy or mpmath matrices:

    ``∂𝓛/∂W_l = (1/Kn) A_{l+1}ᵀ (P - Y) H_lᵀ + λ W_l`` with ``A_{l+1} = W_L ⋯ W_{l+1}``,
    ``H_l = W_{l-1} ⋯ W_1 H_1`` (and l = 0 meaning H_1).  This is the reference formula for
    high-precision checks; the engine's batched backward pass is tested against it.
    Returns ``(∂/∂H_1, [∂/∂W_1, ..., ∂/∂W_L])``.
    """
    K, n = require_int("K", K, minimum=2), require_int("n", n, minimum=1)
    mp = isinstance(H1, mpmath.matrix)
    mul = (lambda a, b: a * b) if mp else (lambda a, b: a @ b)
    T = (lambda a: a.T) if mp else (lambda a: a.T)
    L = len(Ws)
    feats = [H1]  # H_1, H_2 = W_1 H_1, ..., H_{L+1} = Z
    for W in Ws:
        feats.append(mul(W, feats[-1]))
    Z = feats[-1]
    labels = class_labels(K, n)
    N = K * n
    if mp:
        G = mpmath.matrix(K, N)
        for j in range(N):
            col = [Z[k, j] for k in range(K)]
            m = max(col)
            e = [mpmath.exp(v - m) for v in col]
            tot = mpmath.fsum(e)
            for k in range(K):
                G[k, j] = (e[k] / tot - (1 if k == labels[j] else 0)) / N
    else:
        E = np.exp(Z - Z.max(axis=0))
        G = (E / E.sum(axis=0) - np.eye(K)[:, labels]) / N
    # A_{l+1}ᵀ G, accumulated from the top: B_L = G, B_{l} = W_{l+1}ᵀ B_{l+1}
    grads_W = [None] * L
    B = G
    for l in range(L, 0, -1):  # W_l is Ws[l-1], its input is feats[l-1]
        grads_W[l - 1] = mul(B, T(feats[l - 1])) + lam * Ws[l - 1]
        B = mul(T(Ws[l - 1]), B)
    return B + lam * H1, grads_W
