"""ncverify.models.srg / minnorm / symbolic and the public API of the `sk` claims, against
independent computations; hypothesis properties over random r, K, L, λ."""

import math
import random

import flint
import mpmath
import networkx as nx
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from ncverify.models import dufm_loss
from ncverify.models.minnorm import consistent_solve, min_norm_rows, min_norm_value
from ncverify.models.srg import (
    dnc_mse_loss,
    dnc_network,
    dnc_scale_loss,
    exact_split_rows,
    incidence_matrix,
    last_layer_pattern,
    minimise_scale_loss,
    normalized_incidence,
    srg_last_gram_spectrum,
    srg_loss,
    srg_network,
    srg_parameters_by_counting,
    srg_scale_loss,
    srg_spectrum,
    triangular_adjacency,
)
from ncverify.models.symbolic import is_zero
from ncverify.papers.sk import lemma13, thm3


def _numpy_gram_eigs(r: int) -> np.ndarray:
    """Eigenvalues of M_L^T M_L (alpha_L = 1) built in float64 from scratch (no flint)."""
    edges = [(i, j) for i in range(r) for j in range(i + 1, r)]
    K = len(edges)
    M = np.zeros((K, K))
    s = math.sqrt((r - 2) * (r - 3) / 2 + 1)
    for a, pair in enumerate(edges):
        for b, e in enumerate(edges):
            if not set(pair) & set(e):
                M[a, b] = 1 / s
    return np.sort(np.linalg.eigvalsh(M.T @ M))


@pytest.mark.parametrize("r", [4, 5, 6, 7, 9])
def test_gram_spectrum_matches_float_eigenvalues(r):
    spec = lemma13.gram_spectrum(r)
    assert sum(spec.values()) == r * (r - 1) // 2
    expected = np.sort(np.repeat([float(e) for e in spec], list(spec.values())))
    assert np.allclose(_numpy_gram_eigs(r), expected, atol=1e-10)


def test_gram_spectrum_mu1_is_not_the_printed_one_from_r6():
    for r in range(4, 11):
        mu1 = max(lemma13.gram_spectrum(r))
        printed = sympy.Rational((r - 2) * (5 * r - 19), (r - 2) * (r - 3) + 2)
        assert (mu1 == printed) == (r in (4, 5))
        assert mu1 == sympy.Rational((r - 2) ** 2 * (r - 3) ** 2, 2 * ((r - 2) * (r - 3) + 2))


@pytest.mark.parametrize("bad, match", [(3, "r"), (4.0, "r"), ("5", "r"), (True, "r")])
def test_gram_spectrum_rejects_bad_r(bad, match):
    with pytest.raises(ValueError, match=match):
        lemma13.gram_spectrum(bad)


@given(st.integers(4, 14))
def test_closed_form_last_gram_spectrum_equals_built(r):
    model = {}
    for e, m in srg_last_gram_spectrum(r):
        model[sympy.nsimplify(e)] = model.get(sympy.nsimplify(e), 0) + int(m)
    assert model == lemma13.gram_spectrum(r)


@given(st.integers(4, 13))
def test_triangular_graph_is_srg_with_networkx_counts(r):
    G = nx.line_graph(nx.complete_graph(r))
    assert nx.is_regular(G) and G.number_of_nodes() == r * (r - 1) // 2
    v, k, lam, mu = srg_parameters_by_counting(triangular_adjacency(r))
    assert (v, k, lam, mu) == (r * (r - 1) // 2, 2 * (r - 2), r - 2, 4)
    spec = srg_spectrum(v, k, lam, mu)
    eig = np.sort(np.linalg.eigvalsh(nx.to_numpy_array(G)))
    expected = np.sort(np.repeat([float(e) for e, _ in spec], [int(m) for _, m in spec]))
    assert np.allclose(eig, expected, atol=1e-9)


def test_srg_parameters_rejects_non_srg():
    path = flint.fmpz_mat(4, 4, [0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0])
    with pytest.raises(ValueError, match="strongly regular"):
        srg_parameters_by_counting(path)


def test_normalized_incidence_definition():
    T = normalized_incidence(5)
    assert T.shape == (5, 10)
    assert all(x in (0, 1 / sympy.Integer(2)) for x in T)   # 1/sqrt(r-1) = 1/2 at r = 5


@given(st.integers(4, 10), st.integers(0, 10**6))
def test_last_layer_pattern_is_half_signs_times_incidence(r, seed):
    from ncverify.models.srg import last_layer_signs

    P = last_layer_pattern(r)
    assert flint.fmpq_mat(last_layer_signs(r)) * flint.fmpq_mat(incidence_matrix(r)) == \
        2 * flint.fmpq_mat(P)


@settings(max_examples=25)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4), st.integers(0, 10**6))
def test_min_norm_solution_is_minimal(d, K, m, seed):
    rng = random.Random(seed)
    M = flint.fmpq_mat(d, K, [rng.randint(-3, 3) for _ in range(d * K)])
    W0 = flint.fmpq_mat(m, d, [rng.randint(-3, 3) for _ in range(m * d)])
    Z = W0 * M                                   # feasible by construction
    W = min_norm_rows(M, Z)
    assert W * M == Z
    value = min_norm_value(M, Z)
    assert value <= sum((x * x for x in W0.entries()), flint.fmpq(0))
    # the minimiser is orthogonal to every direction N with N M = 0
    null = [flint.fmpq_mat(1, d, list(v)) for v in _left_null(M)]
    for N in null:
        for i in range(m):
            row = flint.fmpq_mat(1, d, [W[i, j] for j in range(d)])
            assert (row * N.transpose())[0, 0] == 0


def _left_null(M):
    """Basis of {x : x^T M = 0} by sympy (independent of flint's row reduction)."""
    S = sympy.Matrix(M.nrows(), M.ncols(), lambda i, j: sympy.Rational(str(M[i, j])))
    return [[flint.fmpq(int(sympy.Rational(x).p), int(sympy.Rational(x).q)) for x in v]
            for v in S.T.nullspace()]


def test_consistent_solve_rejects_inconsistent_system():
    P = flint.fmpq_mat(2, 2, [1, 2, 2, 4])
    with pytest.raises(ValueError, match="inconsistent"):
        consistent_solve(P, flint.fmpq_mat(2, 1, [1, 1]))


def test_exact_split_rows_gram():
    for seed in range(5):
        A = exact_split_rows(4, 9, flint.fmpq(3, 2), seed=seed)
        assert A.transpose() * A == flint.fmpq(9, 4) * flint.fmpq_mat(
            4, 4, [int(i == j) for i in range(4) for j in range(4)])
        assert all(x >= 0 for x in A.entries())
    with pytest.raises(ValueError, match="d must be"):
        exact_split_rows(4, 7, 1)


def test_is_zero():
    r = sympy.Symbol("r", positive=True)
    assert is_zero((r**2 - 4) / (r - 2) - r - 2)
    assert not is_zero(r - 2)


@settings(max_examples=12, deadline=None)
@given(st.integers(4, 6), st.integers(2, 4), st.integers(1, 2), st.floats(-3.5, -1.5),
       st.floats(0.2, 3.0))
def test_srg_closed_form_equals_true_loss_of_built_network(r, L, n, log_lam, q):
    with mpmath.workdps(30):
        lam = [mpmath.mpf(10) ** log_lam * (1 + i / 7) for i in range(L + 1)]
        H1, Ws = srg_network(r, L, lam, n, mpmath.mpf(q))
        true = dufm_loss(H1, Ws, lam, r * (r - 1) // 2, n, loss="mse", activation="relu")
        assert abs(true - srg_loss(mpmath.mpf(q), r, L, lam, n)) < mpmath.mpf(10) ** -22


@settings(max_examples=12, deadline=None)
@given(st.integers(1, 12), st.integers(2, 5), st.integers(1, 3), st.floats(-3.5, -1.0),
       st.floats(0.05, 5.0))
def test_dnc_closed_form_equals_true_loss_of_built_network(K, L, n, log_lam, q):
    with mpmath.workdps(30):
        lam = [mpmath.mpf(10) ** log_lam * (1 + i / 5) for i in range(L + 1)]
        H1, Ws = dnc_network(K, L, lam, n, mpmath.mpf(q))
        if K >= 2:
            true = dufm_loss(H1, Ws, lam, K, n, loss="mse", activation="relu")
            assert abs(true - dnc_mse_loss(mpmath.mpf(q), K, L, lam, n)) < mpmath.mpf(10) ** -22


@given(st.integers(4, 30), st.integers(2, 8), st.floats(-5, 0), st.floats(0.01, 50))
def test_scale_loss_derivative_matches_finite_difference(r, L, log_lam, q):
    form = srg_scale_loss(r, L, 10.0**log_lam)
    h = 1e-6 * q
    fd = (form.value(q + h) - form.value(q - h)) / (2 * h)
    assert math.isclose(form.derivative(q), fd, rel_tol=1e-5, abs_tol=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(6, 60), st.integers(3, 8), st.floats(-5, -2))
def test_srg_beats_dnc_inside_region_when_dnc_nontrivial(K, L, log_lam):
    """Theorem 3 (corrected): inside the region, min L_SRG < min L_DNC whenever the DNC minimum
    is not the zero network (Definition 6 for K = C(r, 2), Definition 8 (1) otherwise)."""
    if not thm3.published_region(K, L):
        return
    lam = [10.0**log_lam] * (L + 1)
    with mpmath.workdps(30):
        d = minimise_scale_loss(dnc_scale_loss(K, L, mpmath.mpf(10.0**log_lam)))
        best = thm3._srg_best(K, L, lam)
        assert best["value"] <= d.value + mpmath.mpf(10) ** -25   # both 1/2 up to rounding
        if not d.at_zero:
            assert best["value"] < d.value


@given(st.integers(4, 200), st.integers(2, 60))
def test_proof_inequalities_agree_with_floats_away_from_ties(r, L):
    sig2 = (math.sqrt(2) + math.sqrt((r - 1) * (r - 2))) ** 2
    p = thm3.proof_inequalities(r, L)
    lhs, rhs = math.log(r) + (L - 2) * math.log(r - 1), (L - 3) * math.log(2) + math.log(sig2)
    if abs(lhs - rhs) > 1e-9:
        assert p["I1"] == (lhs > rhs)
    a, b = r * (r - 1) ** 2, sig2 * (r - 2)
    if abs(a - b) > 1e-9 * a:
        assert p["I2"] == (a > b)


def test_proof_region_equals_published_region():
    for K in range(2, 120):
        for L in range(2, 12):
            assert thm3.proof_region(K, L) == thm3.published_region(K, L), (K, L)


def test_loss_ratio_values():
    assert float(thm3.loss_ratio(5, 4, 1e-3)) == pytest.approx(0.81656026275, rel=1e-10)
    assert thm3.loss_ratio(4, 3, 1e-3) > 1          # K = 6, L = 3: outside the region
    assert thm3.loss_ratio(10, 4, 1.0) == 1          # both minima are the zero network
    assert thm3.loss_ratio(5, 4, 1e-3) < thm3.loss_ratio(5, 3, 1e-3) < 1


@pytest.mark.parametrize("args, match", [((3, 4, 1e-3), "r"), ((5, 1, 1e-3), "L"),
                                         ((5, 4, 0.0), "lam"), ((5, 4, -1.0), "lam"),
                                         ((5.0, 4, 1e-3), "r"), ((5, "4", 1e-3), "L"),
                                         ((5, 4, float("nan")), "lam")])
def test_loss_ratio_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        thm3.loss_ratio(*args)


def test_loss_ratio_agrees_with_explicit_networks():
    """The ratio from closed forms equals the ratio of the true losses of the networks built
    at the optimal scales (10 digits at least)."""
    r, L, lam = 5, 4, mpmath.mpf("1e-3")
    s, d = thm3.min_losses(r, L, lam)
    with mpmath.workdps(40):
        Hs, Wss = srg_network(r, L, lam, 1, s.x)
        Hd, Wsd = dnc_network(10, L, lam, 1, d.x)
        true = dufm_loss(Hs, Wss, lam, 10, 1, "mse", "relu") / dufm_loss(Hd, Wsd, lam, 10, 1,
                                                                           "mse", "relu")
    assert abs(true - thm3.loss_ratio(r, L, lam)) < mpmath.mpf(10) ** -20
