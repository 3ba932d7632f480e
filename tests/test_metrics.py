"""Tests for ncverify.engine.metrics: known geometries, invariances, a naive per-class reference,
the batch axis, input validation, and mutations that the tests must catch."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ncverify.engine import metrics as nm

# --------------------------------------------------------------------------- naive reference
# Plain per-class / per-sample loops written straight from the definitions, sharing no code with
# the module under test.


def naive_stats(H, labels, K):
    d, N = H.shape
    mus = [H[:, labels == c].mean(axis=1) for c in range(K)]
    M = np.stack(mus, axis=1)
    mu_G = sum(mus) / K
    Sw = np.zeros((d, d))
    for i in range(N):
        r = H[:, i] - mus[labels[i]]
        Sw += np.outer(r, r)
    Sw /= N
    Sb = sum(np.outer(m - mu_G, m - mu_G) for m in mus) / K
    return M, mu_G, Sw, Sb


def naive_nc1_pinv(H, labels, K, rtol=nm.DEFAULT_RTOL):
    _, _, Sw, Sb = naive_stats(H, labels, K)
    return np.trace(Sw @ np.linalg.pinv(Sb, rtol=rtol, hermitian=True)) / K


def naive_nc1_svd(H, labels, K):
    _, _, Sw, Sb = naive_stats(H, labels, K)
    lam, V = np.linalg.eigh(Sb)
    top = np.argsort(lam)[::-1][: K - 1]
    inv = V[:, top] @ np.diag(1.0 / lam[top]) @ V[:, top].T
    return np.trace(Sw @ inv) / K


def naive_trace_ratio(H, labels, K):
    _, _, Sw, Sb = naive_stats(H, labels, K)
    return np.trace(Sw) / np.trace(Sb)


def naive_cdnv(H, labels, K):
    M, _, _, _ = naive_stats(H, labels, K)
    var = []
    for c in range(K):
        cols = H[:, labels == c]
        var.append(np.mean([np.sum((cols[:, i] - M[:, c]) ** 2) for i in range(cols.shape[1])]))
    vals = [(var[a] + var[b]) / (2 * np.sum((M[:, a] - M[:, b]) ** 2))
            for a in range(K) for b in range(a + 1, K)]
    return np.mean(vals)


def naive_centred(M):
    K = M.shape[1]
    mu_G = sum(M[:, c] for c in range(K)) / K
    return np.stack([M[:, c] - mu_G for c in range(K)], axis=1)


def naive_equinorm(M):
    norms = [np.linalg.norm(v) for v in naive_centred(M).T]
    return np.std(norms) / np.mean(norms)


def naive_equiangularity(M):
    V = naive_centred(M).T
    K = len(V)
    cos = [V[a] @ V[b] / (np.linalg.norm(V[a]) * np.linalg.norm(V[b]))
           for a in range(K) for b in range(a + 1, K)]
    return np.std(cos)


def naive_gram_distance(M, T):
    G = M.T @ M
    return np.linalg.norm(G / np.linalg.norm(G) - T / np.linalg.norm(T))


def naive_etf_error(M):
    K = M.shape[1]
    S = np.eye(K) - np.ones((K, K)) / K
    return naive_gram_distance(naive_centred(M), S)


def naive_self_duality(W, M):
    Mc = naive_centred(M)
    return np.linalg.norm(W.T / np.linalg.norm(W) - Mc / np.linalg.norm(Mc))


def naive_ncc_agreement(H, W, labels, K):
    M, _, _, _ = naive_stats(H, labels, K)
    hits = 0
    for i in range(H.shape[1]):
        h = H[:, i]
        ncc = int(np.argmin([np.linalg.norm(h - M[:, c]) for c in range(K)]))
        hits += int(np.argmax(W @ h)) == ncc
    return hits / H.shape[1]


def close(a, b, rtol=1e-7, atol=1e-12):
    return np.allclose(a, b, rtol=rtol, atol=atol)


def check_against_naive(H, labels, K, W):
    """Assert every metric equals its naive reference on (H, labels, K, W)."""
    scale2 = max(np.max(np.abs(H)) ** 2, 1e-300)
    M, mu_G, Sw, Sb = naive_stats(H, labels, K)
    assert close(nm.class_means(H, labels, K), M, atol=1e-12 * np.sqrt(scale2))
    assert close(nm.global_mean(H, labels, K), mu_G, atol=1e-12 * np.sqrt(scale2))
    assert close(nm.within_class_covariance(H, labels, K), Sw, atol=1e-12 * scale2)
    assert close(nm.between_class_covariance(H, labels, K), Sb, atol=1e-12 * scale2)
    assert close(nm.nc1_pinv(H, labels, K), naive_nc1_pinv(H, labels, K))
    assert close(nm.nc1_svd(H, labels, K), naive_nc1_svd(H, labels, K))
    assert close(nm.nc1_trace_ratio(H, labels, K), naive_trace_ratio(H, labels, K))
    assert close(nm.cdnv(H, labels, K), naive_cdnv(H, labels, K))
    assert close(nm.equinorm(M), naive_equinorm(M))
    assert close(nm.equiangularity(M), naive_equiangularity(M))
    assert close(nm.etf_error(M), naive_etf_error(M))
    assert close(nm.orthogonal_frame_error(M), naive_gram_distance(M, np.eye(K)))
    assert close(nm.self_duality(W, M), naive_self_duality(W, M))
    assert nm.ncc_agreement(H, W, labels, K) == naive_ncc_agreement(H, W, labels, K)


# --------------------------------------------------------------------------- data


def random_problem(rng, K, d, sizes, noise, shuffle, scale=1.0):
    """Features ``scale · (M_true Y + noise · E)`` with Gaussian means and noise."""
    labels = np.repeat(np.arange(K), sizes)
    if shuffle:
        labels = rng.permutation(labels)
    M_true = rng.standard_normal((d, K))
    H = scale * (M_true[:, labels] + noise * rng.standard_normal((d, len(labels))))
    W = rng.standard_normal((K, d))
    return H, labels, W


@st.composite
def problems(draw, full_rank_means=False):
    """Random imbalanced problems; with ``full_rank_means`` d >= K - 1, so rank Σ_B = K - 1."""
    K = draw(st.integers(2, 6))
    d = draw(st.integers(K - 1, K + 3) if full_rank_means else st.integers(1, 7))
    sizes = draw(st.lists(st.integers(1, 5), min_size=K, max_size=K))
    noise = draw(st.sampled_from([0.0, 1e-6, 0.1, 1.0]))
    shuffle = draw(st.booleans())
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    H, labels, W = random_problem(rng, K, d, sizes, noise, shuffle, scale)
    return H, labels, K, W, rng


def etf_means(rng, K, d, c=2.0, offset=True):
    """``M = c Q Bᵀ + μ 1ᵀ``: B an orthonormal basis of 1_K^⊥, Q a d × (K-1) orthonormal frame,
    so the centred Gram matrix is ``c² S``."""
    S = np.eye(K) - np.ones((K, K)) / K
    B = np.linalg.qr(S)[0][:, : K - 1]
    Q = np.linalg.qr(rng.standard_normal((d, K - 1)))[0]
    mu = rng.standard_normal((d, 1)) if offset else np.zeros((d, 1))
    return c * Q @ B.T + mu


def orthogonal_means(rng, K, d, c=3.0):
    return c * np.linalg.qr(rng.standard_normal((d, K)))[0]


def random_rotation(rng, d):
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


# --------------------------------------------------------------------------- tests


def test_doctests_pass():
    result = doctest.testmod(nm, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 20 and result.failed == 0


def test_every_public_name_is_documented_with_a_definition():
    for name in nm.__all__:
        obj = getattr(nm, name)
        if callable(obj):
            assert obj.__doc__ and len(obj.__doc__.strip()) > 40, name


@pytest.mark.parametrize("sizes", [[3, 3, 3, 3], [1, 4, 2, 7], [8, 1, 1, 2]])
def test_exact_collapse_gives_exactly_zero(sizes):
    rng = np.random.default_rng(0)
    K = len(sizes)
    M = rng.integers(-9, 10, size=(5, K)).astype(float)     # exact class sums and means
    labels = np.repeat(np.arange(K), sizes)
    H = M[:, labels]
    assert nm.nc1_pinv(H, labels, K) == 0.0
    assert nm.nc1_svd(H, labels, K) == 0.0
    assert nm.nc1_trace_ratio(H, labels, K) == 0.0
    assert nm.cdnv(H, labels, K) == 0.0
    assert np.all(nm.within_class_covariance(H, labels, K) == 0.0)
    # generic float means: class means are recomputed with rounding, NC1 stays at rounding level
    Mf = rng.standard_normal((5, K)) * 1e3
    Hf = Mf[:, labels]
    for f in (nm.nc1_pinv, nm.nc1_svd, nm.nc1_trace_ratio, nm.cdnv):
        assert 0.0 <= f(Hf, labels, K) <= 1e-12


@given(K=st.integers(2, 7), d=st.integers(1, 8), seed=st.integers(0, 2**32 - 1),
       noise=st.sampled_from([1e-15, 1e-12, 1e-8, 1e-3]), low_rank=st.booleans())
def test_nc1_never_negative_under_noise(K, d, seed, noise, low_rank):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 5, size=K)
    labels = np.repeat(np.arange(K), sizes)
    M = rng.standard_normal((d, K))
    if low_rank:                                             # all means on one line: rank M̄ = 1
        M = np.outer(rng.standard_normal(d), rng.standard_normal(K))
    H = M[:, labels] + noise * rng.standard_normal((d, len(labels)))
    value = nm.nc1_pinv(H, labels, K)
    assert np.isfinite(value) and value >= 0.0
    assert nm.nc1_svd(H, labels, K) >= 0.0
    assert nm.nc1_trace_ratio(H, labels, K) >= 0.0
    if low_rank and K >= 3 and d >= 2 and 1e-12 <= noise <= 1e-8 and min(sizes) >= 2:
        # rank M̄ = 1 up to noise: the top-(K-1) variant inverts a noise-level eigenvalue of Σ_B
        # (ratio of two noise-level quantities: O(1) or worse); the cutoff in pinv drops it
        assert value < 1e-6
        assert not nm.nc1_svd(H, labels, K) <= 1e6 * max(value, 1e-300)


@pytest.mark.parametrize("K", [2, 3, 4, 7])
@pytest.mark.parametrize("extra", [0, 1, 4])
def test_simplex_etf_means(K, extra):
    rng = np.random.default_rng(K + 10 * extra)
    d = K - 1 + extra
    M = etf_means(rng, K, d)
    assert nm.etf_error(M) < 1e-12
    assert nm.equinorm(M) < 1e-12
    assert nm.equiangularity(M) < 1e-12
    assert abs(nm.condition_number(M, centred=True) - 1.0) < 1e-12
    Mc = M - M.mean(axis=1, keepdims=True)
    cos = (Mc.T @ Mc)[0, 1] / np.linalg.norm(Mc[:, 0]) / np.linalg.norm(Mc[:, 1])
    assert abs(cos + 1.0 / (K - 1)) < 1e-12                 # the ETF angle
    if K >= 3:                                               # a centred ETF is not orthogonal
        assert nm.orthogonal_frame_error(etf_means(rng, K, d, offset=False)) > 0.1


@pytest.mark.parametrize("K", [2, 3, 5])
def test_orthogonal_frame_means(K):
    rng = np.random.default_rng(K)
    M = orthogonal_means(rng, K, K + 2)
    assert nm.orthogonal_frame_error(M) < 1e-12
    assert abs(nm.condition_number(M) - 1.0) < 1e-12
    assert nm.etf_error(M) < 1e-12               # centring an orthogonal frame gives an ETF
    assert nm.gram_distance(M, 5.0 * np.eye(K)) < 1e-12


def test_random_means_are_far_from_both_frames():
    rng = np.random.default_rng(1)
    M = rng.standard_normal((6, 4))
    assert nm.etf_error(M) > 0.05
    assert nm.orthogonal_frame_error(M) > 0.05
    assert nm.equinorm(M) > 1e-3 and nm.equiangularity(M) > 1e-3


@given(problems(full_rank_means=True))
def test_nc1_pinv_and_svd_agree_when_sigma_b_has_rank_k_minus_1(problem):
    H, labels, K, _, _ = problem
    Mc = nm.class_means(H, labels, K)
    Mc = Mc - Mc.mean(axis=1, keepdims=True)
    assert nm.numerical_rank(Mc, rtol=1e-8) == K - 1      # M̄ 1 = 0 caps the rank at K - 1
    assert close(nm.nc1_pinv(H, labels, K), nm.nc1_svd(H, labels, K), rtol=1e-9)


@given(problems())
def test_invariances(problem):
    H, labels, K, _, rng = problem
    d = H.shape[0]
    Q = random_rotation(rng, d)
    c = 10.0 ** rng.uniform(-3, 3)
    shift = c * np.max(np.abs(H)) * rng.standard_normal((d, 1))   # order of c·H: no cancellation
    H2 = c * (Q @ H) + shift
    for f in (nm.nc1_pinv, nm.nc1_svd, nm.nc1_trace_ratio, nm.cdnv):
        assert close(f(H2, labels, K), f(H, labels, K), rtol=1e-6), f.__name__
    # relabelling the classes permutes the means and leaves every NC1 variant unchanged
    perm = rng.permutation(K)
    for f in (nm.nc1_pinv, nm.nc1_trace_ratio, nm.cdnv):
        assert close(f(H, perm[labels], K), f(H, labels, K), rtol=1e-9), f.__name__
    P = nm.cdnv_pairwise(H, labels, K)
    assert np.array_equal(P, np.swapaxes(P, -1, -2)) and np.all(np.diag(P) == 0.0)
    M = nm.class_means(H, labels, K)
    for f in (nm.equinorm, nm.equiangularity, nm.etf_error):
        assert close(f(c * (Q @ M) + shift), f(M), rtol=1e-6, atol=1e-9), f.__name__


@given(problems())
def test_matches_naive_per_class_loops(problem):
    H, labels, K, W, _ = problem
    check_against_naive(H, labels, K, W)


@given(problems(), st.integers(1, 3))
def test_batch_axis_equals_loop_over_runs(problem, R):
    H0, labels, K, W0, rng = problem
    d, N = H0.shape
    H = np.stack([H0] + [rng.standard_normal((d, N)) for _ in range(R - 1)])
    W = np.stack([W0] + [rng.standard_normal((K, d)) for _ in range(R - 1)])
    M = nm.class_means(H, labels, K)
    assert M.shape == (R, d, K)
    per_h = [nm.class_means, nm.global_mean, nm.within_class_covariance,
             nm.between_class_covariance, nm.nc1_pinv, nm.nc1_svd, nm.nc1_trace_ratio,
             nm.cdnv, nm.cdnv_pairwise]
    for f in per_h:
        batched = f(H, labels, K)
        assert close(batched, np.stack([f(h, labels, K) for h in H]), rtol=1e-10), f.__name__
    per_m = [nm.equinorm, nm.equiangularity, nm.etf_error, nm.orthogonal_frame_error,
             nm.singular_values, nm.numerical_rank, nm.condition_number]
    for f in per_m:
        assert close(f(M), np.stack([f(m) for m in M]), rtol=1e-10), f.__name__
    assert close(nm.self_duality(W, M), [nm.self_duality(w, m) for w, m in zip(W, M, strict=True)])
    assert np.array_equal(nm.ncc_agreement(H, W, labels, K),
                          [nm.ncc_agreement(h, w, labels, K) for h, w in zip(H, W, strict=True)])


def test_labels_sizes_and_column_order():
    rng = np.random.default_rng(3)
    sizes = [2, 5, 1]
    H, labels, _ = random_problem(rng, 3, 4, sizes, 0.5, shuffle=False)
    for f in (nm.class_means, nm.within_class_covariance, nm.nc1_pinv, nm.cdnv):
        assert np.array_equal(f(H, labels, 3), f(H, np.array(sizes), 3))
    order = rng.permutation(H.shape[1])                      # columns need not be in class order
    assert close(nm.nc1_pinv(H[:, order], labels[order], 3), nm.nc1_pinv(H, labels, 3))
    # N == K: read as one label per sample
    H3 = rng.standard_normal((2, 3))
    assert np.array_equal(nm.class_means(H3, [2, 0, 1], 3), H3[:, [1, 2, 0]])


def test_imbalanced_weights_follow_the_documented_convention():
    H = np.array([[0.0, 0.0, 0.0, 4.0]])        # class 0: three samples at 0; class 1: one at 4
    labels = [0, 0, 0, 1]
    assert nm.global_mean(H, labels, 2)[0] == 2.0                  # Av_c μ_c, not 1 (sample mean)
    assert nm.between_class_covariance(H, labels, 2)[0, 0] == 4.0   # classes weigh 1/K each
    H = np.array([[-1.0, 1.0, 3.0, 3.0, 5.0, 5.0]])
    # Σ_W weighs every sample 1/N: (1 + 1 + 0 + 0 + 0 + 0) / 6
    assert nm.within_class_covariance(H, [2, 2, 2], 3)[0, 0] == pytest.approx(1 / 3)


def test_degenerate_between_class_spread():
    H = np.array([[1.0, 3.0, 1.0, 3.0]])           # equal class means: Σ_B = 0
    assert nm.nc1_pinv(H, [0, 0, 1, 1], 2) == np.inf
    assert nm.nc1_trace_ratio(H, [0, 0, 1, 1], 2) == np.inf
    assert np.isnan(nm.nc1_pinv(np.ones((2, 4)), [2, 2], 2))
    assert np.isnan(nm.condition_number(np.zeros((3, 2))))


def test_nc1_cutoff_is_applied_and_tunable():
    # centred means spread strongly along e1 and weakly along e2 (λ_2 / λ_1 ≈ 7.5e-13)
    M = np.array([[1.0, -1.0, 0.0], [0.0, 1e-6, -1e-6]])
    labels = np.repeat(np.arange(3), 2)
    H = M[:, labels] + np.array([[0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [1e-3, -1e-3, 0, 0, 0, 0]])
    default = nm.nc1_pinv(H, labels, 3)                       # the e2 direction is cut
    full = nm.nc1_pinv(H, labels, 3, rtol=0.0)                # ... and inverted here
    assert default < 1e-15 and full > 1.0
    assert close(full, naive_nc1_pinv(H, labels, 3, rtol=1e-15), rtol=1e-3)


def test_spectra_helpers():
    A = np.diag([4.0, 1.0, 1e-3, 1e-17])
    assert np.array_equal(nm.singular_values(A), [4.0, 1.0, 1e-3, 1e-17])
    assert nm.numerical_rank(A) == 3                          # max(m, n)·eps·s_max ≈ 3.6e-15
    assert nm.numerical_rank(A, rtol=1e-3) == 2               # effective rank: 1e-3 not > 4e-3
    assert nm.numerical_rank(A, atol=1e-6) == 3
    assert nm.numerical_rank(A, rtol=0.5, atol=2.0) == 1
    assert nm.numerical_rank(np.zeros((3, 3))) == 0
    assert nm.condition_number(A[:, :3]) == pytest.approx(4000.0)
    assert nm.condition_number(A) == pytest.approx(4000.0)   # 1e-17 is below the cutoff
    assert nm.condition_number(A, rtol=1e-18) == pytest.approx(4e17)
    batch = np.stack([A, 2 * A])
    assert np.array_equal(nm.numerical_rank(batch), [3, 3])


def test_ncc_agreement_counts_disagreements():
    H = np.array([[-2.0, -1.0, 1.0, 2.0]])
    W = np.array([[-1.0], [1.0]])
    assert nm.ncc_agreement(H, W, [2, 2], 2) == 1.0
    assert nm.ncc_agreement(H, -W, [2, 2], 2) == 0.0
    # means 1.5 and 5.5: the NCC boundary is 3.5, the bias-free linear one is 0
    assert nm.ncc_agreement(H + 3.5, W, [2, 2], 2) == 0.5


BAD_INPUTS = [
    (nm.class_means, (np.ones((2, 4)), [0, 0, 1, 1], 1), "K"),
    (nm.class_means, (np.ones((2, 4)), [0, 0, 1, 1], 2.0), "K"),
    (nm.class_means, (np.ones(4), [0, 0, 1, 1], 2), "H"),
    (nm.class_means, (np.ones((1, 2, 3, 4)), [0, 0, 1, 1], 2), "H"),
    (nm.class_means, (np.array([[1.0, np.nan, 0.0, 0.0]]), [0, 0, 1, 1], 2), "H"),
    (nm.class_means, (np.array([["a", "b"]]), [0, 1], 2), "H"),
    (nm.class_means, (np.ones((2, 4)), [0, 0, 1, 2], 2), "labels"),
    (nm.class_means, (np.ones((2, 4)), [0, 0, 0, 0], 2), "labels"),
    (nm.class_means, (np.ones((2, 4)), [0, 0, 1], 2), "labels"),
    (nm.class_means, (np.ones((2, 4)), [0.0, 0.0, 1.0, 1.0], 2), "labels"),
    (nm.class_means, (np.ones((2, 4)), [3, 2], 2), "labels"),
    (nm.class_means, (np.ones((2, 4)), [4, 0], 2), "labels"),
    (nm.nc1_pinv, (np.ones((2, 4)), [2, 2], 2, -1e-3), "rtol"),
    (nm.nc1_pinv, (np.ones((2, 4)), [2, 2], 2, 1.0), "rtol"),
    (nm.nc1_pinv, (np.ones((2, 4)), [2, 2], 2, float("nan")), "rtol"),
    (nm.equinorm, (np.ones((3, 1)),), "M"),
    (nm.etf_error, (np.array([[1.0, np.inf]]),), "M"),
    (nm.gram_distance, (np.ones((3, 2)), np.ones((3, 3))), "target"),
    (nm.gram_distance, (np.ones((3, 2)), np.zeros((2, 2))), "target"),
    (nm.self_duality, (np.ones((2, 2)), np.ones((3, 2))), "W"),
    (nm.ncc_agreement, (np.ones((3, 4)), np.ones((3, 2)), [2, 2], 2), "W"),
    (nm.numerical_rank, (np.ones((2, 2)), None, -1.0), "atol"),
    (nm.singular_values, (np.ones(3),), "A"),
]


@pytest.mark.parametrize(("func", "args", "name"), BAD_INPUTS)
def test_bad_input_raises_one_line_value_error_naming_the_parameter(func, args, name):
    with pytest.raises(ValueError) as info:
        func(*args)
    message = str(info.value)
    assert message.startswith(name) and "\n" not in message


# --------------------------------------------------------------------------- mutation tests
# Each mutation breaks one formula; the reference checks above must notice.


def _sum_without_sorting(X, y, counts):
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return np.add.reduceat(X, starts, axis=-1)


def _spectrum_unsquared(H, labels, K):
    Rw, U, lam = ORIGINAL["_nc1_spectrum"](H, labels, K)
    return Rw, U, np.sqrt(lam * K) / K


ORIGINAL = {"_nc1_spectrum": nm._nc1_spectrum}
ORIGINAL_SUM = nm._nc1_sum

MUTATIONS = {
    "no centring": ("_centre", lambda M: M),
    "class means over n+1": ("_class_means",
                             lambda H, y, c: nm._class_sums(H, y, c) / (c + 1)),
    "class sums ignore label order": ("_class_sums", _sum_without_sorting),
    "total instead of within-class scatter": (
        "_residuals", lambda H, y, M: H - H.mean(axis=-1, keepdims=True)),
    "NC1 missing 1/K": ("_nc1_sum", lambda Rw, U, lam, keep, K: K * ORIGINAL_SUM(
        Rw, U, lam, keep, K)),
    "Σ_B eigenvalues from unsquared singular values": ("_nc1_spectrum", _spectrum_unsquared),
    "ETF target is the identity": ("simplex_etf", lambda K, exact=False: np.eye(K)),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutated_formula_is_caught(monkeypatch, mutation):
    rng = np.random.default_rng(7)
    H, labels, W = random_problem(rng, 4, 5, [3, 1, 4, 2], 0.3, shuffle=True)
    check_against_naive(H, labels, 4, W)                     # passes unmutated
    attribute, replacement = MUTATIONS[mutation]
    monkeypatch.setattr(nm, attribute, replacement)
    with pytest.raises(AssertionError):
        check_against_naive(H, labels, 4, W)


def test_mutated_etf_target_breaks_the_known_geometry(monkeypatch):
    M = etf_means(np.random.default_rng(0), 4, 5)
    assert nm.etf_error(M) < 1e-12
    monkeypatch.setattr(nm, "simplex_etf", lambda K, exact=False: np.eye(K))
    assert nm.etf_error(M) > 0.1
