"""`zg` Lemma 3.3 and Theorem 3.4 (§3.2, proof of the lemma in App. A.3): at a stationary point
of the weight-decayed loss, every layer after a well-clustered layer ℓ is within
``C·TCV_k(X_ℓ)/(2λ)`` of the matrices of rank at most k ("neural rank collapse").

The extracted text lost the formulas; the statements are reconstructed from the prose (quoted
verbatim in ``STATEMENT``), the proof sketch of Theorem 3.4 and App. A.3.  The constant C is the
supremum, over the convex hull of the layer-ℓ points z = (x^ℓ, y), of the second derivative of
the per-sample gradient ``g(z) = ∇_{W_m} ℓ(f_{ℓ+1:L}(x; θ), y)`` (a third-order tensor).

Computations (MSE loss ``ℓ = ½‖f − y‖²``, tanh or identity activations):

* :func:`gradient_jets`: exact second-order Taylor jets of ``t ↦ g(z + t u)`` by forward and
  backward propagation of truncated Taylor series (checked against finite differences in the
  tests), hence ``D²g(ξ)[u, u]`` at any point and direction;
* :func:`curvature_upper`: an explicit upper bound on C from the weights' spectral norms, the
  largest point norms and ``max|tanh''| = 4/(3√3)``, ``max|tanh'''| = 2``;
* :func:`curvature_sampled`: a lower estimate of C, the largest ``‖D²g(ξ)[u, u]‖`` over sampled
  points ξ of the hull (data, centroids, segments, random convex combinations) and directions u
  optimised by power iterations on the polarised tensor.  A bound that holds with this smaller
  constant holds with C;
* :func:`taylor_remainders`, :func:`integral_remainders`: the Taylor remainders R_i of A.3,
  exactly and in the integral form ``∫₀¹ (1−t) D²g(ẑ + t h)[h, h] dt``.

Finding: A.3 writes the remainder in Lagrange form, ``½ D²g(ξ)[h, h]`` "for some ξ between"
the point and its centroid.  For the matrix-valued g this is false: the components need
different ξ (shown exactly over ℚ with σ(t) = t + t²/2, and with Arb balls for tanh).  The
integral form gives the same bound, so Lemma 3.3 and Theorem 3.4 hold as stated.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import flint
import numpy as np
import sympy

from ncverify.claims import Claim, Discrepancy, Outcome, register
from ncverify.engine.mlp import MLPBatch, MLPConfig, polish_mlp, train_mlp
from ncverify.models.clusters import sample_gaussian_mixture, tcv_exact, wcss
from ncverify.models.rank_distance import rank_k_distance
from ncverify.models.validation import require_int, require_positive
from ncverify.rigorous.balls import arb_precision

__all__ = ["BLOBS", "TANH_D2", "TANH_D3", "blob_data", "centroid_gradient", "claim",
           "curvature_sampled", "curvature_upper", "full_gradient", "gradient_jets",
           "hull_samples", "integral_remainders", "lagrange_form_arb", "lagrange_form_exact",
           "layer_points", "lemma_equality_case", "rank_k_distance", "segment_gradients",
           "taylor_remainders", "theorem_terms"]

STATEMENT = r"""[Reconstructed: the extracted text (004_b40eaf01881f9599.txt) lost every formula; the surviving prose is quoted verbatim in quotation marks, our reconstruction of the lost formulas is in square brackets.  Conventions: 𝓛(θ) = (1/N) Σ_i ℓ(f(x_i; θ), y_i) and WCSS, TCV with the same 1/N (Eq. 3 uses a sum; multiplying both by N leaves every inequality unchanged); X_ℓ = {z_i = (x_i^ℓ, y_i)} are the layer-ℓ outputs paired with the labels; g(z) = ∇_{W_m} ℓ(f_{ℓ+1:L}(x; θ), y) for z = (x, y); ‖D²g(ξ)‖ = sup_{‖u‖=1} ‖D²g(ξ)[u, u]‖_F.]

"Given a partition 𝒞 as in Section 3.1, we can introduce the centroid-based loss at the [ℓ]-th layer: (8) [𝓛̂_ℓ(θ) = (1/N) Σ_{j=1}^{k} N_j ℓ(f_{ℓ+1:L}(x̂_j^ℓ; θ), ŷ_j)]. Note that [𝓛̂_ℓ] is equivalent to the standard loss in the situation of degenerate data, i.e., when the data within any family of 𝒞 coincides with its centroid. Moreover, from the previous discussion and Proposition 3.1, we know that the gradient with respect to any of the last [L − ℓ] layers of the [ℓ]-th centroid-based loss has rank at most [k]."

Lemma 3.3 (Centroid-based gradients approximate full gradients for well-clustered data). "Fix a partition [𝒞 = {C_1, ..., C_k}] and a layer [m] with weight matrix [W_m]. Let the function [ℓ] be in [C²] and [σ_j] be in [C²] for any [j]. Then, (9) [‖∇_{W_m}𝓛(θ) − ∇_{W_m}𝓛̂_ℓ(θ)‖ ≤ (C_{ℓ,m}(θ, 𝒞)/2) · WCSS_ℓ(𝒞)] for all [ℓ < m (and every θ)], where [C_{ℓ,m}(θ, 𝒞) = max_j sup_{ξ ∈ conv(C_j^ℓ)} ‖D²g(ξ)‖] and [conv(C_j^ℓ)] is the convex hull of [C_j^ℓ = {z_i : i ∈ C_j}]."

"As a consequence of the above lemma, for any stationary point, we can control the distance of the [m]-th layer from the set of matrices having rank less than or equal to [k] in terms of the [k]-th total cluster variation of the first [ℓ] intermediate outputs. [...] (10) [𝓜_k = {W ∈ R^{d_m×d_{m−1}} : rank W = k}; dist(W, 𝓜_k) = inf_{M ∈ 𝓜_k} ‖W − M‖_F = (Σ_{i>k} s_i(W)²)^{1/2} (Eckart–Young; the infimum over rank exactly k equals the minimum over rank ≤ k)]."

Theorem 3.4 (Small within-class variability yields low-rank bias). "Assume [θ] to be a stationary point of [𝓛_λ = 𝓛 + (λ/2)‖θ‖²]. Then, for any [ℓ < m] and [k],  [dist(W_m, 𝓜_k) ≤ C_{ℓ,m}(θ) · TCV_k(X_ℓ) / (2λ)],  where [C_{ℓ,m}(θ) = sup_{ξ ∈ conv(X_ℓ)} ‖D²g(ξ)‖] and [conv(X_ℓ)] is the convex hull of [X_ℓ]."

Proof of Theorem 3.4: "Observe that from (4), at the stationary point we have (11) [W_m = −(1/λ) ∇_{W_m}𝓛(θ)]. Now, Lemma 3.3 allows us to control the distance of the gradient in the right-hand side of (11) from [𝓜_k]. In particular, given [𝒞 ∈ Π_k], for any [M ∈ 𝓜_k] we have [dist(W_m, 𝓜_k) ≤ ‖W_m + (1/λ)∇_{W_m}𝓛̂_ℓ(θ)‖ = (1/λ)‖∇_{W_m}𝓛(θ) − ∇_{W_m}𝓛̂_ℓ(θ)‖ ≤ C_{ℓ,m}(θ, 𝒞) WCSS_ℓ(𝒞)/(2λ)] where we have used that [∇_{W_m}𝓛̂_ℓ] has rank smaller than or equal to the number of families of 𝒞. Then, first minimizing over [M], second bounding [C_{ℓ,m}(θ, 𝒞) ≤ C_{ℓ,m}(θ)] from above for any [𝒞], and third minimizing over all the possible partitions yield the thesis."

App. A.3: "We start by considering the Taylor expansion of the gradient centered in [ẑ_j] for any point [z_i] with [i ∈ C_j] and any [m] (23) [g(z_i) = g(ẑ_j) + Dg(ẑ_j)[z_i − ẑ_j] + R_i] where the reminder is given by (24) [R_i = ½ D²g(ξ_i)[z_i − ẑ_j, z_i − ẑ_j]] for some [ξ_i] between [z_i] and [ẑ_j]. Therefore, using the linearity of [Dg(ẑ_j)], we have [Σ_{i∈C_j} g(z_i) = N_j g(ẑ_j) + Σ_{i∈C_j} R_i] [...] Hence, we obtain [‖∇𝓛 − ∇𝓛̂_ℓ‖ ≤ (1/N) Σ_i ‖R_i‖ ≤ (C/2)·WCSS_ℓ(𝒞)] where (25) [C = max_j sup_{ξ ∈ conv(C_j^ℓ)} ‖D²g(ξ)‖] as desired." """

claim = register(Claim(
    id="zg.thm3_4",
    paper="zg",
    label="Theorem 3.4 (with Lemma 3.3)",
    title="Stationary layers after a clustered layer are within C·TCV_k/(2λ) of rank k",
    source="004_b40eaf01881f9599.txt, Section 3.2 (Eq. 8, Lemma 3.3 with Eq. 9, Eq. 10, "
           "Theorem 3.4 and its proof with Eq. 11) and Appendix A.3 (Eqs. 23-25)",
    statement=STATEMENT,
    domain={"loss": "C^2 per-sample loss (checked: MSE)",
            "activation": "C^2 (checked: tanh; sigma(t) = t + t^2/2 in the exact check)",
            "lambda": "> 0", "layers": "any l < m", "k": ">= 1",
            "partition": "any (Lemma 3.3); minimising (Theorem 3.4)",
            "point": "theta arbitrary (Lemma 3.3); stationary point of L_lambda (Theorem 3.4)"},
    reconstructed=True,
))

#: ``max_t |tanh''(t)| = 4/(3√3)`` (at tanh t = ±1/√3) and ``max_t |tanh'''(t)| = 2`` (at 0).
TANH_D2 = 4.0 / (3.0 * math.sqrt(3.0))
TANH_D3 = 2.0


# ------------------------------------------------------------------------------ the objects


def _check_mse(config: MLPConfig) -> None:
    if config.loss != "mse":
        raise ValueError(f"config.loss must be 'mse' (the jets are for ½‖f − y‖²), got "
                         f"{config.loss!r}")
    if config.activation not in ("tanh", "identity"):
        raise ValueError(f"config.activation must be 'tanh' or 'identity' (C² activations), "
                         f"got {config.activation!r}")


def _check_layer(config: MLPConfig, ell: int) -> int:
    ell = require_int("ell", ell, minimum=0)
    if ell >= config.L:
        raise ValueError(f"ell must be an integer in 0..{config.L - 1}, got {ell}")
    return ell


def layer_points(config: MLPConfig, X: Any, targets: Any, weights: list[np.ndarray],
                 ell: int) -> tuple[np.ndarray, np.ndarray]:
    """``(x^ℓ, y)``: the layer-ℓ outputs (d_ℓ, N) and the targets (d_L, N), i.e. the set X_ℓ of
    `zg` §2 (``ell = 0``: the data)."""
    _check_mse(config)
    ell = _check_layer(config, ell)
    batch = MLPBatch(config, X, targets, runs=1)
    return batch.features([w[None] for w in weights])[ell][0], batch.T


def _centroids(x: np.ndarray, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    lab = np.asarray(labels)
    if lab.shape != (x.shape[1],) or lab.dtype.kind not in "iu":
        raise ValueError(f"labels must hold N = {x.shape[1]} integer cluster ids")
    _, inv = np.unique(lab, return_inverse=True)
    C = np.stack([x[:, inv == j].mean(axis=1) for j in range(inv.max() + 1)], axis=1)
    return C, inv


def full_gradient(config: MLPConfig, X: Any, targets: Any, weights: list[np.ndarray]
                  ) -> list[np.ndarray]:
    """``∇_{W_m}𝓛`` of the fit ``(1/N) Σ_i ½‖f(x_i) − y_i‖²`` (engine), one array per layer."""
    G, _ = MLPBatch(config, X, targets, runs=1).gradient([w[None] for w in weights],
                                                         weight_decay=False)
    return [g[0] for g in G]


def centroid_gradient(config: MLPConfig, X: Any, targets: Any, weights: list[np.ndarray],
                      labels: Any, ell: int, weighted: bool = True) -> list[np.ndarray]:
    """``∇_{W_m}𝓛̂_ℓ`` for m = ℓ+1..L of the centroid-based loss (`zg` Eq. 8).

    ``𝓛̂_ℓ = (1/N) Σ_j N_j ℓ(f_{ℓ+1:L}(x̂_j^ℓ), ŷ_j)``, the centroids of the layer-ℓ points and
    targets over the clusters of ``labels``; evaluated by the engine on the sub-network
    ``W_{ℓ+1..L}`` with every centroid repeated N_j times.  ``weighted=False`` gives the plain
    mean ``(1/k) Σ_j`` instead (equal to the weighted loss only for equal cluster sizes).
    """
    x, y = layer_points(config, X, targets, weights, ell)
    cx, inv = _centroids(x, labels)
    cy, _ = _centroids(y, labels)
    if weighted:
        cx, cy = cx[:, inv], cy[:, inv]
    sub = config.replace(dims=config.dims[ell:], lam=0.0)
    return full_gradient(sub, cx, cy, weights[ell:])


# ------------------------------------------------------------------------------ Taylor jets


def _act_jets(P0, P1, P2, activation: str):
    """Jets of σ(P(t)) and σ'(P(t)) from the jet (P0, P1, P2) = (P, P', P'')."""
    if activation == "identity":
        return (P0, P1, P2), (1.0, 0.0, 0.0)
    t = np.tanh(P0)
    d1 = 1.0 - t * t  # tanh'
    d2 = -2.0 * t * d1  # tanh''
    d3 = d1 * (6.0 * t * t - 2.0)  # tanh'''
    return (t, d1 * P1, d2 * P1 * P1 + d1 * P2), (d1, d2 * P1, d3 * P1 * P1 + d2 * P2)


def _outer(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("pn,qn->npq", a, b)


def gradient_jets(weights: list[Any], activation: str, x: Any, y: Any, ux: Any, uy: Any
                  ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Second-order Taylor jets of the per-sample gradient along lines (`zg` App. A.3).

    For every column i and layer l, ``(g, g', g'')`` at t = 0 of
    ``t ↦ ∇_{W_l} ½‖f(x_i + t ux_i) − (y_i + t uy_i)‖²`` with f = ``W_L σ(⋯σ(W_1 x))``:
    so ``g'' = D²g(z_i)[u_i, u_i]``.  Forward pass of the jets of the pre-activations and layer
    outputs, then the backward pass ``∇W_l = B_l h_lᵀ`` on jets (product rule up to order 2).

    Parameters
    ----------
    weights : ``[W_1, ..., W_L]`` (2-D, float or Arb object arrays).  activation : ``"tanh"``
        or ``"identity"``.  x, ux : (d_0, n).  y, uy : (d_L, n).

    Returns a list over layers of three (n, rows, cols) arrays.
    """
    if activation not in ("tanh", "identity"):
        raise ValueError(f"activation must be 'tanh' or 'identity', got {activation!r}")
    h = (x, ux, 0.0 * x)
    hs, ss = [h], []
    for W in weights[:-1]:
        h, s = _act_jets(*(W @ v for v in h), activation)
        hs.append(h)
        ss.append(s)
    Z = tuple(weights[-1] @ v for v in h)
    B = (Z[0] - y, Z[1] - uy, Z[2])  # jets of ∂ℓ/∂f = f − y
    out: list[Any] = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        a = hs[l]
        out[l] = (_outer(B[0], a[0]), _outer(B[1], a[0]) + _outer(B[0], a[1]),
                  _outer(B[2], a[0]) + 2 * _outer(B[1], a[1]) + _outer(B[0], a[2]))
        if l > 0:
            Bt = tuple(weights[l].T @ b for b in B)
            s = ss[l - 1]
            B = (Bt[0] * s[0], Bt[1] * s[0] + Bt[0] * s[1],
                 Bt[2] * s[0] + 2 * Bt[1] * s[1] + Bt[0] * s[2])
    return out


def _split_points(x, y, labels):
    """Per column: the centroid ẑ_{j(i)} and the offset h_i = z_i − ẑ_{j(i)}."""
    cx, inv = _centroids(x, labels)
    cy, _ = _centroids(y, labels)
    return cx[:, inv], cy[:, inv], x - cx[:, inv], y - cy[:, inv]


def taylor_remainders(weights: list[np.ndarray], activation: str, x: np.ndarray, y: np.ndarray,
                      labels: Any) -> list[np.ndarray]:
    """``R_i = g(z_i) − g(ẑ_j) − Dg(ẑ_j)[z_i − ẑ_j]`` per layer, (n, rows, cols) (`zg` Eq. 23).

    ``(1/N) Σ_i R_i = ∇𝓛 − ∇𝓛̂`` exactly, because the first-order terms of each cluster sum to
    ``Dg(ẑ_j)[Σ_{i∈C_j} (z_i − ẑ_j)] = 0``.
    """
    cx, cy, hx, hy = _split_points(x, y, labels)
    at_z = gradient_jets(weights, activation, x, y, 0.0 * x, 0.0 * y)
    at_c = gradient_jets(weights, activation, cx, cy, hx, hy)
    return [gz[0] - gc[0] - gc[1] for gz, gc in zip(at_z, at_c, strict=True)]


def integral_remainders(weights: list[np.ndarray], activation: str, x: np.ndarray,
                        y: np.ndarray, labels: Any, nodes: int = 16, pieces: int = 4
                        ) -> list[np.ndarray]:
    """``∫₀¹ (1−t) D²g(ẑ_j + t h_i)[h_i, h_i] dt`` per layer by composite Gauss–Legendre
    quadrature (``pieces`` equal sub-intervals, ``nodes`` nodes each): the integral form of the
    remainder R_i (Taylor's theorem for vector-valued functions), which replaces the Lagrange
    form (24) of `zg` App. A.3."""
    nodes = require_int("nodes", nodes, minimum=1)
    pieces = require_int("pieces", pieces, minimum=1)
    cx, cy, hx, hy = _split_points(x, y, labels)
    t, w = np.polynomial.legendre.leggauss(nodes)
    t = ((t[None, :] + 1.0) / 2 + np.arange(pieces)[:, None]).ravel() / pieces
    w = np.tile(w / (2 * pieces), pieces)
    n, q = x.shape[1], t.size
    J = gradient_jets(weights, activation, np.concatenate([cx + s * hx for s in t], axis=1),
                      np.concatenate([cy + s * hy for s in t], axis=1), np.tile(hx, q),
                      np.tile(hy, q))
    return [np.einsum("q,qnab->nab", w * (1.0 - t), j[2].reshape(q, n, *j[2].shape[1:]))
            for j in J]


# ------------------------------------------------------------------------------ the constant C


def curvature_upper(weights: list[np.ndarray], activation: str, xmax: float, ymax: float
                    ) -> list[float]:
    """Upper bound on ``sup ‖D²g(ξ)[u, u]‖_F`` over ``‖ξ_x‖ ≤ xmax, ‖ξ_y‖ ≤ ymax, ‖u‖ = 1``, per
    layer (so on C of `zg` Lemma 3.3 / Theorem 3.4, the hull lying in that set).

    Norm bounds propagated through the jets of :func:`gradient_jets` with ``‖A⊙B‖ ≤ ‖A‖‖B‖``,
    ``‖Wv‖ ≤ ‖W‖₂‖v‖``, ``|tanh| ≤ min(1, |t|)``, ``|tanh'| ≤ 1``, ``|tanh''| ≤ 4/(3√3)``,
    ``|tanh'''| ≤ 2`` and ``‖ux‖, ‖uy‖ ≤ 1``.

    >>> curvature_upper([np.eye(2)], "identity", 1.0, 1.0)  # true value 1 + √2 (see tests)
    [4.0]
    """
    if activation not in ("tanh", "identity"):
        raise ValueError(f"activation must be 'tanh' or 'identity', got {activation!r}")
    for name, v in (("xmax", xmax), ("ymax", ymax)):
        if not (np.isfinite(v) and v >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {v!r}")
    c2, c3 = (TANH_D2, TANH_D3) if activation == "tanh" else (0.0, 0.0)
    a = (float(xmax), 1.0, 0.0)  # bounds on ‖h‖, ‖h'‖, ‖h''‖ at the layer input
    hs, ss = [a], []
    for W in weights[:-1]:
        nw = float(np.linalg.norm(W, 2))
        p = (nw * a[0], nw * a[1], nw * a[2])
        h0 = min(math.sqrt(W.shape[0]), p[0]) if activation == "tanh" else p[0]
        a = (h0, p[1], c2 * p[1] ** 2 + p[2])
        hs.append(a)
        ss.append((c2 * p[1], c3 * p[1] ** 2 + c2 * p[2]))
    nw = float(np.linalg.norm(weights[-1], 2))
    b = (nw * a[0] + ymax, nw * a[1] + 1.0, nw * a[2])
    out = [0.0] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        a = hs[l]
        out[l] = b[2] * a[0] + 2 * b[1] * a[1] + b[0] * a[2]
        if l > 0:
            nw = float(np.linalg.norm(weights[l], 2))
            b = tuple(nw * v for v in b)
            s1, s2 = ss[l - 1]
            b = (b[0], b[1] + b[0] * s1, b[2] + 2 * b[1] * s1 + b[0] * s2)
    return out


def hull_samples(x: np.ndarray, y: np.ndarray, labels: Any, rng: np.random.Generator,
                 n_random: int = 20, within: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Points of the convex hull of the columns ``z_i = (x_i, y_i)``: the points, the centroids,
    midpoints of the segments point–centroid and centroid–centroid, and ``n_random`` random convex
    combinations (Dirichlet(1/2) weights); ``within=True`` keeps to the hulls of the clusters
    (no centroid–centroid segments, combinations inside one cluster)."""
    cx, inv = _centroids(x, labels)
    cy, _ = _centroids(y, labels)
    px = [x, cx, 0.5 * (x + cx[:, inv])]
    py = [y, cy, 0.5 * (y + cy[:, inv])]
    k = cx.shape[1]
    if not within and k > 1:
        a, b = np.triu_indices(k, 1)
        px.append(0.5 * (cx[:, a] + cx[:, b]))
        py.append(0.5 * (cy[:, a] + cy[:, b]))
    for _ in range(n_random):
        members = np.flatnonzero(inv == rng.integers(k)) if within else np.arange(x.shape[1])
        lam = rng.dirichlet(np.full(members.size, 0.5))
        px.append(x[:, members] @ lam[:, None])
        py.append(y[:, members] @ lam[:, None])
    return np.concatenate(px, axis=1), np.concatenate(py, axis=1)


def curvature_sampled(weights: list[np.ndarray], activation: str, px: np.ndarray,
                      py: np.ndarray, iters: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """``(lower, upper)`` bounds on ``sup_{‖u‖=1} ‖D²g(ξ)[u, u]‖_F`` at each point ξ (columns of
    ``px``, ``py``), arrays (layers, n).

    The tensor ``T_ab = D²g(ξ)[e_a, e_b]`` is obtained by polarisation from the jets along
    ``e_a`` and ``e_a + e_b``.  Lower: the best of ``max_a ‖T_aa‖`` and ``iters`` power
    iterations ``u ← Σ_b T_ab u_b ⟨·, T[u, u]⟩`` (gradient of ``‖T[u, u]‖²``) started from the top
    eigenvector of the leading left singular vector of the unfolding.  Upper: the spectral norm
    of the unfolding ``(p², rows·cols)``, since ``‖vec(uuᵀ)‖ = 1``.
    """
    iters = require_int("iters", iters, minimum=0)
    dx, n = px.shape
    p = dx + py.shape[0]
    pairs = [(a, b) for a in range(p) for b in range(a, p)]
    E = np.zeros((p, len(pairs)))
    for c, (a, b) in enumerate(pairs):
        E[a, c] += 1.0
        E[b, c] += 1.0 if a != b else 0.0
    U = np.repeat(E, n, axis=1)  # direction e_a (+ e_b) for every point
    J = gradient_jets(weights, activation, np.tile(px, len(pairs)), np.tile(py, len(pairs)),
                      U[:dx], U[dx:])
    lows, ups = [], []
    for j in J:
        D = j[2].reshape(len(pairs), n, -1)  # D²g[u, u] for u = e_a (+ e_b)
        diag = {a: D[c] for c, (a, b) in enumerate(pairs) if a == b}
        T = np.empty((n, p, p, D.shape[-1]))
        for c, (a, b) in enumerate(pairs):
            T[:, a, b] = T[:, b, a] = diag[a] if a == b else 0.5 * (D[c] - diag[a] - diag[b])
        M = T.reshape(n, p * p, -1)
        ev, V = np.linalg.eigh(np.swapaxes(M, 1, 2) @ M)  # (rows·cols)² Gram: cheaper than SVD
        S = np.sqrt(np.maximum(ev[:, -1], 0.0))
        best = np.max(np.linalg.norm(np.stack([diag[a] for a in range(p)], 1), axis=-1), axis=1)
        Sym = (M @ V[:, :, -1:]).reshape(n, p, p)  # leading left singular vector (unnormalised)
        w, V = np.linalg.eigh(0.5 * (Sym + np.swapaxes(Sym, 1, 2)))
        u = V[np.arange(n), :, np.argmax(np.abs(w), axis=1)]
        T2 = np.ascontiguousarray(T.transpose(0, 1, 3, 2)).reshape(n, -1, p)
        for _ in range(iters + 1):
            Tu = (T2 @ u[:, :, None]).reshape(n, p, -1)  # T[e_a, u]
            Q = np.einsum("na,naq->nq", u, Tu)  # T[u, u]
            best = np.maximum(best, np.linalg.norm(Q, axis=1))
            v = np.einsum("naq,nq->na", Tu, Q)  # ¼ ∇_u ‖T[u, u]‖²
            u = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-300)
        lows.append(best)
        ups.append(S)
    return np.array(lows), np.array(ups)


# ------------------------------------------------------------------------------ the theorem


def theorem_terms(config: MLPConfig, X: Any, targets: Any, weights: list[np.ndarray], k: int,
                  ell: int, grad_reg: list[np.ndarray], rng: np.random.Generator,
                  n_random: int = 20) -> list[dict[str, Any]]:
    """The chain of `zg` Theorem 3.4's proof for every layer m > ℓ at (near-)stationary weights.

    With ``e_m = ∇_{W_m}𝓛_λ`` (``grad_reg``; 0 at an exact stationary point), so that
    ``W_m = −(∇_{W_m}𝓛 − e_m)/λ``, and the partition 𝒞* minimising the WCSS of X_ℓ
    (:func:`tcv_exact`): ``actual = dist(W_m, 𝓜_k)``; ``proof_step = (‖∇𝓛 − ∇𝓛̂‖ + ‖e_m‖)/λ``
    (the rank-≤k matrix ``−∇𝓛̂/λ``); ``remainders = ((1/N) Σ‖R_i‖ + ‖e_m‖)/λ``;
    ``bound_sampled`` and ``bound_upper`` ``= (C·TCV_k/2 + ‖e_m‖)/λ`` with C from
    :func:`curvature_sampled` over :func:`hull_samples` of conv(X_ℓ) (a lower estimate of the
    paper's C) and from :func:`curvature_upper` (an upper bound).
    """
    k = require_int("k", k, minimum=1)
    ell = _check_layer(config, ell)
    lam = require_positive("config.lam", config.lam)
    x, y = layer_points(config, X, targets, weights, ell)
    tcv, part = tcv_exact(x, k, Y=y, return_partition=True)
    G = full_gradient(config, X, targets, weights)
    Gc = centroid_gradient(config, X, targets, weights, part, ell)
    sub = weights[ell:]
    R = taylor_remainders(sub, config.activation, x, y, part)
    px, py = hull_samples(x, y, part, rng, n_random=n_random)
    low, up_pt = curvature_sampled(sub, config.activation, px, py)
    c_up = curvature_upper(sub, config.activation, float(np.max(np.linalg.norm(x, axis=0))),
                           float(np.max(np.linalg.norm(y, axis=0))))
    rows = []
    for i, m in enumerate(range(ell, config.L)):
        e = float(np.linalg.norm(grad_reg[m]))
        j = int(np.argmax(low[i]))
        c_lo = float(low[i][j])
        rows.append({
            "ell": ell, "m": m + 1, "k": k, "tcv": float(tcv),
            "actual": rank_k_distance(weights[m], k),
            "relative": rank_k_distance(weights[m], k) / max(np.linalg.norm(weights[m]), 1e-300),
            "proof_step": (float(np.linalg.norm(G[m] - Gc[i])) + e) / lam,
            "remainders": (float(np.mean(np.linalg.norm(R[i], axis=(1, 2)))) + e) / lam,
            "C_sampled": c_lo, "C_pointwise_gap": c_lo / max(float(up_pt[i][j]), 1e-300),
            "C_upper": c_up[i],
            "bound_sampled": (0.5 * c_lo * tcv + e) / lam,
            "bound_upper": (0.5 * c_up[i] * tcv + e) / lam,
            "rank_centroid_gradient": int(np.linalg.matrix_rank(Gc[i], tol=1e-10 * max(
                np.linalg.norm(Gc[i], 2), 1e-300))),
        })
    return rows


def blob_data(k: int, d: int, N: int, sigma: float, seed: int, sizes: Any = None,
              radius: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs ``x = μ_j + σ g`` (`zg` §4/§6.1) with means of norm ``radius``
    (Gaussian directions, seeded) and exactly ``sizes[j]`` points per blob (default N/k each);
    the same seed gives the same means and the same g for every σ.  Returns ``(X, blob)``."""
    k = require_int("k", k, minimum=1)
    N = require_int("N", N, minimum=1)
    if not (np.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma must be a finite number >= 0, got {sigma!r}")
    rng = np.random.default_rng(seed)
    mu = rng.standard_normal((k, d))
    mu *= radius / np.linalg.norm(mu, axis=1, keepdims=True)
    if sizes is None and N % k:
        raise ValueError(f"N = {N} must be divisible by k = {k} (or give sizes)")
    sizes = np.full(k, N // k) if sizes is None else np.asarray(sizes)
    if sizes.shape != (k,) or sizes.sum() != N:
        raise ValueError(f"sizes must be k = {k} counts summing to N = {N}, got {sizes!r}")
    X, comp = sample_gaussian_mixture(rng, N, mu, np.ones((k, d)), sizes / N, stratified=True)
    return mu.T[:, comp] + sigma * (X - mu.T[:, comp]), comp


# ------------------------------------------------------------------------------ Lagrange form


def _rat_matrix(rng: np.random.Generator, rows: int, cols: int) -> list[list[Fraction]]:
    num = rng.integers(-9, 10, size=(rows, cols))
    den = rng.integers(2, 6, size=(rows, cols))
    return [[Fraction(int(num[i, j]), int(den[i, j])) for j in range(cols)] for i in range(rows)]


def _poly_act(p):
    """σ(t) = t + t²/2: C² (indeed polynomial), so every remainder is an exact polynomial."""
    return p + p ** 2 / 2


def segment_gradients(weights: list[list[list[Fraction]]], z0: list[Fraction],
                      h: list[Fraction], d_out: int) -> list[sympy.Matrix]:
    """Exact ``g_m(t) = ∇_{W_m} ½‖f(x(t)) − y(t)‖²`` along ``z(t) = z0 + t h`` (z = (x, y), y the
    last ``d_out`` entries) for the network with σ(t) = t + t²/2, by SymPy differentiation with
    respect to the entries of W_m: polynomials in t with rational coefficients, one matrix per
    layer (`zg` App. A.3, the function whose Taylor remainder is taken)."""
    t = sympy.Symbol("t")
    z = sympy.Matrix([sympy.Rational(a.numerator, a.denominator) + t *
                      sympy.Rational(b.numerator, b.denominator) for a, b in zip(z0, h,
                                                                              strict=True)])
    x, y = z[:len(z0) - d_out, :], z[len(z0) - d_out:, :]
    Wq = [sympy.Matrix([[sympy.Rational(v.numerator, v.denominator) for v in row] for row in w])
          for w in weights]
    out = []
    for m, Wm in enumerate(Wq):
        S = sympy.Matrix(Wm.rows, Wm.cols, lambda i, j: sympy.Symbol(f"w{i}_{j}"))
        hcur = x
        for l, W in enumerate(Wq):
            P = (S if l == m else W) * hcur
            hcur = P.applyfunc(_poly_act) if l < len(Wq) - 1 else P
        loss = ((hcur - y).T * (hcur - y))[0, 0] / 2
        sub = {S[i, j]: Wm[i, j] for i in range(S.rows) for j in range(S.cols)}
        out.append(S.applyfunc(lambda s, loss=loss, sub=sub: sympy.expand(
            sympy.diff(loss, s).subs(sub))))
    return out


def lagrange_form_exact(g: sympy.Matrix) -> dict[str, Any]:
    """For a matrix of polynomials g(t): the remainder ``R = g(1) − g(0) − g'(0)``, whether it
    equals ``∫₀¹ (1−t) g''(t) dt`` (integral form), the number of roots in [0, 1] of each
    component ``g_c''(ξ)/2 − R_c`` (scalar Lagrange form: >= 1 each), and of their gcd (a common
    ξ, i.e. the matrix Lagrange form ``R = ½ g''(ξ)`` of `zg` Eq. 24)."""
    t = sympy.Symbol("t")
    P = [sympy.Poly(e, t) for e in g]
    R = sympy.Matrix(g.rows, g.cols, [p.eval(1) - p.eval(0) - p.diff(t).eval(0) for p in P])
    g2 = [p.diff(t).diff(t) for p in P]

    def integral(p: sympy.Poly) -> sympy.Rational:
        q = (p * sympy.Poly(1 - t, t)).integrate()
        return q.eval(1) - q.eval(0)

    integral_ok = all(integral(p) == R[c] for c, p in enumerate(g2))
    polys = [g2[c] * sympy.Rational(1, 2) - R[c] for c in range(len(R))]
    polys = [p for p in polys if not p.is_zero]
    roots = [int(p.count_roots(0, 1)) if p.degree() > 0 else 0 for p in polys]
    common = polys[0] if polys else sympy.Poly(0, t)
    for p in polys[1:]:
        common = sympy.gcd(common, p)
    n_common = (int(common.count_roots(0, 1)) if common.degree() > 0 else
                (1 if common.is_zero else 0))
    return {"R": R, "integral_form_equal": bool(integral_ok),
            "component_roots_in_0_1": roots, "gcd_degree": int(common.degree())
            if not common.is_zero else -1, "common_roots_in_0_1": n_common}


def lemma_equality_case() -> dict[str, Any]:
    """An exact case of equality in `zg` Lemma 3.3, so the factor ½ cannot be lowered.

    One layer, f(x) = W x with W = 3/4, ℓ = ½(Wx − y)², so g(x, y) = (Wx − y)x has the constant
    Hessian H = [[2W, −1], [−1, 0]] with eigenvalues 2 and −½: C = sup_{‖u‖=1} |uᵀHu| = 2.  A
    cluster whose offsets from its centroid all lie along the top eigenvector (2, −1) gives
    ``∇𝓛 − ∇𝓛̂ = ½ (1/N) Σ_i h_iᵀ H h_i = (C/2)·WCSS`` exactly.
    """
    x, y = sympy.symbols("x y")
    W = sympy.Rational(3, 4)
    g = (W * x - y) * x
    H = sympy.hessian(g, (x, y))
    C = max(abs(e) for e in H.eigenvals())
    centre = (sympy.Rational(1, 3), sympy.Rational(-2, 5))
    ts = [sympy.Rational(v) for v in (-3, -1, 1, 3)]  # Σ t = 0: the centre is the centroid
    pts = [(centre[0] + 2 * t, centre[1] - t) for t in ts]
    N = len(pts)
    delta = sum(g.subs({x: a, y: b}) for a, b in pts) / N - g.subs({x: centre[0], y: centre[1]})
    w = sum((a - centre[0]) ** 2 + (b - centre[1]) ** 2 for a, b in pts) / N
    return {"C": str(C), "WCSS": str(w), "difference_norm": str(abs(delta)),
            "bound": str(C * w / 2), "equality": bool(sympy.simplify(abs(delta) - C * w / 2) == 0)}


def _arb_array(a: Any) -> np.ndarray:
    return np.vectorize(lambda v: flint.arb(v), otypes=[object])(np.asarray(a, dtype=np.float64))


def lagrange_form_arb(weights: list[np.ndarray], zhat: np.ndarray, h: np.ndarray, d_out: int,
                      layer: int, bits: int = 128, max_depth: int = 14) -> dict[str, Any]:
    """Prove with Arb balls that no ξ ∈ [0, 1] satisfies ``R = ½ D²g(ẑ + ξh)[h, h]`` (the matrix
    Lagrange form of `zg` Eq. 24) for the tanh network ``weights`` and ``g = ∇_{W_layer} ℓ``,
    ``R = g(ẑ + h) − g(ẑ) − Dg(ẑ)[h]``: [0, 1] is bisected (dyadic pieces, so the balls are
    exact) until on every piece some entry of ``½ D²g[h, h] − R`` is certainly nonzero.

    The float64 inputs are taken as exact binary numbers.  Returns the pieces used, whether every
    piece was excluded, and ‖R‖ against ``½ ‖D²g(ẑ + t*h)[h, h]‖`` at the best piece's midpoint
    (the integral-form bound ``‖R‖ ≤ ½ max_t ‖D²g[h, h]‖`` needs only this lower estimate).
    """
    dx = zhat.size - d_out
    with arb_precision(bits):
        Wa = [_arb_array(w) for w in weights]
        za, ha = _arb_array(zhat)[:, None], _arb_array(h)[:, None]

        def jets(t):
            z = za + t * ha
            return gradient_jets(Wa, "tanh", z[:dx], z[dx:], ha[:dx], ha[dx:])[layer]

        at_c = jets(flint.arb(0))
        R = gradient_jets(Wa, "tanh", (za + ha)[:dx], (za + ha)[dx:], 0 * ha[:dx],
                          0 * ha[dx:])[layer][0] - at_c[0] - at_c[1]
        todo, done, undecided = [(0, 0)], 0, 0  # (numerator, depth): piece [i, i+1]/2^depth
        best_norm, best_t = -1.0, 0.0
        while todo:
            i, dep = todo.pop()
            mid = flint.arb(2 * i + 1) / 2 ** (dep + 1)
            piece = mid + flint.arb(0, flint.arb(1) / 2 ** (dep + 1))
            res = jets(piece)[2] / 2 - R
            if any(r > 0 or r < 0 for r in res.ravel()):
                done += 1
                g2 = jets(mid)[2]
                nrm = math.sqrt(sum(float(v.mid()) ** 2 for v in g2.ravel()))
                if nrm > best_norm:
                    best_norm, best_t = nrm, float(mid.mid())
            elif dep >= max_depth:
                undecided += 1
            else:
                todo += [(2 * i, dep + 1), (2 * i + 1, dep + 1)]
        r_norm = math.sqrt(sum(float(v.mid()) ** 2 for v in R.ravel()))
    return {"pieces_excluded": done, "pieces_undecided": undecided,
            "no_lagrange_point": undecided == 0, "R": [[float(v.mid()) for v in row]
                                                        for row in R[0]],
            "R_norm": r_norm, "half_second_derivative_norm_at": best_t,
            "half_second_derivative_norm": 0.5 * best_norm,
            "integral_bound_holds": bool(r_norm <= 0.5 * best_norm)}


# ------------------------------------------------------------------------------ checks

LAGRANGE_DISCREPANCY = dict(
    kind="false-on-part-of-domain",
    published="App. A.3, Eq. (24): the Taylor remainder of the matrix-valued per-sample "
              "gradient g = ∇_{W_m} ℓ is 'given by [½ D²g(ξ_i)[z_i − ẑ_j, z_i − ẑ_j]] for some "
              "[ξ_i] between [z_i] and [ẑ_j]' (Lagrange form)",
    computed="the Lagrange (mean-value) form holds for each entry of g with its own ξ, but in "
             "general no single ξ works for the whole matrix; the correct remainder is the "
             "integral form R_i = ∫₀¹ (1−t) D²g(ẑ_j + t(z_i − ẑ_j))[z_i − ẑ_j, z_i − ẑ_j] dt, "
             "which gives the same bound ‖R_i‖ ≤ ½ sup_{conv} ‖D²g‖ ‖z_i − ẑ_j‖², so Lemma 3.3 "
             "and Theorem 3.4 hold as stated",
    location="004_b40eaf01881f9599.txt, Appendix A.3, Eqs. (23)-(24) (and the sketch in §3.2: "
             "'Taylor expansion ... with Lagrange remainder')",
)


def _exact_problem(seed: int, dims: tuple[int, ...], sizes: tuple[int, ...]):
    rng = np.random.default_rng(seed)
    W = [_rat_matrix(rng, dims[l + 1], dims[l]) for l in range(len(dims) - 1)]
    p = dims[0] + dims[-1]
    centres = [[Fraction(int(v), 2) for v in rng.integers(-3, 4, p)] for _ in sizes]
    pts = []  # (cluster, z): offsets summing to 0 in each cluster, so the centre is the centroid
    for j, n in enumerate(sizes):
        off = [[Fraction(int(v), 4) for v in rng.integers(-3, 4, p)] for _ in range(n - 1)]
        off.append([-sum(col, Fraction(0)) for col in zip(*off, strict=True)])
        pts += [(j, [c + o for c, o in zip(centres[j], v, strict=True)]) for v in off]
    return W, centres, pts


@claim.check("exact", "App. A.3 over the rationals: centroid cancellation, integral remainder, "
                      "no matrix Lagrange point",
             method="Networks with rational weights and sigma(t) = t + t^2/2 (C^2, so every "
                    "Taylor remainder is an exact polynomial), MSE, rational points z_i = (x_i, "
                    "y_i) in clusters of sizes 2 and 3 (dims (2,2,2); full: also (2,3,2,2)). "
                    "For every point the per-sample gradient g_m(t) = grad_{W_m} l along the "
                    "segment from its centroid is computed exactly (SymPy differentiation in "
                    "the entries of W_m). Checked: (i) (1/N) sum_i g(z_i) - (1/N) sum_j N_j "
                    "g(zhat_j) = (1/N) sum_i R_i exactly (first-order terms cancel with the N_j "
                    "weights of Eq. 8; with the unweighted mean over centroids they do not); "
                    "(ii) R_i = int_0^1 (1-t) g''(t) dt exactly; (iii) every entry c has a "
                    "scalar Lagrange point (g_c''(xi)/2 - R_c has a root in [0,1], Sturm "
                    "counting) but the gcd over the entries has no root in [0,1]: no single xi "
                    "satisfies Eq. (24). (iv) The factor 1/2 of Eq. (9) is sharp: f(x) = (3/4) x, "
                    "offsets along the top eigenvector of the constant Hessian of g give "
                    "||grad L - grad Lhat|| = (C/2) WCSS exactly.")
def exact_remainders(quick: bool) -> Outcome:
    problems = [((2, 2, 2), (2, 3), 11)] + ([] if quick else [((2, 3, 2, 2), (2, 3), 12)])
    rows, disc = [], []
    all_ok = True
    for dims, sizes, seed in problems:
        W, centres, pts = _exact_problem(seed, dims, sizes)
        N, k, L = len(pts), len(sizes), len(dims) - 1
        d_out = dims[-1]
        zero = sympy.zeros
        full = [zero(dims[l + 1], dims[l]) for l in range(L)]
        rsum = [zero(dims[l + 1], dims[l]) for l in range(L)]
        at_c: dict[int, list[sympy.Matrix]] = {}
        no_common, seg, integral_ok, comp_ok = 0, 0, True, True
        t = sympy.Symbol("t")
        for j, z in pts:
            h = [a - b for a, b in zip(z, centres[j], strict=True)]
            G = segment_gradients(W, centres[j], h, d_out)
            for m, g in enumerate(G):
                full[m] += g.subs(t, 1) / N
                at_c.setdefault(j, [None] * L)[m] = g.subs(t, 0)
                info = lagrange_form_exact(g)
                rsum[m] += info["R"] / N
                integral_ok &= info["integral_form_equal"]
                comp_ok &= all(r >= 1 for r in info["component_roots_in_0_1"])
                seg += 1
                no_common += info["common_roots_in_0_1"] == 0
        weighted = [sum((sympy.Rational(sizes[j], N) * at_c[j][m] for j in range(k)),
                        zero(dims[m + 1], dims[m])) for m in range(L)]
        plain = [sum((at_c[j][m] / k for j in range(k)), zero(dims[m + 1], dims[m]))
                 for m in range(L)]
        cancel = all((full[m] - weighted[m] - rsum[m]).is_zero_matrix for m in range(L))
        plain_gap = [str(sympy.nsimplify(max(abs(v) for v in full[m] - plain[m] - rsum[m])))
                     for m in range(L)]
        ok = bool(cancel and integral_ok and comp_ok)
        all_ok &= ok
        rows.append({"dims": list(dims), "cluster_sizes": list(sizes), "segments": seg,
                     "first_order_cancels_with_N_j_weights": bool(cancel),
                     "unweighted_max_entry_gap": plain_gap,
                     "integral_form_exact": bool(integral_ok),
                     "every_entry_has_a_lagrange_point": bool(comp_ok),
                     "segments_without_common_lagrange_point": no_common})
    eq = lemma_equality_case()
    all_ok &= eq["equality"]
    n_bad = sum(r["segments_without_common_lagrange_point"] for r in rows)
    if n_bad:
        disc.append(Discrepancy(**LAGRANGE_DISCREPANCY, evidence=(
            f"exact (SymPy, rationals, sigma(t) = t + t^2/2): {n_bad} of "
            f"{sum(r['segments'] for r in rows)} (point, layer) segments have no xi in [0, 1] "
            "with R = ½ g''(xi) (the gcd of the entry equations has no root there) although "
            "every entry alone has one; the integral form equals R exactly on all of them. "
            "The same holds for tanh networks, proven with Arb balls in the check 'tanh: no "
            "single point satisfies the matrix Lagrange form'")))
    return Outcome(passed=all_ok, result={"problems": rows, "all_hold": all_ok,
                                          "segments_without_common_lagrange_point": n_bad,
                                          "equality_case": eq},
                   parameters={"activation": "t + t^2/2", "loss": "MSE", "arithmetic":
                               "exact rationals (SymPy)", "seeds": [p[2] for p in problems]},
                   key=("problems", "all_hold", "segments_without_common_lagrange_point",
                        "equality_case"),
                   discrepancies=disc)


@claim.check("rigorous", "tanh: no single point satisfies the matrix Lagrange form (Arb)",
             method="Random tanh networks (dims (2,3,2), seeded float64 weights taken as exact "
                    "binary numbers), a segment from zhat to zhat + h in (x, y)-space, "
                    "g = grad_{W_m} of the MSE per-sample loss, every layer m. R = g(zhat + h) - "
                    "g(zhat) - Dg(zhat)[h] and D^2 g(zhat + t h)[h, h] over t-balls from the "
                    "Taylor jets evaluated in Arb (128 bits); [0, 1] is bisected into dyadic "
                    "pieces until on every piece some entry of ½ D^2 g[h, h] - R is certainly "
                    "nonzero (then no xi satisfies Eq. 24), up to depth 14. Also certified: the "
                    "integral-form bound ||R|| <= ½ ||D^2 g(zhat + t h)[h, h]|| at a point t.")
def arb_remainders(quick: bool) -> Outcome:
    seeds = (1,) if quick else (1, 2, 3)
    rows, ok = [], True
    for seed in seeds:
        rng = np.random.default_rng(seed)
        W = [rng.standard_normal((3, 2)), rng.standard_normal((2, 3))]
        zhat, h = rng.standard_normal(4), rng.standard_normal(4)
        for m in range(2):
            r = lagrange_form_arb(W, zhat, h, 2, m)
            ok &= r["no_lagrange_point"] and r["integral_bound_holds"]
            rows.append({"seed": seed, "layer": m + 1, **{k: r[k] for k in (
                "pieces_excluded", "pieces_undecided", "no_lagrange_point", "R_norm",
                "half_second_derivative_norm", "integral_bound_holds")}})
    return Outcome(passed=bool(ok), result={"segments": rows, "all_proven": bool(ok),
                                            "count": len(rows)},
                   parameters={"dims": [2, 3, 2], "precision_bits": 128, "max_depth": 14,
                               "seeds": list(seeds)},
                   key=("all_proven", "count"))


def _lemma_instance(rng: np.random.Generator) -> dict[str, Any]:
    """One random instance of Lemma 3.3: tanh network, parameters, data, partition, layer."""
    L = int(rng.integers(2, 5))
    dims = tuple(int(v) for v in rng.integers(2, 7, L + 1))
    N, k = int(rng.integers(5, 13)), int(rng.integers(1, 4))
    cfg = MLPConfig(dims=dims, activation="tanh", loss="mse", lam=0.0,
                    init_gain=float(rng.uniform(0.5, 2.0)))
    W = [w[0] for w in MLPBatch(cfg, np.zeros((dims[0], 1)), np.zeros((dims[-1], 1))
                                ).init_params(int(rng.integers(2**31)))]
    spread = float(10 ** rng.uniform(-2, 0))
    centres = rng.standard_normal((dims[0] + dims[-1], k))
    labels = rng.permutation(np.arange(N) % k)  # every cluster non-empty
    Z = centres[:, labels] + spread * rng.standard_normal((dims[0] + dims[-1], N))
    return {"cfg": cfg, "W": W, "X": Z[:dims[0]], "T": Z[dims[0]:], "labels": labels, "k": k,
            "ell": int(rng.integers(0, L)), "spread": spread}


@claim.check("empirical", "Lemma 3.3 at random parameters, data and partitions",
             method="Random tanh networks (depth 2..4, widths 2..6, weights N(0, g^2/fan_in), "
                    "g in [0.5, 2]), random data and targets (k <= 3 centres plus spread 10^U(-2,0)), "
                    "random partitions into k non-empty sets (not the blobs), random layer l; "
                    "float64. For every layer m > l: (i) (1/N) sum_i R_i (Taylor jets) equals "
                    "grad L - grad Lhat (engine; Lhat with N_j weights) to 1e-9 relative; (ii) R_i "
                    "equals the integral form (composite Gauss-Legendre, 4 x 16 nodes) to 1e-8 "
                    "relative; (iii) "
                    "||grad L - grad Lhat|| <= C_lo WCSS/2 with C_lo the sampled lower estimate "
                    "of C(theta, partition) (max over points of the cluster hulls and power-"
                    "iterated directions; C_lo <= C, so this verifies Eq. 9 with the paper's "
                    "C) and <= C_up WCSS/2 (explicit upper bound); (iv) rank grad_{W_m} Lhat <= k.")
def lemma_random(quick: bool) -> Outcome:
    rng = np.random.default_rng(33)
    n = 30 if quick else 150
    worst_id, worst_quad, viol_lo, viol_up, rank_bad, ratios = 0.0, 0.0, 0, 0, 0, []
    pairs = 0
    for _ in range(n):
        inst = _lemma_instance(rng)
        cfg, W, X, T, lab, ell = (inst[s] for s in ("cfg", "W", "X", "T", "labels", "ell"))
        x, y = layer_points(cfg, X, T, W, ell)
        G, Gc = full_gradient(cfg, X, T, W), centroid_gradient(cfg, X, T, W, lab, ell)
        R = taylor_remainders(W[ell:], "tanh", x, y, lab)
        Q = integral_remainders(W[ell:], "tanh", x, y, lab)
        px, py = hull_samples(x, y, lab, rng, n_random=10, within=True)
        low, _ = curvature_sampled(W[ell:], "tanh", px, py, iters=15)
        c_up = curvature_upper(W[ell:], "tanh", float(np.max(np.linalg.norm(x, axis=0))),
                               float(np.max(np.linalg.norm(y, axis=0))))
        w = wcss(x, lab, Y=y)
        for i, m in enumerate(range(ell, cfg.L)):
            pairs += 1
            delta = G[m] - Gc[i]
            scale = max(np.linalg.norm(G[m]), np.linalg.norm(Gc[i]), 1e-300)
            worst_id = max(worst_id, float(np.linalg.norm(R[i].mean(axis=0) - delta)) / scale)
            worst_quad = max(worst_quad, float(np.max(np.linalg.norm(R[i] - Q[i], axis=(1, 2))
                                                      / np.maximum(np.linalg.norm(
                                                          R[i], axis=(1, 2)), 1e-12))))
            nd = float(np.linalg.norm(delta))
            viol_lo += nd > 0.5 * low[i].max() * w * (1 + 1e-9) + 1e-14
            viol_up += nd > 0.5 * c_up[i] * w * (1 + 1e-9) + 1e-14
            rank_bad += int(np.linalg.matrix_rank(Gc[i], tol=1e-9 * max(
                np.linalg.norm(Gc[i], 2), 1e-300))) > inst["k"]
            if nd > 0:
                ratios.append(0.5 * low[i].max() * w / nd)
    ok = worst_id <= 1e-9 and worst_quad <= 1e-8 and viol_lo == 0 and viol_up == 0 \
        and rank_bad == 0
    return Outcome(passed=bool(ok), result={
        "instances": n, "layer_pairs": pairs, "identity_max_rel_error": float(worst_id),
        "integral_form_max_rel_error": worst_quad, "violations_sampled_C": int(viol_lo),
        "violations_upper_C": int(viol_up), "rank_above_k": rank_bad,
        "tightness_sampled_C": {"min": float(np.min(ratios)), "median": float(np.median(ratios)),
                                "max": float(np.max(ratios))}},
        parameters={"instances": n, "seed": 33, "quadrature": "4 x 16 Gauss-Legendre",
                    "precision": "float64",
                    "identity_tol": 1e-9, "integral_tol": 1e-8},
        key=("instances", "layer_pairs", "violations_sampled_C", "violations_upper_C",
             "rank_above_k"))


#: The blob problem of the stationary-point checks: k blobs of N/k points in R^d (means of norm
#: 1.5), autoencoder (d, w, w, w, d) with tanh, MSE, full-batch GD then L-BFGS/Newton polishing.
BLOBS = {"k": 3, "d": 6, "N": 12, "width": 8, "radius": 1.5, "gd_steps": 5000, "lr": 0.5,
         "gtol": 1e-8, "lbfgs_iter": 2000, "data_seed": 0, "init_seed": 0}


def _stationary_grid(sigmas, lams, setup=BLOBS):
    """Yield ``(sigma, config, X, polish result)`` for every (σ, λ): one batched GD run over the
    λ's per σ (train_mlp with per-run configs), then polish_mlp on each run."""
    s = setup
    dims = (s["d"],) + (s["width"],) * 3 + (s["d"],)
    for sigma in sigmas:
        X, _ = blob_data(s["k"], s["d"], s["N"], sigma, s["data_seed"], radius=s["radius"])
        cfgs = [MLPConfig(dims=dims, activation="tanh", loss="mse", lam=lam, lr=s["lr"])
                for lam in lams]
        res = train_mlp(cfgs, X, X, steps=s["gd_steps"], seeds=[s["init_seed"]] * len(cfgs),
                        record_every=s["gd_steps"])
        for r, cfg in enumerate(cfgs):
            start = res.run_weights(r) if res.status[r] != "diverged" else [
                w[r] for w in res._batch.init_params([s["init_seed"]] * len(cfgs))]
            # a short L-BFGS run, then the engine's Newton refinement (quadratic convergence);
            # a run still short of gtol gets one long L-BFGS run from where it stopped
            pol = polish_mlp(cfg, X, X, start, gtol=s["gtol"], maxiter=s["lbfgs_iter"])
            if not pol.success:
                pol = polish_mlp(cfg, X, X, pol.params, gtol=s["gtol"])
            yield sigma, cfg, X, pol


def _summary(v: list[float]) -> dict[str, float]:
    return ({"min": float(np.min(v)), "median": float(np.median(v)), "max": float(np.max(v))}
            if v else {})


@claim.check("empirical", "Theorem 3.4 at polished stationary points (tanh autoencoder, blobs)",
             method="k = 3 isotropic Gaussian blobs of 4 points in R^6 (means of norm 1.5, "
                    "x = mu_j + sigma g with the same g for every sigma), autoencoder (6, 8, 8, "
                    "8, 6) with tanh and MSE (T = X), weight decay lambda; grid sigma x lambda "
                    "(full 5 x 3, quick 2 x 2), 5000 full-batch GD steps (lr 0.5, one batch over "
                    "the lambdas per sigma) then L-BFGS + Newton to ||grad L_lam|| <= 1e-8 (the "
                    "residual enters the bound exactly, see below). At "
                    "every stationary point reached and every l < m (quick: l in {0, 2}): TCV_k "
                    "of X_l = {(x_i^l, y_i)} exactly (all partitions), actual = dist(W_m, "
                    "rank <= k) by Eckart-Young, and bound = (C TCV_k/2 + ||grad_{W_m} "
                    "L_lam||)/lambda with C_lo (sampled lower estimate of the paper's C over "
                    "conv(X_l): data, centroids, segments, 20 random convex combinations, "
                    "power-iterated directions) and with C_up (explicit upper bound). Required: "
                    "actual <= bound with C_lo everywhere (then also with the paper's C >= C_lo), "
                    "and the proof's chain actual <= ||grad L - grad Lhat||/lambda <= (1/N) "
                    "sum ||R_i||/lambda (+ residual). Reported: tightness bound/actual.")
def theorem_stationary(quick: bool) -> Outcome:
    sigmas = (0.05, 0.4) if quick else (0.02, 0.05, 0.1, 0.2, 0.4)
    lams = (1e-2, 3e-2) if quick else (3e-3, 1e-2, 3e-2)
    ells = (0, 2) if quick else (0, 1, 2, 3)
    rng = np.random.default_rng(34)
    points, rows = [], []
    attempted = reached = 0
    for sigma, cfg, X, pol in _stationary_grid(sigmas, lams):
        attempted += 1
        point = {"sigma": sigma, "lam": cfg.lam, "grad_norm": pol.grad_norm,
                 "reached": bool(pol.success)}
        nontrivial = min(np.linalg.norm(w) for w in pol.params) > 1e-6
        point["nontrivial"] = bool(nontrivial)
        if pol.success and nontrivial:
            reached += 1
            W = pol.params
            Greg = [g[0] for g in MLPBatch(cfg, X, X).gradient([w[None] for w in W])[0]]
            terms = [t for ell in ells
                     for t in theorem_terms(cfg, X, X, W, BLOBS["k"], ell, Greg, rng)]
            point["relative_distance"] = [t["relative"] for t in terms if t["ell"] == 0]
            rows += [{"sigma": sigma, "lam": cfg.lam, **t} for t in terms]
        points.append(point)
    tol = 1 + 1e-9
    viol_lo = sum(r["actual"] > r["bound_sampled"] * tol for r in rows)
    viol_up = sum(r["actual"] > r["bound_upper"] * tol for r in rows)
    chain = sum(r["actual"] > r["proof_step"] * tol or r["proof_step"] > r["remainders"] * tol
                for r in rows)
    rank_bad = sum(r["rank_centroid_gradient"] > r["k"] for r in rows)
    pos = [r for r in rows if r["actual"] > 0]
    result = {
        "points": points, "attempted": attempted, "reached": reached, "instances": len(rows),
        "violations_sampled_C": int(viol_lo), "violations_upper_C": int(viol_up),
        "proof_chain_violations": int(chain), "centroid_gradient_rank_above_k": int(rank_bad),
        "tightness_sampled_C": _summary([r["bound_sampled"] / r["actual"] for r in pos]),
        "tightness_upper_C": _summary([r["bound_upper"] / r["actual"] for r in pos]),
        "proof_step_over_actual": _summary([r["proof_step"] / r["actual"] for r in pos]),
        "C_sampled": _summary([r["C_sampled"] for r in rows]),
        "C_upper_over_C_sampled": _summary([r["C_upper"] / r["C_sampled"] for r in rows]),
        "direction_search_gap_min": float(min(r["C_pointwise_gap"] for r in rows))
        if rows else None,
        "instances_detail": [[r["sigma"], r["lam"], r["ell"], r["m"], r["tcv"], r["actual"],
                              r["proof_step"], r["bound_sampled"], r["bound_upper"]]
                             for r in rows],
        "instances_detail_columns": ["sigma", "lambda", "l", "m", "TCV_k", "actual",
                                     "proof_step", "bound_C_sampled", "bound_C_upper"],
    }
    passed: bool | None = bool(viol_lo == 0 and viol_up == 0 and chain == 0 and rank_bad == 0)
    if reached < max(1, (3 * attempted) // 4):
        passed = None if passed else passed
        result["reason"] = "too few runs reached a nontrivial point with gradient norm 1e-8"
    return Outcome(passed=passed, result=result,
                   parameters={**BLOBS, "sigmas": list(sigmas), "lambdas": list(lams),
                               "layers_l": list(ells), "hull_random_points": 20,
                               "precision": "float64", "seed_hull": 34},
                   key=("attempted", "violations_sampled_C", "violations_upper_C",
                        "proof_chain_violations", "centroid_gradient_rank_above_k"))


def _slope(x, y) -> float:
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


@claim.check("empirical", "mechanism: rank grad Lhat <= k and ||grad L - grad Lhat|| ∝ TCV",
             method="Fixed random tanh autoencoder (6, 8, 8, 8, 6), weights N(0, 1.5^2/fan_in), "
                    "seed 5; blob data with unequal sizes (2, 4, 6) in R^6, x = mu_j + sigma g "
                    "(same g), sigma log-spaced in [1e-3, 1e-1] (full 9, quick 5 values); the "
                    "blob partition at layers l = 0 and 1. Least-squares slopes of log ||grad_{W_m}"
                    " L - grad_{W_m} Lhat|| against log WCSS (Lemma 3.3: 1) and against log sigma "
                    "(2), for the N_j-weighted centroid loss (Eq. 8, required within 0.05 of 1) "
                    "and for the unweighted mean over centroids (required: no decay, slope in "
                    "log sigma below 0.1: the first-order terms do not cancel); numerical rank "
                    "of grad Lhat (singular values > 1e-10 s_max) <= k everywhere.")
def mechanism(quick: bool) -> Outcome:
    sig = np.geomspace(1e-3, 1e-1, 5 if quick else 9)
    cfg = MLPConfig(dims=(6, 8, 8, 8, 6), activation="tanh", loss="mse", lam=0.0,
                    init_gain=1.5)
    W = [w[0] for w in MLPBatch(cfg, np.zeros((6, 1)), np.zeros((6, 1))).init_params(5)]
    sizes = (2, 4, 6)
    rows, rank_bad = [], 0
    for ell in (0, 1):
        dw, du, ws = [], [], []
        for s in sig:
            X, lab = blob_data(3, 6, 12, float(s), 0, sizes=sizes)
            x, y = layer_points(cfg, X, X, W, ell)
            G = full_gradient(cfg, X, X, W)
            Gw = centroid_gradient(cfg, X, X, W, lab, ell)
            Gu = centroid_gradient(cfg, X, X, W, lab, ell, weighted=False)
            ws.append(wcss(x, lab, Y=y))
            dw.append([np.linalg.norm(G[ell + i] - g) for i, g in enumerate(Gw)])
            du.append([np.linalg.norm(G[ell + i] - g) for i, g in enumerate(Gu)])
            rank_bad += sum(int(np.linalg.matrix_rank(g, tol=1e-10 * np.linalg.norm(g, 2))) > 3
                            for g in Gw)
        dw, du = np.array(dw), np.array(du)
        for i in range(dw.shape[1]):
            rows.append({"l": ell, "m": ell + i + 1,
                         "slope_vs_wcss": _slope(ws, dw[:, i]),
                         "slope_vs_sigma": _slope(sig, dw[:, i]),
                         "unweighted_slope_vs_sigma": _slope(sig, du[:, i]),
                         "unweighted_at_smallest_sigma": float(du[0, i]),
                         "weighted_at_smallest_sigma": float(dw[0, i])})
    ok = all(abs(r["slope_vs_wcss"] - 1) <= 0.05 and r["unweighted_slope_vs_sigma"] < 0.1
             for r in rows) and rank_bad == 0
    return Outcome(passed=bool(ok), result={
        "layers": rows, "rank_above_k": rank_bad,
        "slope_vs_wcss": _summary([r["slope_vs_wcss"] for r in rows]),
        "slope_vs_sigma": _summary([r["slope_vs_sigma"] for r in rows]),
        "unweighted_slope_vs_sigma": _summary([r["unweighted_slope_vs_sigma"] for r in rows])},
        parameters={"dims": [6, 8, 8, 8, 6], "init_gain": 1.5, "seed": 5,
                    "sizes": list(sizes), "sigmas": [float(s) for s in sig],
                    "precision": "float64"},
        key=("rank_above_k",))
