"""Neural-collapse metrics (NC1–NC4 of Papyan et al. 2020; DNC1–DNC2 of `gk` §2 and `sk` Def. 1).

One small function per metric, each naming which of the competing definitions in the literature
it implements.  All computations run in float64 on NumPy arrays; every pseudo-inverse, rank and
condition number uses an explicit, documented cutoff.

Conventions (shared by every function)
--------------------------------------
* Features ``H`` have shape ``(d, N)``: one column per sample, columns in class order as in both
  papers (``Y = I_K ⊗ 1_nᵀ``), although any column order works.  An optional leading batch axis
  ``(R, d, N)`` holds R independent runs with the same labels; results then carry a leading R.
* ``labels`` is either one integer label in ``0..K-1`` per column (length N) or the K class sizes
  (length K, columns in class order); if N == K the array is read as per-sample labels.  Classes
  may be imbalanced; every class must be non-empty.
* ``M`` (shape ``(d, K)`` or ``(R, d, K)``) holds the class means ``μ_c`` as columns; the global
  mean is ``μ_G = Av_c μ_c`` (`gk` §2), the unweighted mean of the class means, so classes weigh
  equally; ``M̄ = M - μ_G 1_Kᵀ`` are the centred means (``M̄ 1_K = 0``).
* ``Σ_W = (1/N) Σ_{c,i} (h_ci - μ_c)(h_ci - μ_c)ᵀ`` (every sample weighs 1/N) and
  ``Σ_B = (1/K) Σ_c (μ_c - μ_G)(μ_c - μ_G)ᵀ = M̄ M̄ᵀ / K`` (every class weighs 1/K), as in
  Papyan et al. (2020).  For balanced classes these are the usual covariances.
* Cutoffs are relative: a singular value ``s_i`` of a matrix counts as nonzero when
  ``s_i > rtol · s_max``; the default ``DEFAULT_RTOL = 1e-10`` sits far above float64 rounding
  noise (~1e-16) and far below any genuine structure the engine studies.
* Bad input raises ``ValueError`` with the parameter's name and what was wrong, on one line.

References
----------
Papyan, Han & Donoho, *Prevalence of neural collapse during the terminal phase of deep learning
training*, PNAS 117(40):24652-24663, 2020 (NC1-NC4; Figs. 2, 3, 5, 6, 7).
Galanti, György & Hutter, *On the role of neural collapse in transfer learning*, ICLR 2022 (CDNV).
Zhu et al., *A geometric analysis of neural collapse with unconstrained features*, NeurIPS 34,
2021 (normalised Gram-matrix distance to the simplex ETF).
Metric libraries compared: rhubarbwu/neural-collapse (``measure.py``), felixsh/nc-toolbox
(``metrics.py``).
"""

from __future__ import annotations

import numpy as np

from ncverify.models.etf import simplex_etf
from ncverify.models.validation import require_int

__all__ = [
    "DEFAULT_RTOL",
    "between_class_covariance",
    "cdnv",
    "cdnv_pairwise",
    "class_means",
    "condition_number",
    "equiangularity",
    "equinorm",
    "etf_error",
    "global_mean",
    "gram_distance",
    "nc1_pinv",
    "nc1_svd",
    "nc1_trace_ratio",
    "ncc_agreement",
    "numerical_rank",
    "orthogonal_frame_error",
    "self_duality",
    "singular_values",
    "within_class_covariance",
]

DEFAULT_RTOL = 1e-10
"""Default relative cutoff: singular values ``<= DEFAULT_RTOL · s_max`` are treated as zero."""


# --------------------------------------------------------------------------- class statistics


def class_means(H, labels, K: int) -> np.ndarray:
    """Class means ``M = [μ_1, ..., μ_K]``, ``μ_c = Av_i h_ci`` (`gk` §2, `sk` §2).

    Parameters
    ----------
    H : array (d, N) or (R, d, N), features as columns.
    labels : int array (N,) of labels in 0..K-1, or (K,) of class sizes (columns in class order).
    K : int >= 2, number of classes.

    Returns
    -------
    ndarray (d, K) or (R, d, K), float64.

    Raises
    ------
    ValueError if H is not a finite real array of rank 2 or 3, K < 2, or labels are malformed
    (wrong length, out of range, an empty class).

    Examples
    --------
    >>> H = np.array([[1.0, 3.0, 10.0], [0.0, 2.0, -4.0]])
    >>> class_means(H, [0, 0, 1], 2)
    array([[ 2., 10.],
           [ 1., -4.]])
    >>> class_means(H, [2, 1], 2)          # the same, given as class sizes
    array([[ 2., 10.],
           [ 1., -4.]])
    """
    H, y, counts = _prepare(H, labels, K)
    return _class_means(H, y, counts)


def global_mean(H, labels, K: int) -> np.ndarray:
    """Global mean ``μ_G = Av_c μ_c``, the unweighted average of the K class means (`gk` §2).

    Returns an array of shape (d,) or (R, d).

    Notes
    -----
    Papyan et al. (2020) and nc-toolbox (``global_embedding_mean``) average over all samples;
    the two agree for balanced classes.  For imbalanced classes the sample average would leave
    ``M̄ 1_K ≠ 0``, so ``rank M̄`` could reach K and the top-(K-1) NC1 and the simplex-ETF
    comparison would lose their meaning; hence the class average here.

    Examples
    --------
    >>> global_mean(np.array([[1.0, 3.0, 10.0]]), [0, 0, 1], 2)   # (2 + 10) / 2, not 14 / 3
    array([6.])
    """
    return np.mean(class_means(H, labels, K), axis=-1)


def within_class_covariance(H, labels, K: int) -> np.ndarray:
    """Within-class covariance ``Σ_W = (1/N) Σ_{c,i} (h_ci - μ_c)(h_ci - μ_c)ᵀ`` (Papyan 2020).

    Returns a (d, d) or (R, d, d) array.  Every sample weighs 1/N (the ``Ave_{i,c}`` of Papyan et
    al.), so a large class contributes more; the class-weighted alternative ``Av_c Σ_c`` is not
    implemented (the two agree for balanced classes).

    Examples
    --------
    >>> within_class_covariance(np.array([[0.0, 2.0, 5.0]]), [0, 0, 1], 2)   # (1 + 1 + 0) / 3
    array([[0.66666667]])
    """
    H, y, counts = _prepare(H, labels, K)
    Rw = _residuals(H, y, _class_means(H, y, counts))
    return Rw @ np.swapaxes(Rw, -1, -2) / H.shape[-1]


def between_class_covariance(H, labels, K: int) -> np.ndarray:
    """Between-class covariance ``Σ_B = (1/K) Σ_c (μ_c - μ_G)(μ_c - μ_G)ᵀ = M̄ M̄ᵀ / K``.

    Every class weighs 1/K whatever its size (Papyan et al. 2020; ``μ_G`` as in
    :func:`global_mean`), so ``rank Σ_B <= K - 1``.  Returns a (d, d) or (R, d, d) array.

    Examples
    --------
    >>> between_class_covariance(np.array([[0.0, 2.0, 5.0]]), [0, 0, 1], 2)  # μ = 1, 5; μ_G = 3
    array([[4.]])
    """
    H, y, counts = _prepare(H, labels, K)
    Mc = _centre(_class_means(H, y, counts))
    return Mc @ np.swapaxes(Mc, -1, -2) / K


# --------------------------------------------------------------------------- NC1 / DNC1


def nc1_pinv(H, labels, K: int, rtol: float = DEFAULT_RTOL):
    """NC1 as ``tr(Σ_W Σ_B^†) / K`` with a pseudo-inverse at a stated relative cutoff.

    This is the NC1 of Papyan et al. (2020, Fig. 6), the "standard DNC1 metric" of `sk` §4, and
    what rhubarbwu/neural-collapse (``variability``) computes with ``torch.linalg.pinv``.
    ``Σ_B^†`` keeps the eigen-directions ``u_i`` of Σ_B with eigenvalue
    ``λ_i > rtol · λ_max`` and drops the rest:

    .. math:: \\mathrm{NC1} = \\frac1K \\sum_{i:\\,\\lambda_i > \\mathrm{rtol}\\,\\lambda_1}
              \\frac{u_i^\\top \\Sigma_W u_i}{\\lambda_i},
              \\qquad u_i^\\top \\Sigma_W u_i = \\tfrac1N \\|(H - M Y)^\\top u_i\\|^2 .

    Each numerator is computed as a sum of squares, so the result is never negative, and it is
    exactly 0 when every feature equals its class mean (DNC1, `gk` §2 / `sk` Def. 1).

    Parameters
    ----------
    H, labels, K : as in :func:`class_means`.
    rtol : float in [0, 1), relative cutoff on the eigenvalues of Σ_B (default 1e-10).  As Σ_B
        is ``M̄ M̄ᵀ / K``, this equals a cutoff of ``sqrt(rtol)`` (1e-5) on the singular values
        of the centred means M̄, which are computed directly (Σ_B is never formed).

    Returns
    -------
    float, or ndarray (R,) for batched H.  ``+inf`` if Σ_B = 0 but Σ_W ≠ 0 (all class means
    coincide: the pseudo-inverse would read 0 and falsely signal collapse), ``nan`` if both vanish.

    Examples
    --------
    >>> H = np.array([[1.0, 1.0, -1.0, -1.0], [0.0, 0.0, 2.0, 2.0]])
    >>> nc1_pinv(H, [2, 2], 2)                      # collapsed features
    0.0
    >>> H[0, 0] += 0.1; H[0, 1] -= 0.1
    >>> round(nc1_pinv(H, [2, 2], 2), 12)           # Σ_W = 0.005 e₁e₁ᵀ, Σ_B = vvᵀ, v = (1, -1)
    0.000625

    Notes
    -----
    Choice of ``rtol``: ``np.linalg.pinv`` defaults to a cutoff of 1e-15 on Σ_B, at the level of
    rounding noise, so a numerically zero direction of Σ_B (e.g. rank M̄ < K - 1) can be inverted
    and blow NC1 up by 1e15; ``rtol`` trades that for ignoring genuine between-class directions
    weaker than ``rtol · λ_max``.

    Possible issues: `sk` §4 prints the metric as ``tr(Σ_W)/tr(Σ_B^†)``, which scales like c⁴
    under ``H → cH`` and so cannot be the scale-free metric of its cited references; this function
    implements ``tr(Σ_W Σ_B^†)/K`` (see the Papyan et al. definition).
    """
    rtol = _require_rtol("rtol", rtol)
    Rw, U, lam = _nc1_spectrum(H, labels, K)
    keep = lam > rtol * lam[..., :1]
    value = _nc1_sum(Rw, U, lam, keep, K)
    tr_w = np.sum(Rw**2, axis=(-2, -1))
    degenerate = lam[..., 0] == 0.0
    value = np.where(degenerate, np.where(tr_w > 0.0, np.inf, np.nan), value)
    return _scalar(value)


def nc1_svd(H, labels, K: int):
    """NC1 as ``tr(Σ_W Σ_B^{-1}) / K`` with the inverse on the top-(K-1) eigen-directions of Σ_B.

    The variant of Papyan et al.'s original code (``svds(Σ_B, k=K-1)`` then inverting those K - 1
    eigenvalues): no cutoff, exactly the ``min(K-1, d)`` largest eigenvalues ``λ_i`` of Σ_B are
    inverted, ``NC1 = (1/K) Σ_{i<K} u_iᵀ Σ_W u_i / λ_i``.  It equals :func:`nc1_pinv` whenever
    ``rank Σ_B = min(K-1, d)`` with all those eigenvalues above the cutoff.

    Returns a float (or (R,) array), never negative.

    Possible issues: if ``rank Σ_B < K - 1`` (low-rank class means, e.g. the `sk` SRG solution or
    the `gk` low-rank critical points) a noise- or rounding-level eigenvalue is inverted, and the
    result is the ratio of two noise-level quantities: O(1) or huge even for features collapsed
    to 1e-8 (``+inf`` for an exactly zero eigenvalue, ``nan`` if Σ_W also vanishes along it).
    Use :func:`nc1_pinv` for such features.

    Examples
    --------
    >>> H = np.array([[1.1, 0.9, -1.0, -1.0], [0.0, 0.0, 2.0, 2.0]])
    >>> round(nc1_svd(H, [2, 2], 2), 12)
    0.000625
    """
    Rw, U, lam = _nc1_spectrum(H, labels, K)
    keep = np.zeros(lam.shape, dtype=bool)
    keep[..., : K - 1] = True
    return _scalar(_nc1_sum(Rw, U, lam, keep, K))


def nc1_trace_ratio(H, labels, K: int):
    """NC1 as the trace ratio ``tr Σ_W / tr Σ_B`` (no inverse, no cutoff).

    The within-to-between variance ratio: cheap and well conditioned, but it weighs all
    between-class directions together, so a small class separation along one direction is not
    penalised as in ``tr(Σ_W Σ_B^†)``.  Zero exactly under DNC1.  ``+inf`` if Σ_B = 0 ≠ Σ_W,
    ``nan`` if both vanish.  Returns a float (or (R,) array).

    Examples
    --------
    >>> nc1_trace_ratio(np.array([[0.0, 2.0, 5.0]]), [0, 0, 1], 2)   # (2/3) / 4
    0.16666666666666666
    """
    H, y, counts = _prepare(H, labels, K)
    M = _class_means(H, y, counts)
    tr_w = np.sum(_residuals(H, y, M) ** 2, axis=(-2, -1)) / H.shape[-1]
    tr_b = np.sum(_centre(M) ** 2, axis=(-2, -1)) / K
    with np.errstate(divide="ignore", invalid="ignore"):
        return _scalar(tr_w / tr_b)


def cdnv(H, labels, K: int):
    """Class-distance normalised variance (Galanti, György & Hutter 2022), averaged over pairs.

    ``CDNV = Av_{c<c'} (σ²_c + σ²_{c'}) / (2 ‖μ_c - μ_{c'}‖²)`` with the per-class variance
    ``σ²_c = Av_i ‖h_ci - μ_c‖²`` (each class averaged over its own samples).  Zero under DNC1;
    invariant under rotation, scaling and translation of the features and under relabelling the
    classes.  ``+inf`` if two class means coincide.

    Notes
    -----
    nc-toolbox's ``nc1_cdnv`` returns the coefficient of variation of the pairwise values
    instead of their mean; Galanti et al. report the mean, as here.

    Examples
    --------
    >>> cdnv(np.array([[0.0, 2.0, 5.0]]), [0, 0, 1], 2)      # (1 + 0) / (2 · 4²)
    0.03125
    """
    iu = np.triu_indices(K, k=1)
    return _scalar(np.mean(cdnv_pairwise(H, labels, K)[..., iu[0], iu[1]], axis=-1))


def cdnv_pairwise(H, labels, K: int) -> np.ndarray:
    """The K × K matrix of pairwise CDNVs ``(σ²_c + σ²_{c'}) / (2 ‖μ_c - μ_{c'}‖²)``.

    Symmetric, with zeros on the diagonal (by convention; the ratio is undefined there).  Returns
    (K, K) or (R, K, K).  See :func:`cdnv`.
    """
    H, y, counts = _prepare(H, labels, K)
    M = _class_means(H, y, counts)
    sq = np.sum(_residuals(H, y, M) ** 2, axis=-2)                  # (..., N)
    var = _class_sums(sq[..., None, :], y, counts)[..., 0, :] / counts
    diff = M[..., :, :, None] - M[..., :, None, :]                 # (..., d, K, K)
    dist2 = np.sum(diff**2, axis=-3)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (var[..., :, None] + var[..., None, :]) / (2.0 * dist2)
    diag = np.arange(K)
    out[..., diag, diag] = 0.0
    return out


# --------------------------------------------------------------------------- NC2 / DNC2


def equinorm(M):
    """Equinorm: ``Std_c ‖μ_c - μ_G‖ / Av_c ‖μ_c - μ_G‖`` (Papyan et al. 2020, Fig. 2).

    The coefficient of variation (population std, ddof 0) of the centred class-mean norms; 0 iff
    all centred means have the same length.  ``M`` is (d, K) or (R, d, K); ``nan`` if all
    centred means vanish.  nc-toolbox instead uses the log-norm differences (Wu & Papyan 2024).

    Examples
    --------
    >>> equinorm(np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 3.0]]))   # centred norms √2, √2, 2
    0.1715728752538099
    """
    Mc = _centre(_means_matrix(M, "M"))
    norms = np.linalg.norm(Mc, axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _scalar(np.std(norms, axis=-1) / np.mean(norms, axis=-1))


def equiangularity(M):
    """Equiangularity: ``Std_{c<c'} cos∠(μ_c - μ_G, μ_{c'} - μ_G)`` (Papyan et al. 2020, Fig. 3).

    The population standard deviation of the ``K(K-1)/2`` pairwise cosines of the centred class
    means; 0 iff all pairs meet at one angle (for a simplex ETF the cosine is ``-1/(K-1)``).
    Always 0 for K = 2.  ``nan`` if a centred mean vanishes.  Not the "max-angle" variant
    ``Av |cos + 1/(K-1)|`` of the same paper.

    Examples
    --------
    >>> equiangularity(np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 3.0]]))   # cosines 0, -a, -a
    0.3333333333333333
    """
    Mc = _centre(_means_matrix(M, "M"))
    K = Mc.shape[-1]
    G = np.swapaxes(Mc, -1, -2) @ Mc
    norms = np.sqrt(np.diagonal(G, axis1=-2, axis2=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        cos = G / (norms[..., :, None] * norms[..., None, :])
    iu = np.triu_indices(K, k=1)
    return _scalar(np.std(cos[..., iu[0], iu[1]], axis=-1))


def gram_distance(M, target):
    """Distance of the normalised Gram matrix to a normalised target: ``‖G/‖G‖_F - T/‖T‖_F‖_F``.

    ``G = Mᵀ M`` for M of shape (d, K) or (R, d, K) (no centring here); ``target`` is (K, K) or
    (R, K, K).  The value lies in [0, 2] and is 0 iff ``G ∝ T`` with a positive factor; it is
    invariant under scaling and rotating M.  ``nan`` if ``G = 0``.

    Raises ValueError if target is not a finite nonzero K × K array.

    Examples
    --------
    >>> gram_distance(np.eye(3) * 2.0, np.eye(3))
    0.0
    """
    M = _means_matrix(M, "M")
    K = M.shape[-1]
    T = np.asarray(target)
    if T.dtype.kind not in "iuf" or T.ndim not in (2, 3) or T.shape[-2:] != (K, K):
        raise ValueError(f"target must be a real ({K}, {K}) array (or batched), got shape "
                         f"{T.shape} and dtype {T.dtype}")
    T = T.astype(np.float64)
    if not np.all(np.isfinite(T)):
        raise ValueError("target must be finite, got a non-finite entry")
    t_norm = np.linalg.norm(T, axis=(-2, -1))
    if np.any(t_norm == 0.0):
        raise ValueError("target must be nonzero, got a zero matrix")
    G = np.swapaxes(M, -1, -2) @ M
    g_norm = np.linalg.norm(G, axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = G / g_norm[..., None, None] - T / t_norm[..., None, None]
    return _scalar(np.linalg.norm(diff, axis=(-2, -1)))


def etf_error(M):
    """Distance of the centred class means to a simplex ETF: ``‖G/‖G‖_F - S/‖S‖_F‖_F``.

    ``G = M̄ᵀ M̄`` with the centred means M̄, ``S = I_K - (1/K) 1 1ᵀ`` (so ``‖S‖_F = sqrt(K-1)``).
    This is the NC2 metric of Zhu et al. (2021) and rhubarbwu's ``simplex_etf_error``, and the
    `gk` DNC2 notion (`gk` §2: ``M̄ᵀ M̄ ∝ S``).  ``M`` is (d, K) or (R, d, K); the value lies in
    [0, 2] and is 0 iff `gk`'s DNC2 holds.

    Examples
    --------
    >>> etf_error(np.array([[1.0, -1.0], [5.0, 5.0]]))          # any two distinct means
    0.0
    """
    M = _means_matrix(M, "M")
    return gram_distance(_centre(M), simplex_etf(M.shape[-1], exact=False))


def orthogonal_frame_error(M):
    """Distance of the (uncentred) class means to an orthogonal frame: ``‖G/‖G‖_F - I/√K‖_F``.

    ``G = Mᵀ M`` without centring: the `sk` DNC2 notion ``M_lᵀ M_l ∝ I_K`` (`sk` Def. 1), natural
    after a ReLU where the means are non-negative.  ``M`` is (d, K) or (R, d, K).

    Examples
    --------
    >>> round(orthogonal_frame_error(np.array([[3.0, 0.0], [0.0, 3.0], [0.0, 0.0]])), 12)
    0.0
    """
    M = _means_matrix(M, "M")
    return gram_distance(M, np.eye(M.shape[-1]))


# --------------------------------------------------------------------------- NC3, NC4


def self_duality(W, M):
    """NC3 self-duality: ``‖Wᵀ/‖W‖_F - M̄/‖M̄‖_F‖_F`` (Papyan et al. 2020, Fig. 5).

    ``W`` has shape (K, d) (it maps features to logits, ``z = W h``) and ``M`` shape (d, K), or
    both with a leading R.  M̄ are the centred class means; W is not centred.  0 iff the
    classifier rows are a positive multiple of the centred class means; in [0, 2].  nc-toolbox's
    ``nc3_self_duality`` is the same quantity; rhubarbwu's ``alignment_error`` compares
    ``W M̄`` with the simplex ETF instead.

    Examples
    --------
    >>> M = np.array([[1.0, -1.0], [2.0, 2.0]])
    >>> round(self_duality(np.array([[3.0, 0.0], [-3.0, 0.0]]), M), 12)
    0.0
    """
    M = _means_matrix(M, "M")
    W = _array(W, "W", (2, 3))
    d, K = M.shape[-2:]
    if W.shape[-2:] != (K, d):
        raise ValueError(f"W must have shape ({K}, {d}) to match M, got {W.shape}")
    Wt = np.swapaxes(W, -1, -2)
    Mc = _centre(M)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = (Wt / np.linalg.norm(Wt, axis=(-2, -1))[..., None, None]
                - Mc / np.linalg.norm(Mc, axis=(-2, -1))[..., None, None])
    return _scalar(np.linalg.norm(diff, axis=(-2, -1)))


def ncc_agreement(H, W, labels, K: int):
    """NC4: fraction of samples where ``argmax_c (W h)_c`` equals ``argmin_c ‖h - μ_c‖``.

    Agreement of the linear classifier (no bias, as in the UFM) with the nearest-class-centre
    rule on the class means of ``H`` itself (Papyan et al. 2020, Fig. 7).  ``H`` is (d, N) or
    (R, d, N); ``W`` is (K, d) or (R, K, d).  Ties go to the smaller class index in both rules.

    Notes
    -----
    Distances are compared as ``‖μ_c‖² - 2 μ_cᵀ h`` (the ‖h‖² term is common), so two centres
    within rounding distance of being equidistant may be resolved either way.  nc-toolbox's
    ``nc4_classifier_agreement`` takes the argmin of the logits, not the argmax.

    Examples
    --------
    >>> H = np.array([[1.0, 2.0, -1.0, -3.0]])
    >>> ncc_agreement(H, np.array([[1.0], [-1.0]]), [2, 2], 2)
    1.0
    >>> ncc_agreement(H, np.array([[-1.0], [1.0]]), [2, 2], 2)
    0.0
    """
    H, y, counts = _prepare(H, labels, K)
    W = _array(W, "W", (2, 3))
    d = H.shape[-2]
    if W.shape[-2:] != (K, d):
        raise ValueError(f"W must have shape ({K}, {d}) to match H, got {W.shape}")
    M = _class_means(H, y, counts)
    linear = np.argmax(W @ H, axis=-2)
    score = np.sum(M**2, axis=-2)[..., :, None] - 2.0 * (np.swapaxes(M, -1, -2) @ H)
    ncc = np.argmin(score, axis=-2)
    return _scalar(np.mean(linear == ncc, axis=-1))


# --------------------------------------------------------------------------- spectra


def singular_values(A) -> np.ndarray:
    """Singular values of ``A`` (shape (m, n) or (R, m, n)), descending, float64.

    >>> singular_values(np.diag([1.0, 3.0]))
    array([3., 1.])
    """
    return np.linalg.svd(_array(A, "A", (2, 3)), compute_uv=False)


def numerical_rank(A, rtol: float | None = None, atol: float | None = None):
    """Number of singular values ``s_i > max(atol, rtol · s_max)``.

    Default tolerance (both None): ``rtol = max(m, n) · eps`` with eps = 2.2e-16, NumPy's
    ``matrix_rank`` rule, i.e. the rank up to float64 rounding.  Give ``atol`` alone for an
    absolute cutoff (then ``rtol = 0``), e.g. ``atol=1e-6`` for `gk` §5's "number of singular
    values above 10⁻⁶", or a large ``rtol`` such as 1e-3 for an "effective rank".

    Returns an int, or an int array (R,) for batched A.

    Examples
    --------
    >>> A = np.diag([1.0, 1e-4, 1e-20])
    >>> numerical_rank(A), numerical_rank(A, rtol=1e-3), numerical_rank(A, atol=1e-6)
    (2, 1, 2)
    """
    A = _array(A, "A", (2, 3))
    if rtol is None:
        rtol = 0.0 if atol is not None else max(A.shape[-2:]) * np.finfo(np.float64).eps
    rtol = _require_rtol("rtol", rtol)
    atol = 0.0 if atol is None else _require_nonneg("atol", atol)
    s = np.linalg.svd(A, compute_uv=False)
    tol = np.maximum(atol, rtol * s[..., :1])
    rank = np.sum(s > tol, axis=-1)
    return int(rank) if rank.ndim == 0 else rank


def condition_number(M, rtol: float = DEFAULT_RTOL, centred: bool = False):
    """Condition number ``s_max / s_min`` over the nonzero singular values of the class means.

    A singular value counts as nonzero when ``s_i > rtol · s_max``.  With ``centred=False`` this
    is the `sk` §4 DNC2 metric (condition number of ``M_l``; 1 for an orthogonal frame); with
    ``centred=True`` it is taken of M̄ (1 for a simplex ETF, whose zero singular value along
    ``1_K`` is excluded by the cutoff).  ``M`` is (d, K) or (R, d, K); ``nan`` if ``M = 0``.

    Examples
    --------
    >>> condition_number(np.array([[2.0, 0.0], [0.0, 0.5]]))
    4.0
    >>> condition_number(np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 1.0]]), centred=True)  # √2/√(2/3)
    1.7320508075688774
    """
    rtol = _require_rtol("rtol", rtol)
    M = _means_matrix(M, "M")
    s = np.linalg.svd(_centre(M) if centred else M, compute_uv=False)
    s_max = s[..., 0]
    kept = np.where(s > rtol * s[..., :1], s, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = s_max / np.min(kept, axis=-1)
    return _scalar(np.where(s_max > 0.0, value, np.nan))


# --------------------------------------------------------------------------- private kernels


def _class_sums(X: np.ndarray, y: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per-class sums over the last axis: (..., p, N) -> (..., p, K)."""
    if np.any(y[1:] < y[:-1]):
        X = X[..., np.argsort(y, kind="stable")]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return np.add.reduceat(X, starts, axis=-1)


def _class_means(H: np.ndarray, y: np.ndarray, counts: np.ndarray) -> np.ndarray:
    return _class_sums(H, y, counts) / counts


def _centre(M: np.ndarray) -> np.ndarray:
    """``M̄ = M - μ_G 1ᵀ`` with ``μ_G`` the unweighted mean of the columns."""
    return M - np.mean(M, axis=-1, keepdims=True)


def _residuals(H: np.ndarray, y: np.ndarray, M: np.ndarray) -> np.ndarray:
    """``H - M Y``: each feature minus its class mean."""
    return H - M[..., y]


def _nc1_spectrum(H, labels, K):
    """Within-class residuals and the eigenpairs ``(U, λ)`` of Σ_B from the SVD of M̄."""
    H, y, counts = _prepare(H, labels, K)
    M = _class_means(H, y, counts)
    U, s, _ = np.linalg.svd(_centre(M), full_matrices=False)
    return _residuals(H, y, M), U, s**2 / K


def _nc1_sum(Rw, U, lam, keep, K):
    """``(1/K) Σ_{kept i} ‖Rwᵀ u_i‖² / (N λ_i)``: every term a non-negative sum of squares."""
    w = np.sum((np.swapaxes(U, -1, -2) @ Rw) ** 2, axis=-1) / Rw.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = w / np.where(keep, lam, 1.0)
    return np.sum(np.where(keep, terms, 0.0), axis=-1) / K


# --------------------------------------------------------------------------- validation


def _scalar(x):
    x = np.asarray(x)
    return float(x) if x.ndim == 0 else x


def _array(A, name: str, ndims: tuple[int, ...]) -> np.ndarray:
    A = np.asarray(A)
    if A.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be a real numeric array, got dtype {A.dtype}")
    if A.ndim not in ndims:
        shapes = " or ".join(f"{k}-D" for k in ndims)
        raise ValueError(f"{name} must be a {shapes} array, got shape {A.shape}")
    if A.size == 0:
        raise ValueError(f"{name} must be non-empty, got shape {A.shape}")
    A = A.astype(np.float64, copy=False)
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} must be finite, got {int(np.sum(~np.isfinite(A)))} "
                         "non-finite entries")
    return A


def _means_matrix(M, name: str) -> np.ndarray:
    M = _array(M, name, (2, 3))
    if M.shape[-1] < 2:
        raise ValueError(f"{name} must have K >= 2 class-mean columns, got shape {M.shape}")
    return M


def _prepare(H, labels, K):
    """Validate ``(H, labels, K)``; return float64 H, per-sample labels and class sizes."""
    K = require_int("K", K, minimum=2)
    H = _array(H, "H", (2, 3))
    y, counts = _labels(labels, K, H.shape[-1])
    return H, y, counts


def _labels(labels, K: int, N: int) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"labels must be a 1-D integer array, got shape {y.shape} and dtype "
                         f"{y.dtype}")
    if len(y) == N:
        if y.min() < 0 or y.max() >= K:
            raise ValueError(f"labels must lie in 0..{K - 1}, got values in "
                             f"[{y.min()}, {y.max()}]")
        counts = np.bincount(y, minlength=K)
        if np.any(counts == 0):
            empty = np.flatnonzero(counts == 0).tolist()
            raise ValueError(f"labels leave classes {empty} empty; every class needs a sample")
        return y.astype(np.intp), counts
    if len(y) == K:
        if np.any(y < 1) or int(y.sum()) != N:
            raise ValueError(f"labels read as K={K} class sizes must be >= 1 and sum to "
                             f"N={N} (columns of H), got {y.tolist()}")
        return np.repeat(np.arange(K), y), y.astype(np.int64)
    raise ValueError(f"labels must have length N={N} (one per column of H) or K={K} "
                     f"(class sizes), got length {len(y)}")


def _require_rtol(name: str, value) -> float:
    x = _require_nonneg(name, value)
    if not x < 1.0:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return x


def _require_nonneg(name: str, value) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}") from None
    if isinstance(value, bool) or not np.isfinite(x) or x < 0.0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return x
