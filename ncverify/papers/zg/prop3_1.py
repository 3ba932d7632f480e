"""`zg` Proposition 3.1 (§3, proof in App. A.2), remark (5) and the degenerate-data corollary:
the gradient of a loss over a batch of b points w.r.t. any layer is a sum of b outer products,
so it has rank <= b; with data taking k distinct values every stationary point of the
weight-decayed loss has rank <= k in every layer (through Eq. 4).

The extracted text lost the formulas; the statements are reconstructed from the prose (quoted
verbatim), the proof in App. A.2 and Galanti et al. (2023), Lemma 3.1.
"""

from __future__ import annotations

from fractions import Fraction

import flint
import numpy as np
import sympy

from ncverify.claims import Claim, Outcome, register
from ncverify.engine.metrics import numerical_rank
from ncverify.engine.mlp import MLPBatch, MLPConfig, stationary_points
from ncverify.models.fcnet import exact_mse_directional_derivative, symbolic_network

__all__ = ["batch_gradient", "claim", "exact_gradient"]

STATEMENT = r"""[Reconstructed: the extracted text (004_b40eaf01881f9599.txt) lost every formula; the surviving prose is quoted verbatim in quotation marks, our reconstruction of the lost formulas is in square brackets.]

"Indeed, for any differentiable loss function the gradient with respect to any layer, at a fixed data point, has rank at most 1 (see also Lemma 3.1 in (Galanti et al., 2023)). Here we consider the gradient at a batch of data points. The proof of this result can be found in Appendix A.2."

Proposition 3.1 (Small batches yield low-rank gradients). [Let ℓ be differentiable, θ = (W_1, ..., W_L) any parameters and B = {(x_i, y_i)}_{i=1}^b a batch of b data points. Then for every layer l = 1, ..., L,  rank ∇_{W_l} Σ_{i∈B} ℓ(f(x_i; θ), y_i) ≤ b.]

"Note that, given [ℓ < m], as long as [the hidden set X_ℓ = {(x_i^ℓ, y_i)} of outputs of layer ℓ consists of at most b distinct points], it holds (5) [rank ∇_{W_m} 𝓛(θ) ≤ b]. Hence, fixed a batch of data, Proposition 3.1 allows us to control the rank of the gradient, with respect to a subsequent layer, of any intermediate loss function."

"Consider the case of degenerate data, i.e., assume that there exist [k] pairs [(x̂_j, ŷ_j)] such that any data point [(x_i, y_i)] is equal to some [(x̂_j, ŷ_j)]. Then, by Proposition 3.1, [∇_{W_l}𝓛] has rank at most [k]. But the right-hand side of (4) has rank at most [k], hence any critical point of the loss function necessarily corresponds to a neural network having all layers of rank at most [k]. The same argument can be easily extended to the situation of total intermediate neural collapse (Rangamani et al., 2023), where the intermediate hidden set consists of at most [k] distinct points."

App. A.2: "The main step of the proof is to show that the gradient with respect to a single data point produces matrices of rank at most 1. One then concludes by observing that the sum of [b] terms of rank at most [1] has rank at most [b]. [...] By noticing that the last term is a matrix of rank at most 1, we can conclude by submultiplicativity of the rank." [∇_{W_l} ℓ(f(x; θ), y) = δ_l(x) h_{l-1}(x)ᵀ with δ_l = ∂ℓ/∂(W_l h_{l-1}).]"""

claim = register(Claim(
    id="zg.prop3_1",
    paper="zg",
    label="Proposition 3.1",
    title="Batch gradients have rank <= batch size; degenerate data give low-rank critical points",
    source="004_b40eaf01881f9599.txt, Section 3 (Proposition 3.1, Eq. 5 and the paragraph on "
           "degenerate data) and Appendix A.2",
    statement=STATEMENT,
    domain={"b": ">= 1 (batch size)", "loss": "any differentiable per-sample loss",
            "activation": "any differentiable activation", "layer": "any",
            "corollary": "data with k distinct (x, y) pairs, lambda > 0, any critical point"},
    reconstructed=True,
))


# ------------------------------------------------------------------------------ exact checks


@claim.check("exact", "chain rule: the batch gradient is a sum of b outer products (SymPy)",
             method="Explicit networks with symbolic weights and data, an undefined activation "
                    "sigma and an undefined loss ell_i per sample: for every layer l and entry "
                    "(p, q), d/dW_l[p,q] sum_i ell_i - sum_i delta_{l,i}[p] h_{l,i}[q] expands to "
                    "0, where delta_{l,i} = d ell_i / d(W_l h_{l,i}) is obtained by SymPy from ell_i "
                    "as a function of a dummy pre-activation. Hence grad_{W_l} = D_l H_l^T with D_l "
                    "(d_l x b) and H_l (d_{l-1} x b), so rank <= min(rank D_l, rank H_l) <= b.")
def chain_rule(quick: bool) -> Outcome:
    shapes = [((2, 2, 2), 2)] if quick else [((2, 2, 2), 2), ((2, 3, 2, 2), 2)]
    rows = []
    for dims, b in shapes:
        net = symbolic_network(dims, b)
        ok, entries = True, 0
        for l, Wl in enumerate(net.W):
            deltas = [net.delta(l, i) for i in range(b)]
            for p in range(Wl.rows):
                for q in range(Wl.cols):
                    lhs = sympy.diff(net.total, Wl[p, q])
                    rhs = sum(deltas[i][p] * net.H[i][l][q] for i in range(b))
                    ok &= sympy.expand((lhs - rhs).doit()) == 0
                    entries += 1
        rows.append({"dims": list(dims), "b": b, "entries": entries,
                     "sum_of_outer_products": bool(ok)})
    ok = all(r["sum_of_outer_products"] for r in rows)
    return Outcome(passed=ok, result={"networks": rows, "all_hold": ok},
                   parameters={"activation": "undefined sympy Function sigma",
                               "loss": "undefined sympy Function ell_i per sample"},
                   key=("networks", "all_hold"))


def _rat_matrix(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    num = rng.integers(-9, 10, size=(rows, cols))
    den = rng.integers(1, 6, size=(rows, cols))
    out = np.empty((rows, cols), dtype=object)
    for idx in np.ndindex(rows, cols):
        out[idx] = Fraction(int(num[idx]), int(den[idx]))
    return out


def exact_gradient(W: list[np.ndarray], X: np.ndarray, T: np.ndarray, layer: int) -> flint.fmpq_mat:
    """The exact gradient of ``(1/2b)‖Z - T‖²`` (σ = t + t²/2) w.r.t. ``W[layer]``, entry by entry
    by forward-mode differentiation over the rationals."""
    rows, cols = W[layer].shape
    G = flint.fmpq_mat(rows, cols)
    for p in range(rows):
        for q in range(cols):
            E = np.full((rows, cols), Fraction(0), dtype=object)
            E[p, q] = Fraction(1)
            v = exact_mse_directional_derivative(W, X, T, layer, E)
            G[p, q] = flint.fmpq(v.numerator, v.denominator)
    return G


def _exact_ranks(W, X, T) -> list[int]:
    return [int(exact_gradient(W, X, T, l).rank()) for l in range(len(W))]


@claim.check("exact", "exact ranks of batch gradients over the rationals",
             method="Rational weights, data and targets (seeded), activation sigma(t) = t + t^2/2, "
                    "MSE (1/2b)||Z - T||^2; every gradient entry is an exact forward-mode "
                    "derivative (no backward-pass formula), ranks by python-flint over Q. "
                    "(i) batches of b = 1.. distinct points: rank <= b in every layer (and equal "
                    "to min(b, d_l, d_{l-1}) generically); (ii) remark (5): inputs x_i = c_j + "
                    "a_i v with W_1 v = 0, so layer 1 outputs only k distinct points: ranks of "
                    "grad W_m, m >= 2, are <= k; (iii) degenerate data, k distinct (x, y) pairs "
                    "repeated, and k distinct inputs with conflicting targets: every layer <= k.")
def exact_ranks(quick: bool) -> Outcome:
    rng = np.random.default_rng(31)
    dims = (4, 5, 5, 3) if quick else (5, 6, 6, 4)
    W = [_rat_matrix(rng, dims[l + 1], dims[l]) for l in range(len(dims) - 1)]
    bs = range(1, 4) if quick else range(1, 6)
    batches, bound_ok, generic = [], True, 0
    for b in bs:
        X = _rat_matrix(rng, dims[0], b)
        T = _rat_matrix(rng, dims[-1], b)
        ranks = _exact_ranks(W, X, T)
        gen = [min(b, dims[l], dims[l + 1]) for l in range(len(W))]
        bound_ok &= all(r <= b for r in ranks)
        generic += sum(r == g for r, g in zip(ranks, gen, strict=True))
        batches.append({"b": b, "ranks": ranks, "generic": gen})
    # (ii) remark (5): W_1 annihilates v, so H_2 has k distinct columns although X has N
    k, N = 2, 5
    v = _rat_matrix(rng, dims[0], 1)
    vv = sum(x * x for x in v[:, 0])
    proj = np.array([[Fraction(int(i == j)) - v[i, 0] * v[j, 0] / vv for j in range(dims[0])]
                     for i in range(dims[0])], dtype=object)
    W5 = [W[0] @ proj] + W[1:]
    C = _rat_matrix(rng, dims[0], k)
    cls = [i % k for i in range(N)]
    X5 = np.concatenate([C[:, [c]] + Fraction(i + 1, 3) * v for i, c in enumerate(cls)], axis=1)
    T5 = _rat_matrix(rng, dims[-1], k)[:, cls]
    ranks5 = _exact_ranks(W5, X5, T5)
    eq5_ok = all(r <= k for r in ranks5[1:])
    # (iii) degenerate data: k distinct pairs repeated, and k inputs with conflicting targets
    kd, m = 3, 2
    Xd = _rat_matrix(rng, dims[0], kd)[:, [j % kd for j in range(kd * m)]]
    Td = _rat_matrix(rng, dims[-1], kd)[:, [j % kd for j in range(kd * m)]]
    ranks_deg = _exact_ranks(W, Xd, Td)
    Tc = _rat_matrix(rng, dims[-1], kd * m)  # every copy its own target
    ranks_conf = _exact_ranks(W, Xd, Tc)
    deg_ok = all(r <= kd for r in ranks_deg + ranks_conf)
    ok = bool(bound_ok and eq5_ok and deg_ok)
    return Outcome(passed=ok, result={
        "batches": batches, "rank_le_b_everywhere": bool(bound_ok),
        "generic_equalities": generic,
        "remark5": {"k_distinct_hidden": k, "N": N, "ranks": ranks5, "layers_after_ok": eq5_ok},
        "degenerate": {"k": kd, "copies": m, "ranks_pairs": ranks_deg,
                       "ranks_conflicting_targets": ranks_conf, "ok": deg_ok},
        "all_hold": ok},
        parameters={"dims": list(dims), "activation": "t + t^2/2", "loss": "MSE",
                    "arithmetic": "exact rationals (python-flint fmpq_mat)", "seed": 31},
        key=("batches", "rank_le_b_everywhere", "remark5", "degenerate", "all_hold"))


# ------------------------------------------------------------------------------ float checks


def batch_gradient(config: MLPConfig, X: np.ndarray, targets, weights: list[np.ndarray],
                   idx: np.ndarray) -> list[np.ndarray]:
    """``∇_{W_l}`` of the fit over the columns ``idx`` (engine, float64), 2-D arrays."""
    b = MLPBatch(config, X, targets, runs=1)
    G, _ = b.gradient([w[None] for w in weights], idx[None], weight_decay=False)
    return [g[0] for g in G]


RANK_RTOL = 1e-10  # singular values <= 1e-10 * s_max count as zero


@claim.check("empirical", "ranks of batch gradients of random networks",
             method="Random widths (6..10, depth 2..4), activations identity/tanh/relu, losses "
                    "MSE/CE, Gaussian data (N = 12) and Gaussian weights (seeded); for batch "
                    "sizes b = 1, 2, 3, 5 the float64 gradient of the batch loss w.r.t. every "
                    "layer; numerical rank = #singular values > 1e-10 * s_max. Required: rank <= "
                    "b everywhere. Also remark (5): W_1 with a kernel vector v and inputs "
                    "differing only along v (3 distinct layer-1 outputs, 12 inputs): ranks of "
                    "grad W_m, m >= 2, must be <= 3.")
def random_networks(quick: bool) -> Outcome:
    rng = np.random.default_rng(7)
    nets = 6 if quick else 24
    rows, worst_excess, generic, total = [], -99, 0, 0
    eq5_rows, eq5_ok = [], True
    for t in range(nets):
        L = int(rng.integers(2, 5))
        dims = (int(rng.integers(6, 11)),) + tuple(int(rng.integers(6, 11)) for _ in range(L - 1))
        dims = dims + (int(rng.integers(3, 6)),)
        act = ("identity", "tanh", "relu")[t % 3]
        loss = ("mse", "ce")[(t // 3) % 2]
        N = 12
        cfg = MLPConfig(dims=dims, activation=act, loss=loss, lam=0.0)
        X = rng.standard_normal((dims[0], N))
        y = np.arange(N) % dims[-1]
        T = y if loss == "ce" else rng.standard_normal((dims[-1], N))
        W = MLPBatch(cfg, X, T).init_params(int(rng.integers(0, 2**31)))
        W = [w[0] for w in W]
        for b in (1, 2, 3, 5):
            idx = rng.choice(N, b, replace=False)
            ranks = [int(numerical_rank(g, rtol=RANK_RTOL))
                     for g in batch_gradient(cfg, X, T, W, idx)]
            worst_excess = max(worst_excess, max(r - b for r in ranks))
            gen = [min(b, dims[l], dims[l + 1]) for l in range(L)]
            generic += sum(r == g for r, g in zip(ranks, gen, strict=True))
            total += L
            rows.append({"dims": list(dims), "activation": act, "loss": loss, "b": b,
                         "ranks": ranks})
        # remark (5): layer 1 outputs only k distinct points (W_1 v = 0, inputs differ along v)
        k = dims[-1] if loss == "ce" else 3  # CE: every class must occur, one pair per class
        v = rng.standard_normal(dims[0])
        W5 = [W[0] - np.outer(W[0] @ v, v) / (v @ v)] + W[1:]
        cls = np.arange(N) % k
        X5 = rng.standard_normal((dims[0], k))[:, cls] + np.outer(v, rng.standard_normal(N))
        T5 = cls if loss == "ce" else rng.standard_normal((dims[-1], k))[:, cls]
        ranks5 = [int(numerical_rank(g, rtol=RANK_RTOL))
                  for g in batch_gradient(cfg, X5, T5, W5, np.arange(N))]
        ok5 = all(r <= k for r in ranks5[1:])
        eq5_ok &= ok5
        eq5_rows.append({"dims": list(dims), "activation": act, "loss": loss, "k": k,
                         "ranks": ranks5, "ok": ok5})
    ok = worst_excess <= 0 and eq5_ok
    return Outcome(passed=ok, result={
        "batches": rows, "max_rank_minus_b": worst_excess,
        "generic_rank_fraction": generic / total, "remark5": eq5_rows, "remark5_ok": eq5_ok},
        parameters={"networks": nets, "batch_sizes": [1, 2, 3, 5], "N": 12,
                    "rank_rtol": RANK_RTOL, "precision": "float64", "seed": 7},
        key=("max_rank_minus_b", "remark5_ok"))


def degenerate_problem(name: str):
    """(config, X, targets, k) for the degenerate-data problems: k = 3 distinct inputs, 3 copies.

    ``*-conflicting`` problems give the copies of one input different targets, so the pairs
    (x_i, y_i) take more distinct values than the inputs (MSE: 9, more than the hidden width 8;
    CE: 6, copies labelled j, j, j+1 mod 3).
    """
    rng = np.random.default_rng(1789)
    k, m = 3, 3
    grp = np.repeat(np.arange(k), m)  # column -> distinct input
    d0 = 6 if name == "tanh-autoencoder" else 5
    X = rng.standard_normal((d0, k))[:, grp]
    if name == "tanh-autoencoder":
        cfg = MLPConfig(dims=(6, 8, 8, 6), activation="tanh", loss="mse", lam=0.005, lr=0.3)
        return cfg, X, X, k, grp
    act, loss = name.split("-")[:2]
    conflicting = name.endswith("conflicting")
    if loss == "ce":
        cfg = MLPConfig(dims=(5, 8, 8, 3), activation=act, loss="ce", lam=0.01, lr=0.5)
        y = (grp + (np.tile(np.arange(m), k) == m - 1)) % 3 if conflicting else grp
        return cfg, X, y, k, grp
    cfg = MLPConfig(dims=(5, 8, 8, 4), activation=act, loss="mse", lam=0.01, lr=0.5)
    T = rng.standard_normal((4, k * m)) if conflicting else np.eye(4)[:, grp]
    return cfg, X, T, k, grp


DEGENERATE = ("tanh-mse", "tanh-ce", "identity-ce", "tanh-autoencoder", "tanh-mse-conflicting",
              "tanh-ce-conflicting")


def rank_one_sum_residual(config: MLPConfig, X, targets, weights, grp, lam: float
                          ) -> list[float]:
    """``‖W_l + (1/λ) Σ_j c_{l,j} h_{l,j}ᵀ‖ / ‖W_l‖`` per layer, with one term per distinct input
    j: ``c_{l,j} = Σ_{i: x_i = x̂_j} b_{l,i}`` from the backward pass (``∇W_l = B_l H_lᵀ``)."""
    batch = MLPBatch(config, X, targets, runs=1)
    out = []
    for (B, H), w in zip(batch.backprop_factors([v[None] for v in weights]), weights,
                         strict=True):
        B, H = B[0], np.broadcast_to(H, (1, *H.shape[-2:]))[0]
        S = sum(np.outer(B[:, grp == j].sum(axis=1), H[:, np.flatnonzero(grp == j)[0]])
                for j in np.unique(grp))
        out.append(float(np.linalg.norm(w + S / lam) / max(np.linalg.norm(w), 1e-300)))
    return out


@claim.check("empirical", "degenerate data: stationary points have rank <= k in every layer",
             method="k = 3 distinct inputs, each repeated 3 times (N = 9), hidden width 8: MSE "
                    "one-hot, CE, identity CE, tanh autoencoder (T = X), and two problems whose "
                    "copies carry different targets (MSE: 9 distinct pairs > width 8; CE: 6, "
                    "so only the number of distinct inputs bounds the rank). GD (1000 "
                    "steps) then L-BFGS + Newton to ||grad L_lam|| <= 1e-10. The trivial point "
                    "W = 0 (rank 0) is reported but not counted as informative. Per layer: by Eq. "
                    "(4) and Weyl's inequality s_{k+1}(W_l) <= ||grad L_lam||/lam exactly, so "
                    "s_{k+1}(W_l) <= ||grad L_lam||/lam + 1e-12 s_1(W_l) is required; and W_l = "
                    "-(1/lam) sum_{j<=k} c_j h_j^T, one rank-one term per distinct input, with "
                    "relative residual <= 1e-6; every layer nonzero.")
def degenerate_stationary(quick: bool) -> Outcome:
    names = DEGENERATE[:2] if quick else DEGENERATE
    runs = 1 if quick else 2
    rows, reached, attempted, ok = [], 0, 0, True
    for name in names:
        cfg, X, T, k, grp = degenerate_problem(name)
        pairs = len({(tuple(X[:, i]), str(np.asarray(T)[..., i])) for i in range(X.shape[1])})
        for r, pol in enumerate(stationary_points(cfg, X, T, runs=runs, seed=0, gd_steps=1000)):
            attempted += 1
            row = {"problem": name, "k_inputs": k, "distinct_pairs": pairs, "seed": r,
                   "grad_norm": pol.grad_norm, "reached": bool(pol.success)}
            if pol.success:
                W = pol.params
                s = [np.linalg.svd(w, compute_uv=False) for w in W]
                if max(v[0] for v in s) < 1e-8:
                    row["trivial"] = True  # W = 0: rank 0 <= k, but says nothing
                    rows.append(row)
                    continue
                reached += 1
                weyl = pol.grad_norm / cfg.lam
                tail = [float(v[k]) if v.size > k else 0.0 for v in s]
                weyl_ok = all(t <= weyl + 1e-12 * v[0] for t, v in zip(tail, s, strict=True))
                res = rank_one_sum_residual(cfg, X, T, W, grp, cfg.lam)
                nonzero = all(v[0] >= 1e-3 for v in s)
                row.update({"ranks_rtol_1e-8": [int(numerical_rank(w, rtol=1e-8)) for w in W],
                            "s_k_plus_1": tail, "weyl_bound": weyl, "top_singular": [
                                float(v[0]) for v in s],
                            "rank_one_sum_residuals": res, "ok": bool(
                                weyl_ok and max(res) <= 1e-6 and nonzero)})
                ok &= row["ok"]
            rows.append(row)
    result = {"stationary_points": rows, "nontrivial_reached": reached,
              "attempted": attempted, "all_reached_ok": bool(ok)}
    passed: bool | None = bool(ok)
    if reached < max(1, (3 * attempted) // 4):
        passed = None
        result["reason"] = "too few runs reached a nontrivial point with gradient norm 1e-10"
    return Outcome(passed=passed, result=result,
                   parameters={"problems": list(names), "seeds": runs, "gd_steps": 1000,
                               "gtol": 1e-10, "k": 3, "copies": 3, "hidden_width": 8,
                               "precision": "float64"},
                   key=("attempted",))
