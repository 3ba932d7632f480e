"""Fit losses of the deep UFM: mean cross-entropy (`gk` Eq. 2) and MSE (`sk` Eq. 1).

One implementation each, dispatching on the input: NumPy arrays (float64/float32, optional leading
batch axes, stable log-sum-exp), SymPy matrices (exact expressions) and mpmath matrices.
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
import sympy
from scipy.special import logsumexp

__all__ = ["mean_cross_entropy", "mse_fit"]


def mean_cross_entropy(Z: Any, labels: Any) -> Any:
    """Mean cross-entropy ``g(Z) = -(1/N) Σ_i log softmax(z_i)[y_i]`` (`gk` Eq. 2).

    Parameters
    ----------
    Z : logits, shape (..., K, N) NumPy array, or a SymPy / mpmath matrix of shape (K, N).
    labels : the N integer class labels (use :func:`ncverify.models.etf.class_labels`).

    Returns
    -------
    A float array of shape ``Z.shape[:-2]`` (NumPy), a SymPy expression, or an ``mpf``.

    Examples
    --------
    >>> import numpy as np
    >>> bool(np.isclose(mean_cross_entropy(np.zeros((3, 2)), [0, 1]), np.log(3)))
    True
    >>> a = sympy.Symbol("a", positive=True)
    >>> mean_cross_entropy(sympy.Matrix([[a], [0]]), [0])
    log(1 + exp(-a))

    Notes
    -----
    The NumPy branch uses ``logsumexp`` so that logits of size 1e3 neither overflow nor lose
    the small probabilities; the SymPy branch writes each term as
    ``log(1 + Σ_{c'≠c} e^{z_c'-z_c})``, the form in which the papers print their closed forms.
    """
    labels = np.asarray(labels, dtype=int)
    if isinstance(Z, sympy.MatrixBase):
        K, N = Z.shape
        _check_labels(labels, K, N)
        terms = [sympy.log(1 + sum(sympy.exp(Z[k, i] - Z[labels[i], i])
                                   for k in range(K) if k != labels[i])) for i in range(N)]
        return sympy.Add(*terms) / N
    if isinstance(Z, mpmath.matrix):
        K, N = Z.rows, Z.cols
        _check_labels(labels, K, N)
        total = mpmath.mpf(0)
        for i in range(N):
            y = int(labels[i])
            total += mpmath.log(mpmath.fsum(mpmath.exp(Z[k, i] - Z[y, i]) for k in range(K)))
        return total / N
    Z = np.asarray(Z)
    if Z.ndim < 2:
        raise ValueError(f"Z must have shape (..., K, N), got {Z.shape}")
    K, N = Z.shape[-2:]
    _check_labels(labels, K, N)
    lse = logsumexp(Z, axis=-2)  # (..., N)
    picked = np.take_along_axis(Z, labels.reshape((1,) * (Z.ndim - 2) + (1, N)), axis=-2)
    return np.mean(lse - picked[..., 0, :], axis=-1)


def mse_fit(Z: Any, Y: Any) -> Any:
    """The MSE fit term ``(1/2N) ‖Z - Y‖_F²`` of the L-DUFM (`sk` Eq. 1), N = number of columns.

    >>> import numpy as np
    >>> float(mse_fit(np.ones((2, 4)), np.zeros((2, 4))))
    1.0
    """
    if isinstance(Z, sympy.MatrixBase):
        D = Z - Y
        return sum(x**2 for x in D) / (2 * Z.cols)
    if isinstance(Z, mpmath.matrix):
        return mpmath.mnorm(Z - Y, "f") ** 2 / (2 * Z.cols)
    Z = np.asarray(Z)
    D = Z - np.asarray(Y)
    return np.sum(D * D, axis=(-2, -1)) / (2 * Z.shape[-1])


def _check_labels(labels: np.ndarray, K: int, N: int) -> None:
    if labels.shape != (N,):
        raise ValueError(f"labels must have length N={N}, got shape {labels.shape}")
    if N and (labels.min() < 0 or labels.max() >= K):
        raise ValueError(f"labels must lie in 0..{K - 1}")
