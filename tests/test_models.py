"""Every formula in ncverify.models against an independent computation.

Each test would fail if the formula it guards were changed: closed forms are compared with the
explicit matrices they describe, computed another way (NumPy SVD, naive softmax, mpmath).
"""

import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from ncverify.models import (
    balanced_factorization,
    block_lowrank_class_means,
    class_labels,
    deep_linear_output,
    deep_linear_ufm_loss,
    dnc_class_means,
    dnc_fit,
    dnc_loss,
    dnc_singular_values,
    expand_classes,
    factor_penalty,
    label_matrix,
    lemma1_parameters,
    lowrank_fit,
    lowrank_loss,
    lowrank_singular_values,
    mean_cross_entropy,
    mse_fit,
    schatten_penalty,
    simplex_etf,
)
from ncverify.models.orthogonal import random_orthogonal, random_rational_orthogonal
from ncverify.models.softmax import rho_double_prime, rho_prime, softmax, softmax_jacobian

Ks = st.integers(2, 12)
Ls = st.integers(1, 8)
ns = st.integers(1, 4)
scales = st.floats(0.05, 25.0)
lams = st.floats(1e-6, 1.0)


def naive_ce(Z, labels):
    """Cross-entropy written the textbook way (no log-sum-exp), for moderate logits."""
    P = np.exp(Z) / np.exp(Z).sum(axis=0)
    return float(-np.mean(np.log(P[labels, np.arange(Z.shape[1])])))


def numeric(M, n, scale):
    return scale * np.array(expand_classes(M, n).tolist(), dtype=float)


@given(Ks)
def test_simplex_etf_is_projection_of_rank_k_minus_1(K):
    S = simplex_etf(K)
    assert S * S == S and S.T == S
    assert S.rank() == K - 1
    assert all(x == 0 for x in S * sympy.ones(K, 1))
    assert np.allclose(simplex_etf(K, exact=False), np.array(S.tolist(), dtype=float))


def test_labels_and_label_matrix():
    assert class_labels(3, [1, 2, 1]).tolist() == [0, 1, 1, 2]
    Y = label_matrix(3, 2)
    assert np.array_equal(Y, np.kron(np.eye(3), np.ones((1, 2))))


@given(Ks, ns, scales)
def test_dnc_fit_closed_form_equals_cross_entropy(K, n, a):
    Z = numeric(dnc_class_means(K), n, a)
    assert math.isclose(float(mean_cross_entropy(Z, class_labels(K, n))), float(dnc_fit(K, a)),
                        rel_tol=1e-12, abs_tol=1e-14)
    assert math.isclose(naive_ce(Z, class_labels(K, n)), float(dnc_fit(K, a)), rel_tol=1e-9,
                        abs_tol=1e-12)


@given(Ks, ns, scales)
def test_lowrank_fit_closed_form_equals_cross_entropy(K, n, b):
    Z = numeric(block_lowrank_class_means(K), n, b)
    assert math.isclose(naive_ce(Z, class_labels(K, n)), float(lowrank_fit(K, b)), rel_tol=1e-9,
                        abs_tol=1e-12)


@given(Ks, ns, scales)
def test_singular_values_match_numpy_svd(K, n, a):
    for M, spec in ((dnc_class_means(K), dnc_singular_values(K, n, a)),
                    (block_lowrank_class_means(K), lowrank_singular_values(K, n, a))):
        sv = np.linalg.svd(numeric(M, n, a), compute_uv=False)
        expected = sorted([float(v) for v, mult in spec for _ in range(int(mult))], reverse=True)
        expected += [0.0] * (K - len(expected))
        assert np.allclose(sv, expected, atol=1e-9 * max(1, a * n))


@given(Ks, Ls, ns, scales, lams)
def test_reduced_losses_equal_fit_plus_schatten_of_explicit_matrix(K, L, n, a, lam):
    labels = class_labels(K, n)
    for M, closed in ((dnc_class_means(K), dnc_loss(a, K, L, n, lam)),
                      (block_lowrank_class_means(K), lowrank_loss(a, K, L, n, lam))):
        Z = numeric(M, n, a)
        sv = np.linalg.svd(Z, compute_uv=False)
        sv = sv[sv > 1e-9 * sv[0]]
        direct = mean_cross_entropy(Z, labels) + lam * (L + 1) / 2 * np.sum(sv ** (2 / (L + 1)))
        assert math.isclose(float(closed), float(direct), rel_tol=1e-9)


def test_cross_entropy_is_stable_for_huge_logits():
    Z = np.array([[1000.0, -1000.0], [0.0, 0.0]])
    assert math.isclose(float(mean_cross_entropy(Z, [1, 0])), 1000.0, rel_tol=1e-14)
    assert 0 <= float(mean_cross_entropy(Z, [0, 1])) < 1e-300
    batch = np.stack([Z, 2 * Z])
    assert mean_cross_entropy(batch, [0, 1]).shape == (2,)


def test_cross_entropy_backends_agree():
    Z = np.array([[0.3, -1.2, 2.0], [1.1, 0.4, -0.5], [0.0, 0.7, 0.2]])
    labels = [0, 2, 1]
    ref = naive_ce(Z, np.array(labels))
    mp = mean_cross_entropy(mpmath.matrix(Z.tolist()), labels)
    sy = mean_cross_entropy(sympy.Matrix(Z.tolist()), labels)
    assert math.isclose(float(mp), ref, rel_tol=1e-12)
    assert math.isclose(float(sy), ref, rel_tol=1e-12)


def test_mse_fit():
    Z, Y = np.ones((2, 3)), label_matrix(2, [1, 2])
    assert math.isclose(float(mse_fit(Z, Y)), np.sum((Z - Y) ** 2) / 6)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 6), st.integers(0, 10**6))
def test_balanced_factorization_attains_schatten_value(p, q, m, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((p, q))
    A = balanced_factorization(X, m)
    prod = A[0]
    for Ai in A[1:]:
        prod = Ai @ prod
    assert np.allclose(prod, X, atol=1e-10)
    s = np.linalg.svd(X, compute_uv=False)
    assert math.isclose(factor_penalty(A), schatten_penalty(s, m), rel_tol=1e-9)


@given(st.integers(2, 5), st.integers(0, 10**6))
def test_any_factorization_is_above_the_schatten_value(m, seed):
    rng = np.random.default_rng(seed)
    A = [rng.standard_normal((3, 3)) for _ in range(m)]
    X = A[0]
    for Ai in A[1:]:
        X = Ai @ X
    s = np.linalg.svd(X, compute_uv=False)
    assert factor_penalty(A) >= schatten_penalty(s, m) * (1 - 1e-12)


def test_schatten_penalty_values():
    assert schatten_penalty([4.0, 1.0], 2, 2.0) == pytest.approx(1 * 2.0 * (4 + 1))
    assert schatten_penalty([(8.0, 2)], 3, 1.0) == pytest.approx(1.5 * 2 * 4)
    s = sympy.Symbol("s", positive=True)
    assert schatten_penalty([s], 1, 1) == s**2 / 2


@given(st.integers(2, 4), st.integers(1, 4), st.integers(1, 3), st.integers(0, 10**6),
       st.floats(1e-4, 1.0))
def test_lemma1_parameters_full_loss_equals_reduced_loss(K, L, n, seed, lam):
    rng = np.random.default_rng(seed)
    d = K + 1
    Us = [random_orthogonal(d, rng) for _ in range(L)] + [random_orthogonal(K, rng)]
    s = rng.uniform(0.1, 2.0, K)
    H1, Ws = lemma1_parameters(list(s), Us, random_orthogonal(K * n, rng), K, d, n, L)
    Z = deep_linear_output(H1, Ws)
    assert np.allclose(np.sort(np.linalg.svd(Z, compute_uv=False)), np.sort(s ** (L + 1)))
    reduced = mean_cross_entropy(Z, class_labels(K, n)) + schatten_penalty(s ** (L + 1), L + 1, lam)
    assert math.isclose(float(deep_linear_ufm_loss(H1, Ws, lam, K, n)), float(reduced),
                        rel_tol=1e-10)


def test_rational_orthogonal_is_exact():
    Q = random_rational_orthogonal(4, np.random.default_rng(0))
    assert Q.T * Q == sympy.eye(4)


@pytest.mark.parametrize("K", [2, 3, 5])
def test_softmax_jacobian_split_numerically(K):
    a = sympy.Rational(7, 3)
    S = simplex_etf(K)
    for c in range(K):
        rho = softmax_jacobian(softmax(a * S[:, c]))
        e = sympy.exp(a)
        split = (e * rho_prime(K, c) + rho_double_prime(K, c)) / (K - 1 + e) ** 2
        assert np.allclose(np.array((rho - split).evalf(30).tolist(), dtype=float), 0, atol=1e-25)


@pytest.mark.parametrize("bad, match", [
    (dict(K=1), "K must be an integer >= 2"), (dict(K=2.5), "K must be an integer"),
    (dict(K=True), "K must be an integer"), (dict(L=0), "L must be an integer >= 1"),
    (dict(n=0), "n must be an integer >= 1"), (dict(lam=0.0), "lam must be a finite real"),
    (dict(lam=-1.0), "lam must be"), (dict(lam=float("nan")), "lam must be"),
    (dict(lam=float("inf")), "lam must be"), (dict(lam="x"), "lam must be"),
])
def test_bad_hyperparameters_are_rejected_naming_the_parameter(bad, match):
    from ncverify.papers.gk.thm1 import optimal_dnc_scale

    args = dict(K=4, L=3, n=5, lam=0.001) | bad
    with pytest.raises(ValueError, match=match):
        optimal_dnc_scale(**args)


def test_constructions_reject_bad_k():
    with pytest.raises(ValueError, match="K must be an integer >= 2"):
        block_lowrank_class_means(1)
    with pytest.raises(ValueError, match="K must be an integer"):
        simplex_etf(3.0)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        expand_classes(sympy.eye(2), 0)
