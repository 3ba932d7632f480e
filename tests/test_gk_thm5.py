"""gk Theorem 5 (dimension ratio R(d)): the closed forms of ncverify.models.dimensions, the claim's
checks, and mutation tests showing that a wrong dimension formula makes the checks fail."""

import flint
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import ncverify.models.dimensions as dims
import ncverify.papers  # noqa: F401  (registers the claims)
from ncverify.claims import Verdict, get
from ncverify.engine import DUFMConfig
from ncverify.engine.polish import hessian_dense
from ncverify.papers.gk import thm5


def _check(prefix, quick=True):
    chk = next(c for c in get("gk.thm5").checks if c.name.startswith(prefix))
    return chk.func(quick)


@pytest.fixture(scope="module")
def quick_result():
    return get("gk.thm5").run(quick=True)


# ---------------------------------------------------------------- closed forms


def test_small_dimensions_by_hand():
    assert [dims.orthogonal_group_dimension(m) for m in range(5)] == [0, 0, 1, 3, 6]
    assert dims.stiefel_dimension(1, 3) == 2  # the unit sphere S^2
    assert dims.stiefel_dimension(3, 3) == 3  # O(3)
    assert dims.grassmann_dimension(1, 3) == 2  # RP^2
    assert dims.grassmann_dimension(2, 4) == 4
    # K = 3, d = 3, L = 1: W_1 = s u F^T with F in St(2, 3), a 3-dimensional set
    assert dims.dnc_dimension(3, 3, 1) == 3


def test_symbolic_closed_form():
    d, L, m1, m2 = sympy.symbols("d L m1 m2", positive=True)
    D = dims.structured_dimension(d, (m1, m2), L)
    r = m1 + m2
    assert sympy.expand(D - L * (r * d - r * (r + 1) / 2)) == 0


@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.integers(0, 6), st.integers(1, 6))
def test_dimension_is_stiefel_for_every_pattern(pattern, extra, L):
    r = sum(pattern)
    d = r + extra
    D = dims.structured_dimension(d, pattern, L)
    assert D == L * dims.stiefel_dimension(r, d) == L * (r * d - r * (r + 1) // 2)
    assert D == dims.frame_space_dimension(d, pattern, L) - dims.isotropy_dimension(d, pattern, L)
    assert D >= L * dims.grassmann_dimension(r, d)
    assert (D == L * dims.grassmann_dimension(r, d)) == (r == 1)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 4), st.integers(0, 2), st.integers(1, 3), st.data())
def test_tangent_map_rank_matches_closed_form(K, extra, L, data):
    d = K + extra
    r = data.draw(st.integers(1, K))
    pattern = data.draw(st.sampled_from(dims.singular_value_patterns(r)))
    for stab in (False, True):
        M = dims.canonical_tangent_map(K, d, pattern, L, n=1, stabiliser=stab)
        assert flint.fmpz_mat(M.tolist()).rank() == dims.structured_dimension(d, pattern, L)


@given(st.integers(3, 40), st.data())
def test_ratio_properties(K, data):
    r = data.draw(st.integers(2, K - 1))
    d = data.draw(st.integers(K, 400))
    L = data.draw(st.integers(1, 8))
    R, R1 = dims.dimension_ratio(K, (r,), d, L), dims.dimension_ratio(K, (r,), d + 1, L)
    assert R == sympy.Rational((K - 1) * (2 * d - K), r * (2 * d - r - 1))
    if r == K - 1:
        assert R == R1 == 1
    else:
        assert 1 < R < R1 < sympy.Rational(K - 1, r)


def test_patterns_are_partitions():
    assert dims.singular_value_patterns(4) == [(4,), (3, 1), (2, 2), (2, 1, 1), (1, 1, 1, 1)]
    assert [len(dims.singular_value_patterns(r)) for r in range(1, 8)] == [1, 2, 3, 5, 7, 11, 15]


@pytest.mark.parametrize("call, match", [
    (lambda: dims.structured_dimension(3, (2, 2), 1), "rank"),
    (lambda: dims.structured_dimension(5, (2,), 0), "L"),
    (lambda: dims.structured_dimension(5, (0,), 1), "pattern"),
    (lambda: dims.structured_dimension(5, (), 1), "pattern"),
    (lambda: dims.stiefel_dimension(4, 3), "r"),
    (lambda: dims.dnc_dimension(1, 3, 1), "K"),
    (lambda: dims.canonical_tangent_map(4, 3, (2,), 1), "d"),
    (lambda: thm5.lowrank_critical_parameters(5, 1, 5, 2, 1e-3, np.random.default_rng(0)), "K"),
])
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------- numerical pieces


def test_lowrank_point_is_critical_and_orbit_is_flat():
    rng = np.random.default_rng(3)
    P, beta = thm5.lowrank_critical_parameters(4, 1, 5, 2, 1e-3, rng)
    cfg = DUFMConfig(K=4, n=1, d=5, L=2, lam=1e-3)
    assert thm5._grad_norm(cfg, P) < 1e-10 and beta > 1
    H = hessian_dense(cfg, P)
    T = thm5.orbit_tangents(P)
    assert np.linalg.norm(H @ T) < 1e-9 * np.linalg.norm(H, 2) * np.linalg.norm(T)
    info = thm5.zero_eigenvalue_count(H, 1e-9)
    assert info["zeros"] == dims.structured_dimension(5, (2,), 2) == 14


# ---------------------------------------------------------------- the claim


def test_quick_verdict_and_discrepancies(quick_result):
    r = quick_result
    assert r.verdict is Verdict.VERIFIED_WITH_CORRECTIONS, r.errors
    kinds = sorted(d.kind for d in r.discrepancies)
    assert kinds == ["false-on-part-of-domain"] * 2 + ["wrong-constant"] * 2
    texts = " ".join(d.published for d in r.discrepancies)
    assert "(K-1)^2" in texts and "starting below 1" in texts


def test_no_dnc_discrepancy_when_printed_formula_is_right(monkeypatch):
    monkeypatch.setattr(thm5, "published_dnc_dimension",
                        lambda K, d, L: L * ((K - 1) * d - K * (K - 1) / 2))
    out = _check("closed forms")
    assert out.passed
    assert not any("D_DNC(d) = L((K-1)d" in d.published for d in out.discrepancies)


def test_mutation_grassmann_count_breaks_checks(monkeypatch):
    """The paper's count (Grassmannian for equal singular values) must fail every route."""
    orig = dims.structured_dimension

    def paper(d, pattern, L):
        r = sum(pattern)
        return L * (r * d - r * r) if len(pattern) == 1 else orig(d, pattern, L)

    for name in ("exact isotropy", "Jacobian rank", "Hessian null space", "closed forms"):
        assert _check(name).passed, name
    monkeypatch.setattr(thm5, "structured_dimension", paper)
    for name in ("exact isotropy", "Jacobian rank", "Hessian null space", "closed forms"):
        assert _check(name).passed is False, name


def test_mutation_per_layer_stabiliser_breaks_isotropy(monkeypatch):
    monkeypatch.setattr(thm5, "isotropy_dimension", lambda d, p, L: L * (
        dims.orthogonal_group_dimension(d - sum(p)) + dims.stabiliser_dimension(p)))
    assert _check("exact isotropy").passed is False


def test_mutation_off_by_one_breaks_closed_forms(monkeypatch):
    orig = dims.structured_dimension
    monkeypatch.setattr(thm5, "structured_dimension", lambda d, p, L: orig(d, p, L) + 1)
    assert _check("closed forms").passed is False
    assert _check("exact isotropy").passed is False


def test_mutation_printed_ratio_breaks_ratio_check(monkeypatch):
    def printed(K, pattern, d, L):
        r = sum(pattern)
        return sympy.cancel(((K - 1) * d - (K - 1) ** 2) / (r * d - r ** 2)) \
            if isinstance(d, sympy.Basic) else sympy.Rational((K - 1) * d - (K - 1) ** 2,
                                                             r * d - r ** 2)

    assert _check("R(d)").passed
    monkeypatch.setattr(thm5, "dimension_ratio", printed)
    out = _check("R(d)")
    assert out.passed is False and out.discrepancies == []


def test_mutation_wrong_dnc_dimension_breaks_ratio_check(monkeypatch):
    orig = dims.dnc_dimension
    monkeypatch.setattr(thm5, "dnc_dimension", lambda K, d, L: orig(K, d, L) - 1)
    assert thm5._ratio_table(6, 20, 2)["consistent_with_symbolic"] is False
    assert _check("R(d)").passed is False


def test_mutation_broken_parametrisation_breaks_jacobian(monkeypatch):
    orig = thm5.lemma1_parameters

    def broken(s, Us, V0, K, d, n, L):  # every hidden frame replaced by U_0
        return orig(s, [Us[0]] * L + [Us[L]], V0, K, d, n, L)

    monkeypatch.setattr(thm5, "lemma1_parameters", broken)
    assert _check("Jacobian rank").passed is False
