"""Second-order tools for one run: L-BFGS polishing to a critical point, Hessian-vector products,
extreme Hessian eigenvalues (``scipy.sparse.linalg.eigsh``) and the dense Hessian for small models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.optimize
import scipy.sparse.linalg

from ncverify.engine.config import DUFMConfig
from ncverify.engine.dufm import DUFMBatch
from ncverify.models.validation import require_int, require_positive

__all__ = ["PolishResult", "flatten", "hessian_dense", "hessian_extreme_eigenvalues", "hvp",
           "polish", "unflatten"]


def flatten(params: Sequence[np.ndarray]) -> np.ndarray:
    """Concatenate 2-D parameter matrices into one float64 vector."""
    return np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in params])


def unflatten(x: np.ndarray, config: DUFMConfig) -> list[np.ndarray]:
    """Inverse of :func:`flatten` for the shapes of ``config``."""
    out, i = [], 0
    for rows, cols in config.shapes:
        out.append(x[i:i + rows * cols].reshape(rows, cols))
        i += rows * cols
    if i != x.size:
        raise ValueError(f"vector has {x.size} entries, the model has {i} parameters")
    return out


def _batch(config: DUFMConfig) -> DUFMBatch:
    if config.dtype != "float64":
        config = config.replace(dtype="float64")
    return DUFMBatch(config, runs=1)


@dataclass
class PolishResult:
    """Outcome of :func:`polish`: parameters, loss, gradient norm, iterations, success flag."""

    params: list[np.ndarray]
    loss: float
    grad_norm: float
    iterations: int
    success: bool
    message: str


def polish(config: DUFMConfig, params: Sequence[np.ndarray], gtol: float = 1e-10,
           maxiter: int = 20000) -> PolishResult:
    """Polish one run's parameters to a critical point with SciPy L-BFGS (float64).

    ``success`` means the Euclidean gradient norm reached ``gtol``.
    """
    require_positive("gtol", gtol)
    maxiter = require_int("maxiter", maxiter, minimum=1)
    batch = _batch(config)

    def fun(x):
        P = [p[None] for p in unflatten(x, config)]
        G, fit = batch.gradient(P, want_fit=True)
        return float(fit[0] + batch.penalty(P)[0]), flatten([g[0] for g in G])

    res = scipy.optimize.minimize(fun, flatten(params), jac=True, method="L-BFGS-B",
                                  options={"maxiter": maxiter, "maxcor": 50, "gtol": gtol * 1e-3,
                                           "ftol": 1e-300, "maxfun": 4 * maxiter})
    loss, g = fun(res.x)
    gn = float(np.linalg.norm(g))
    return PolishResult(unflatten(res.x, config), loss, gn, int(res.nit), gn <= gtol,
                        str(res.message))


def hvp(config: DUFMConfig, params: Sequence[np.ndarray], v: np.ndarray) -> np.ndarray:
    """Hessian-vector product of the loss at one run's parameters (flat vectors, analytic)."""
    batch = _batch(config)
    P = [p[None] for p in params]
    V = [u[None] for u in unflatten(np.asarray(v, dtype=np.float64), config)]
    return flatten([h[0] for h in batch.hvp(P, V)])


def hessian_dense(config: DUFMConfig, params: Sequence[np.ndarray], chunk: int = 64) -> np.ndarray:
    """The full Hessian (small models only), by batched HVPs with the unit vectors.

    ``chunk`` unit vectors go through one batched R-operator call (R = chunk copies of the run).
    """
    n = sum(r * c for r, c in config.shapes)
    if n > 20000:
        raise ValueError(f"the model has {n} parameters; use hessian_extreme_eigenvalues")
    cfg = config.replace(dtype="float64")
    H = np.empty((n, n))
    for start in range(0, n, chunk):
        cols = list(range(start, min(n, start + chunk)))
        batch = DUFMBatch(cfg, runs=len(cols))
        P = [np.broadcast_to(p, (len(cols), *p.shape)).copy() for p in params]
        E = np.zeros((len(cols), n))
        E[np.arange(len(cols)), cols] = 1.0
        V = [np.stack([unflatten(e, cfg)[i] for e in E]) for i in range(len(cfg.shapes))]
        HV = batch.hvp(P, V)
        H[:, start:start + len(cols)] = np.concatenate(
            [h.reshape(len(cols), -1) for h in HV], axis=1).T
    return 0.5 * (H + H.T)


def hessian_extreme_eigenvalues(config: DUFMConfig, params: Sequence[np.ndarray], k: int = 1,
                                tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """The k smallest and k largest Hessian eigenvalues via ``eigsh`` on HVPs.

    Returns ``(smallest, largest)`` sorted ascending.
    """
    n = sum(r * c for r, c in config.shapes)
    k = require_int("k", k, minimum=1)
    if n <= 2 * k + 1:
        w = np.linalg.eigvalsh(hessian_dense(config, params))
        return w[:k], w[-k:]
    op = scipy.sparse.linalg.LinearOperator((n, n), matvec=lambda v: hvp(config, params, v),
                                            dtype=np.float64)
    hi = scipy.sparse.linalg.eigsh(op, k=k, which="LA", tol=tol, return_eigenvectors=False)
    # shift so that the smallest eigenvalues become the largest in magnitude
    shift = float(np.max(hi))
    op2 = scipy.sparse.linalg.LinearOperator(
        (n, n), matvec=lambda v: hvp(config, params, v) - shift * v, dtype=np.float64)
    lo = scipy.sparse.linalg.eigsh(op2, k=k, which="LM", tol=tol, return_eigenvectors=False)
    return np.sort(lo + shift), np.sort(hi)
