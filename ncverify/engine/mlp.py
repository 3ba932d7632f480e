"""Batched fully connected networks on fixed data (`zg` §2, Eq. 1): GD, mini-batch SGD, polishing.

The network of `zg` Eq. (1) with the engine's column convention: data ``X ∈ R^{d_0×N}`` (one
sample per column, not trained),

    H_1 = X,   P_l = W_l H_l,   H_{l+1} = σ(P_l)   (l = 1..L-1),   Z = W_L H_L,

``W_l ∈ R^{d_l×d_{l-1}}``, activation σ ∈ {identity, tanh, relu} between layers and none on the
output.  Fit losses over a batch B of n columns: ``"mse"`` ``(1/2n)‖Z_B - T_B‖_F²`` with given
targets T (one-hot labels, or T = X for autoencoding) and ``"ce"`` the mean cross-entropy of
integer labels; weight decay ``(λ/2) Σ_l ‖W_l‖_F²`` on every layer (`zg` Eq. 3 up to the 1/N
normalisation of the fit, which only rescales λ).

R independent runs advance together exactly as in :class:`ncverify.engine.dufm.DUFMBatch`: every
weight is an ``(R, rows, cols)`` array and each layer is one batched ``np.matmul``; run r has
its own generator (``default_rng(seed_r)`` for the initialisation, ``default_rng([seed_r, 1])``
for its mini-batches), so its trajectory depends only on its own seed.

Backward pass (hand-derived; checked against finite differences in ``tests/test_mlp.py``), with
``G_Z = ∂fit/∂Z`` (MSE: ``(Z - T)/n``; CE: ``(softmax(Z) - Y)/n``):

    ∇W_L = G_Z H_Lᵀ,  B = W_Lᵀ G_Z;  for l = L-1..1:  B ← B ⊙ σ'(P_l),  ∇W_l = B H_lᵀ,
    B ← W_lᵀ B;   and every ∇W_l gets + λ W_l.

Optional (all off by default): per-hidden-layer activations (``activations``), per-layer
multipliers of λ (``layer_decay``), and a feature penalty ``(λ_H/2n)‖H_f‖²`` on the input of
one layer (``feature_decay``, ``feature_layer``), whose gradient ``(λ_H/n) H_f`` joins the
backward signal where it reaches H_f — the unconstrained-features penalty on a backbone's
output (`gk` Eq. 1, `sk` Eq. 1), used by ``ncverify reproduce realdata-gk`` / ``realdata-sk``.

Every gradient is therefore ``∇W_l = B_l H_lᵀ = Σ_{i∈B} b_{l,i} h_{l,i}ᵀ``, a sum of n outer
products (`zg` Proposition 3.1); :meth:`MLPBatch.backprop_factors` returns the factors.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.optimize
from scipy.special import logsumexp

from ncverify.engine.polish import PolishResult, flatten, unflatten
from ncverify.models.validation import require_int, require_positive

__all__ = ["MLPBatch", "MLPConfig", "MLPTrainResult", "polish_mlp", "prepare_data",
           "stationary_points", "train_mlp"]

_ACTIVATIONS = ("identity", "tanh", "relu")
_LOSSES = ("mse", "ce")
_DTYPES = ("float64", "float32")


@dataclass(frozen=True)
class MLPConfig:
    """A fully connected network and its training hyperparameters (`zg` Eqs. 1 and 3).

    Parameters
    ----------
    dims : ``(d_0, d_1, ..., d_L)``: input dimension, hidden widths, output dimension; the
        network has L = ``len(dims) - 1`` weight matrices ``W_l ∈ R^{d_l×d_{l-1}}``.
    activation : ``"identity"``, ``"tanh"`` or ``"relu"`` (between layers, not on the output).
    loss : ``"mse"`` ``(1/2n)‖Z - T‖²`` or ``"ce"`` mean cross-entropy (needs d_L >= 2).
    lam : weight decay λ >= 0 of the penalty ``(λ/2)Σ_l‖W_l‖²`` (0: unregularised).
    lr : step size.  dtype : ``"float64"`` (default) or ``"float32"``.
    init_gain : weights are drawn with standard deviation ``init_gain / sqrt(d_{l-1})``.
    activations : optional per-hidden-layer activations (L - 1 names) overriding ``activation``
        (e.g. a ReLU backbone under a linear head).
    layer_decay : optional per-layer multipliers m_l of λ: penalty ``(λ/2)Σ_l m_l‖W_l‖²``
        (e.g. 0 on a backbone, 1 on a head); default all 1.
    feature_decay, feature_layer : a penalty ``(λ_H/2n)‖H_f‖²`` on the input H_f of layer
        f = ``feature_layer`` (2..L) over the n columns of the batch (the analogue of the
        unconstrained-features penalty of `gk` Eq. 1 / `sk` Eq. 1 on a backbone's output,
        normalised per sample); off when ``feature_decay`` is 0.
    """

    dims: tuple[int, ...]
    activation: str = "tanh"
    loss: str = "mse"
    lam: float = 1e-3
    lr: float = 0.1
    dtype: str = "float64"
    init_gain: float = 1.0
    activations: tuple[str, ...] | None = None
    layer_decay: tuple[float, ...] | None = None
    feature_decay: float = 0.0
    feature_layer: int | None = None
    name: str = field(default="custom", compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.dims, (str, bytes)) or not hasattr(self.dims, "__len__"):
            raise ValueError(f"dims must be a sequence of layer widths, got {self.dims!r}")
        if len(self.dims) < 2:
            raise ValueError(f"dims must hold at least (d_0, d_1), got {tuple(self.dims)}")
        object.__setattr__(self, "dims", tuple(require_int(f"dims[{i}]", v, minimum=1)
                                               for i, v in enumerate(self.dims)))
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {_ACTIVATIONS}, got {self.activation!r}")
        if self.loss not in _LOSSES:
            raise ValueError(f"loss must be one of {_LOSSES}, got {self.loss!r}")
        if self.loss == "ce" and self.dims[-1] < 2:
            raise ValueError(f"dims[-1] (number of classes) must be >= 2 for loss 'ce', "
                             f"got {self.dims[-1]}")
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {_DTYPES}, got {self.dtype!r}")
        if (isinstance(self.lam, bool) or not isinstance(self.lam, numbers.Real)
                or not np.isfinite(self.lam) or self.lam < 0):
            raise ValueError(f"lam must be a finite real number >= 0, got {self.lam!r}")
        require_positive("lr", self.lr)
        require_positive("init_gain", self.init_gain)
        self._check_layer_options()

    def _check_layer_options(self) -> None:
        L = len(self.dims) - 1
        if self.activations is not None:
            acts = tuple(self.activations) if not isinstance(self.activations, str) else ()
            if len(acts) != L - 1 or any(a not in _ACTIVATIONS for a in acts):
                raise ValueError(f"activations must hold L - 1 = {L - 1} names from "
                                 f"{_ACTIVATIONS}, got {self.activations!r}")
            object.__setattr__(self, "activations", acts)
        if self.layer_decay is not None:
            ms = tuple(self.layer_decay) if not isinstance(self.layer_decay, str) else ()
            if len(ms) != L or any(isinstance(m, bool) or not isinstance(m, numbers.Real)
                                   or not np.isfinite(m) or m < 0 for m in ms):
                raise ValueError(f"layer_decay must hold L = {L} finite numbers >= 0, "
                                 f"got {self.layer_decay!r}")
            object.__setattr__(self, "layer_decay", tuple(float(m) for m in ms))
        fd = self.feature_decay
        if (isinstance(fd, bool) or not isinstance(fd, numbers.Real) or not np.isfinite(fd)
                or fd < 0):
            raise ValueError(f"feature_decay must be a finite real number >= 0, got {fd!r}")
        if self.feature_layer is not None:
            require_int("feature_layer", self.feature_layer, minimum=2)
            if self.feature_layer > L:
                raise ValueError(f"feature_layer must lie in 2..L = {L} (H_1 = X is fixed), "
                                 f"got {self.feature_layer}")
        elif fd > 0:
            raise ValueError("feature_decay > 0 needs feature_layer (the layer whose input "
                             "is penalised)")

    @property
    def hidden_activations(self) -> tuple[str, ...]:
        """The activation after each of W_1..W_{L-1}."""
        return self.activations or (self.activation,) * (len(self.dims) - 2)

    @property
    def L(self) -> int:
        """Number of weight matrices."""
        return len(self.dims) - 1

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """Shapes of ``[W_1, ..., W_L]`` (so :func:`ncverify.engine.polish.unflatten` works)."""
        return [(self.dims[l + 1], self.dims[l]) for l in range(self.L)]

    @property
    def n_params(self) -> int:
        return sum(r * c for r, c in self.shapes)

    @property
    def np_dtype(self) -> np.dtype:
        return np.dtype(self.dtype)

    def replace(self, **changes: Any) -> MLPConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["dims"] = list(self.dims)
        return d


# ------------------------------------------------------------------------------------ data


def prepare_data(config: MLPConfig, X: Any, targets: Any
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Validate and convert the data: returns ``(X, T, labels)`` in the config's dtype.

    ``X`` has shape (d_0, N) and finite entries.  For ``"ce"``, ``targets`` are N integer labels
    in ``0..d_L-1`` and every class must occur; ``T`` is their one-hot matrix.  For ``"mse"``,
    ``targets`` is a finite (d_L, N) matrix (``labels`` is then None), or N integer labels that
    are one-hot encoded (same checks as for CE).
    """
    dt = config.np_dtype
    try:
        Xa = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("X must be a numeric array of shape (d_0, N)") from None
    if Xa.ndim != 2 or Xa.shape[0] != config.dims[0] or Xa.shape[1] < 1:
        raise ValueError(f"X must have shape (d_0, N) = ({config.dims[0]}, N >= 1), "
                         f"got {Xa.shape}")
    if not np.all(np.isfinite(Xa)):
        raise ValueError("X contains NaN or inf entries")
    N = Xa.shape[1]
    K = config.dims[-1]
    t = np.asarray(targets)
    if t.ndim == 1 or config.loss == "ce":
        if t.ndim != 1:
            raise ValueError(f"targets for loss 'ce' must be N integer labels, got shape {t.shape}")
        if t.shape[0] != N:
            raise ValueError(f"targets must hold N = {N} labels (one per column of X), "
                             f"got {t.shape[0]}")
        if t.dtype.kind == "f" and np.all(np.isfinite(t)) and np.all(t == np.round(t)):
            t = t.astype(int)
        if t.dtype.kind not in "iu":
            raise ValueError("targets (labels) must be integers")
        if N and (t.min() < 0 or t.max() >= K):
            raise ValueError(f"targets (labels) must lie in 0..{K - 1} (d_L = {K} classes), "
                             f"got range {t.min()}..{t.max()}")
        counts = np.bincount(t, minlength=K)
        if np.any(counts == 0):
            raise ValueError(f"empty class: label(s) {np.flatnonzero(counts == 0).tolist()} "
                             f"of 0..{K - 1} have no samples")
        labels = t.astype(np.intp)
        T = np.eye(K, dtype=dt)[:, labels]
        return Xa.astype(dt), T, labels
    try:
        Ta = np.asarray(t, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("targets must be a numeric (d_L, N) matrix or N labels") from None
    if Ta.shape != (K, N):
        raise ValueError(f"targets must have shape (d_L, N) = ({K}, {N}), got {Ta.shape}")
    if not np.all(np.isfinite(Ta)):
        raise ValueError("targets contain NaN or inf entries")
    return Xa.astype(dt), Ta.astype(dt), None


# ------------------------------------------------------------------------------------ batch


class MLPBatch:
    """R runs of one network shape on the same data, with per-run weight decay and step size.

    Parameters
    ----------
    configs : one :class:`MLPConfig` per run (or one for all ``runs``); all must share dims,
        activation, loss and dtype (λ and lr may differ).
    X, targets : the data, see :func:`prepare_data`.
    """

    def __init__(self, configs: MLPConfig | Sequence[MLPConfig], X: Any, targets: Any,
                 runs: int | None = None):
        if isinstance(configs, MLPConfig):
            configs = [configs] * (runs or 1)
        configs = list(configs)
        if not configs:
            raise ValueError("configs must hold at least one run")
        c0 = configs[0]
        for c in configs[1:]:
            if (c.dims, c.activation, c.loss, c.dtype) != (c0.dims, c0.activation, c0.loss,
                                                           c0.dtype):
                raise ValueError("all runs of a batch must share dims, activation, loss and "
                                 "dtype (group different shapes into separate batches)")
            if _layer_options(c) != _layer_options(c0):
                raise ValueError("all runs of a batch must share activations, layer_decay, "
                                 "feature_decay and feature_layer")
        self.configs, self.cfg, self.R = configs, c0, len(configs)
        self.dtype = c0.np_dtype
        self.X, self.T, self.labels = prepare_data(c0, X, targets)
        self.N = self.X.shape[1]
        self.shapes = c0.shapes
        lam = np.array([c.lam for c in configs], dtype=self.dtype)
        lr = np.array([c.lr for c in configs], dtype=self.dtype)
        same = bool(np.all(lam == lam[0]) and np.all(lr == lr[0]))
        self.lam = float(lam[0]) if same else lam.reshape(-1, 1, 1)
        self.lr = float(lr[0]) if same else lr.reshape(-1, 1, 1)
        self._acts = c0.hidden_activations
        self._decay = c0.layer_decay or (1.0,) * c0.L   # per-layer multipliers of λ
        # 0-based index of the penalised layer input in [H_1..H_L] (None: no feature penalty)
        self._feat = c0.feature_layer - 1 if c0.feature_decay > 0 else None

    # -- parameters ---------------------------------------------------------------------------
    def init_params(self, seeds: Sequence[int] | int = 0) -> list[np.ndarray]:
        """Gaussian weights ``N(0, init_gain²/d_{l-1})``, one generator per run."""
        if isinstance(seeds, (int, np.integer)):
            seeds = [int(seeds) + r for r in range(self.R)]
        if len(seeds) != self.R:
            raise ValueError(f"need {self.R} seeds, got {len(seeds)}")
        W = [np.empty((self.R, *s), self.dtype) for s in self.shapes]
        for r, (seed, c) in enumerate(zip(seeds, self.configs, strict=True)):
            rng = np.random.default_rng(seed)
            for i, (rows, cols) in enumerate(self.shapes):
                W[i][r] = (c.init_gain / np.sqrt(cols)) * rng.standard_normal((rows, cols))
        return W

    def as_params(self, params: Sequence[Any]) -> list[np.ndarray]:
        """Validated (R, rows, cols) copies of user-given weights (2-D arrays are broadcast)."""
        if len(params) != len(self.shapes):
            raise ValueError(f"params must hold L = {len(self.shapes)} weight matrices, "
                             f"got {len(params)}")
        out = []
        for i, (p, s) in enumerate(zip(params, self.shapes, strict=True)):
            a = np.asarray(p, dtype=self.dtype)
            if a.shape == s:
                a = np.broadcast_to(a, (self.R, *s))
            if a.shape != (self.R, *s):
                raise ValueError(f"params[{i}] must have shape {s} or {(self.R, *s)}, "
                                 f"got {a.shape}")
            if not np.all(np.isfinite(a)):
                raise ValueError(f"params[{i}] contains NaN or inf entries")
            out.append(np.array(a, copy=True))
        return out

    # -- data of a batch ------------------------------------------------------------------------
    def _data(self, idx: np.ndarray | None):
        """(H_1, T, labels) of the full data (shared, no run axis) or of per-run batches."""
        if idx is None:
            return self.X, self.T, self.labels
        idx = np.asarray(idx)
        if idx.ndim != 2 or idx.shape[0] != self.R:
            raise ValueError(f"idx must have shape (R, b) = ({self.R}, b), got {idx.shape}")
        Xb = np.moveaxis(self.X[:, idx], 0, 1)  # (R, d_0, b)
        Tb = np.moveaxis(self.T[:, idx], 0, 1)
        lb = None if self.labels is None else self.labels[idx]
        return Xb, Tb, lb

    # -- forward / backward -------------------------------------------------------------------
    def _act(self, P: np.ndarray, l: int = 0) -> np.ndarray:
        a = self._acts[l]
        if a == "identity":
            return P
        if a == "tanh":
            return np.tanh(P)
        return np.maximum(P, 0.0)

    def _act_grad(self, P: np.ndarray, H: np.ndarray, l: int = 0) -> np.ndarray | None:
        """σ'(P) given P and H = σ(P) (after W_{l+1}); None for the identity."""
        a = self._acts[l]
        if a == "identity":
            return None
        if a == "tanh":
            return 1.0 - H * H
        return (P > 0).astype(self.dtype)

    def forward(self, params: Sequence[np.ndarray], idx: np.ndarray | None = None
                ) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
        """Pre-activations ``[P_1..P_{L-1}]``, layer inputs ``[H_1..H_L]`` and the output Z."""
        H0, _, _ = self._data(idx)
        H, pre = [H0], []
        for l in range(self.cfg.L - 1):
            P = params[l] @ H[-1]
            pre.append(P)
            H.append(self._act(P, l))
        Z = params[-1] @ H[-1]
        return pre, H, Z

    def _fit_grad(self, Z: np.ndarray, T: np.ndarray, labels: np.ndarray | None,
                  want_fit: bool) -> tuple[np.ndarray | None, np.ndarray]:
        """Fit per run (if wanted) and ``G_Z = ∂fit/∂Z`` (mean over the n columns)."""
        n = Z.shape[-1]
        if self.cfg.loss == "mse":
            D = Z - T
            fit = 0.5 / n * np.einsum("rkn,rkn->r", D, D) if want_fit else None
            return fit, D / n
        lse = logsumexp(Z, axis=1, keepdims=True)
        P = np.exp(Z - lse)
        fit = None
        if want_fit:
            Y = T if T.ndim == 3 else T[None]
            picked = np.sum(Z * Y, axis=1)
            fit = np.mean(lse[:, 0, :] - picked, axis=1)
        return fit, (P - T) / n

    def _backward(self, params, pre, H, GZ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Gradients ``∇W_l = B_l H_lᵀ`` and the left factors ``B_l`` (see module doc)."""
        L = self.cfg.L
        G: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        Bs: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        B = GZ
        for l in range(L - 1, -1, -1):
            if l < L - 1:
                s = self._act_grad(pre[l], H[l + 1], l)
                if s is not None:
                    B = B * s
            Bs[l] = B
            G[l] = B @ np.swapaxes(H[l], -1, -2)
            if l > 0:
                B = np.swapaxes(params[l], -1, -2) @ B
                if l == self._feat:  # ∂/∂H_f of (λ_H/2n)‖H_f‖²
                    B = B + (self.cfg.feature_decay / H[l].shape[-1]) * H[l]
        return G, Bs

    def penalty(self, params: Sequence[np.ndarray]) -> np.ndarray:
        """``(λ/2) Σ_l m_l ‖W_l‖²`` per run (m_l = ``layer_decay``, default 1)."""
        sq = sum(m * np.einsum("rij,rij->r", W, W)
                 for m, W in zip(self._decay, params, strict=True))
        lam = self.lam if np.isscalar(self.lam) else self.lam[:, 0, 0]
        return 0.5 * lam * sq

    def loss(self, params: Sequence[np.ndarray], idx: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
        """(total loss, fit) per run on the full data (or on the batches ``idx``); the total
        includes the feature penalty ``(λ_H/2n)‖H_f‖²`` when it is on."""
        _, T, labels = self._data(idx)
        _, H, Z = self.forward(params, idx)
        fit, _ = self._fit_grad(Z, T, labels, True)
        total = fit + self.penalty(params)
        if self._feat is not None:
            Hf = H[self._feat]
            total = total + 0.5 * self.cfg.feature_decay / Hf.shape[-1] * np.einsum(
                "rdn,rdn->r", Hf, Hf)
        return total, fit

    def gradient(self, params: Sequence[np.ndarray], idx: np.ndarray | None = None,
                 want_fit: bool = False, weight_decay: bool = True
                 ) -> tuple[list[np.ndarray], np.ndarray | None]:
        """Analytic gradient per run (``weight_decay=False``: without the weight decay; the
        feature penalty, a term of the data, is always included)."""
        _, T, labels = self._data(idx)
        pre, H, Z = self.forward(params, idx)
        fit, GZ = self._fit_grad(Z, T, labels, want_fit)
        G, _ = self._backward(params, pre, H, GZ)
        if weight_decay:
            G = [g + (m * self.lam) * W if m else g
                 for g, W, m in zip(G, params, self._decay, strict=True)]
        return G, fit

    def backprop_factors(self, params: Sequence[np.ndarray], idx: np.ndarray | None = None
                         ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per layer ``(B_l, H_l)`` with ``∇W_l(fit) = B_l H_lᵀ = Σ_i b_{l,i} h_{l,i}ᵀ``.

        ``B_l`` is (R, d_l, n) and ``H_l`` is (R, d_{l-1}, n) (or (d_0, n) for the shared full
        data at l = 1): the gradient over n columns is a sum of n outer products (`zg` Prop. 3.1).
        """
        _, T, labels = self._data(idx)
        pre, H, Z = self.forward(params, idx)
        _, GZ = self._fit_grad(Z, T, labels, False)
        _, Bs = self._backward(params, pre, H, GZ)
        return list(zip(Bs, H, strict=True))

    def step(self, params: list[np.ndarray], idx: np.ndarray | None = None) -> None:
        """One in-place (S)GD step ``W ← (1 - lr λ) W - lr ∇fit`` on the batches ``idx``."""
        G = self._step_gradient(params, idx)
        lr = self.lr
        for g, W, m in zip(G, params, self._decay, strict=True):
            if m:
                W *= 1.0 - lr * (m * self.lam)
            np.multiply(g, lr, out=g)  # g is a workspace buffer
            W -= g

    def _step_gradient(self, params: Sequence[np.ndarray], idx: np.ndarray | None
                       ) -> list[np.ndarray]:
        """:meth:`gradient` with ``weight_decay=False``, for :meth:`step`: the same products
        into preallocated buffers (fresh multi-megabyte temporaries may be mmap-ed by malloc
        and page-faulted on every step), in place where possible, σ' from H alone (tanh:
        1 - H², ReLU: H > 0), 2-D arrays when R = 1 and a softmax instead of
        ``exp(Z - logsumexp Z)`` (equal to rounding, ~1e-16).  Returns (R, rows, cols)
        workspace arrays that the next call overwrites."""
        R, L = self.R, self.cfg.L
        one = R == 1
        if idx is None:
            n, H0, T = self.N, self.X, self.T
        else:
            idx = np.asarray(idx)
            if idx.ndim != 2 or idx.shape[0] != R:
                raise ValueError(f"idx must have shape (R, b) = ({R}, b), got {idx.shape}")
            n = idx.shape[1]
        ws = self._workspace(n)
        A, S, Bk, G = ws["A"], ws["S"], ws["B"], ws["G"]
        if idx is not None:
            # sample-major copies of X and T: a mini-batch is a gather of contiguous rows
            np.take(ws["XT"], idx[0] if one else idx, axis=0, out=ws["Xb"])
            np.take(ws["TT"], idx[0] if one else idx, axis=0, out=ws["Tb"])
            H0, T = np.swapaxes(ws["Xb"], -1, -2), np.swapaxes(ws["Tb"], -1, -2)
        Ws = [p[0] for p in params] if one else params
        H = [H0]
        for l in range(L):
            np.matmul(Ws[l], H[l], out=A[l])
            if l < L - 1:
                a = self._acts[l]
                if a == "tanh":
                    np.tanh(A[l], out=A[l])
                    np.multiply(A[l], A[l], out=S[l])
                    np.subtract(1.0, S[l], out=S[l])
                elif a == "relu":  # H = P·[P > 0] equals max(P, 0) (up to the sign of 0)
                    np.greater(A[l], 0.0, out=S[l])
                    np.multiply(A[l], S[l], out=A[l])
                H.append(A[l])
        B = A[L - 1]  # Z, overwritten by G_Z = ∂fit/∂Z (see _fit_grad)
        if self.cfg.loss == "mse":
            np.subtract(B, T, out=B)
        else:
            B -= B.max(axis=-2, keepdims=True)
            np.exp(B, out=B)
            B /= B.sum(axis=-2, keepdims=True)
            B -= T
        B /= n
        for l in range(L - 1, -1, -1):
            if l < L - 1 and S[l] is not None:
                B *= S[l]
            np.matmul(B, np.swapaxes(H[l], -1, -2), out=G[l][0] if one else G[l])
            if l > 0:
                np.matmul(np.swapaxes(Ws[l], -1, -2), B, out=Bk[l])
                B = Bk[l]
                if l == self._feat:  # ∂/∂H_f of (λ_H/2n)‖H_f‖², as in _backward
                    np.multiply(H[l], self.cfg.feature_decay / n, out=ws["F"])
                    B += ws["F"]
        return G

    def _workspace(self, n: int) -> dict[str, Any]:
        """Buffers of :meth:`_step_gradient` for batches of n columns (cached per n)."""
        cache = self.__dict__.setdefault("_ws_cache", {})
        if n in cache:
            return cache[n]
        dims, dt, R = self.cfg.dims, self.dtype, self.R
        lead = () if R == 1 else (R,)
        L = len(dims) - 1
        ws: dict[str, Any] = {
            "A": [np.empty((*lead, dims[l + 1], n), dt) for l in range(L)],  # P_l → H_{l+1}; Z
            "S": [None if self._acts[l] == "identity" else np.empty((*lead, dims[l + 1], n), dt)
                  for l in range(L - 1)],  # σ'(P_l)
            "B": [None] + [np.empty((*lead, dims[l], n), dt) for l in range(1, L)],
            "G": [np.empty((R, *s), dt) for s in self.shapes],
        }
        if self._feat is not None:
            ws["F"] = np.empty((*lead, dims[self._feat], n), dt)
        if "XT" not in cache:  # sample-major data, shared by every batch size
            cache["XT"] = np.ascontiguousarray(self.X.T)
            cache["TT"] = np.ascontiguousarray(self.T.T)
        ws["XT"], ws["TT"] = cache["XT"], cache["TT"]
        ws["Xb"] = np.empty((*lead, n, dims[0]), dt)
        ws["Tb"] = np.empty((*lead, n, self.T.shape[0]), dt)
        cache[n] = ws
        return ws

    def features(self, params: Sequence[np.ndarray], idx: np.ndarray | None = None
                 ) -> list[np.ndarray]:
        """Layer inputs ``[H_1, ..., H_L]`` and the output Z (copies, (R, d, n) arrays)."""
        _, H, Z = self.forward(params, idx)
        return [np.broadcast_to(h, (self.R, *h.shape[-2:])).copy() for h in H] + [Z.copy()]


# ------------------------------------------------------------------------------------ training


@dataclass
class MLPTrainResult:
    """What :func:`train_mlp` returns.

    Attributes
    ----------
    configs, seeds : per run.  record_steps : (T,) steps at which the loss was recorded (the
    full-data loss before that step).  loss, fit : (R, T) total loss and fit there (NaN after a
    run diverged).  weights : final ``[W_1..W_L]`` as (R, rows, cols) arrays.  status : per run
    ``"converged"`` (full-batch gradient norm <= gtol), ``"running"`` or ``"diverged"``;
    diverged_at : step of divergence or None.  grad_norm : (R,) final full-batch gradient norm.
    batch_size : None for full-batch GD.
    """

    configs: list[MLPConfig]
    seeds: list[int]
    record_steps: np.ndarray
    loss: np.ndarray
    fit: np.ndarray
    weights: list[np.ndarray]
    status: list[str]
    diverged_at: list[int | None]
    grad_norm: np.ndarray
    steps: int
    gtol: float
    batch_size: int | None
    _batch: MLPBatch = field(repr=False, default=None)

    @property
    def runs(self) -> int:
        return len(self.configs)

    def run_weights(self, r: int) -> list[np.ndarray]:
        """The final weights of run r as 2-D arrays."""
        return [w[r].copy() for w in self.weights]


def train_mlp(config: MLPConfig | Sequence[MLPConfig], X: Any, targets: Any, *, steps: int,
              runs: int = 1, seed: int = 0, batch_size: int | None = None,
              record_every: int = 100, weights: Sequence[Any] | None = None,
              seeds: Sequence[int] | None = None, explode: float = 1e6, gtol: float = 1e-6,
              on_record: Callable[[int, list[np.ndarray]], None] | None = None
              ) -> MLPTrainResult:
    """Full-batch GD (``batch_size=None``) or mini-batch SGD on R runs in one batch.

    Parameters
    ----------
    config : one config (R = ``runs`` copies, seeds ``seed + r``) or a list of per-run configs.
    X, targets : the data (see :func:`prepare_data`).
    batch_size : b for SGD: every epoch each run draws a permutation of 0..N-1 from its own
        generator and takes consecutive batches of b columns (the last N mod b are dropped).
    record_every : record the full-data loss every this many steps (and at the end).
    weights : optional starting weights (per-layer (R, rows, cols) or (rows, cols) arrays).
    explode : a run whose loss is not finite or exceeds ``explode`` × its initial loss is
        stopped (weights zeroed, step size 0) and reported as diverged; the others continue.
    gtol : a run is ``"converged"`` when its final full-batch gradient norm is <= gtol.
    on_record : called as ``on_record(step, weights)`` at every recording step.
    """
    steps = require_int("steps", steps, minimum=0)
    record_every = require_int("record_every", record_every, minimum=1)
    require_positive("explode", explode)
    require_positive("gtol", gtol)
    if isinstance(config, MLPConfig):
        configs = [config] * require_int("runs", runs, minimum=1)
    else:
        configs = list(config)
    batch = MLPBatch(configs, X, targets)
    R, N = batch.R, batch.N
    if batch_size is not None:
        batch_size = require_int("batch_size", batch_size, minimum=1)
        if batch_size > N:
            raise ValueError(f"batch_size must be <= N = {N}, got {batch_size}")
    seeds = [seed + r for r in range(R)] if seeds is None else [int(s) for s in seeds]
    if len(seeds) != R:
        raise ValueError(f"seeds must hold {R} values, got {len(seeds)}")
    W = batch.init_params(seeds) if weights is None else batch.as_params(weights)
    sampler = _BatchSampler(seeds, N, batch_size) if batch_size is not None else None
    rec_steps: list[int] = []
    rec_loss: list[np.ndarray] = []
    rec_fit: list[np.ndarray] = []
    diverged_at: list[int | None] = [None] * R
    alive = np.ones(R, dtype=bool)
    loss0: np.ndarray | None = None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for t in range(steps + 1):
            if t % record_every == 0 or t == steps:
                if on_record is not None:
                    on_record(t, W)
                tot, fit = batch.loss(W)
                if loss0 is None:
                    loss0 = np.where(np.isfinite(tot), tot, np.inf)
                bad = alive & (~np.isfinite(tot) | (tot > explode * np.maximum(loss0, 1e-300)))
                if bad.any():
                    for r in np.flatnonzero(bad):
                        diverged_at[r] = t
                    alive &= ~bad
                    _freeze(batch, W, bad)
                rec_steps.append(t)
                rec_loss.append(np.where(alive | bad, tot, np.nan))
                rec_fit.append(np.where(alive | bad, fit, np.nan))
            if t == steps:
                break
            batch.step(W, None if sampler is None else sampler.next())
        G, _ = batch.gradient(W)
        gnorm = np.sqrt(sum(np.einsum("rij,rij->r", g, g) for g in G))
    status = ["diverged" if diverged_at[r] is not None else
              ("converged" if gnorm[r] <= gtol else "running") for r in range(R)]
    return MLPTrainResult(configs=configs, seeds=seeds, record_steps=np.array(rec_steps),
                          loss=np.stack(rec_loss, axis=1), fit=np.stack(rec_fit, axis=1),
                          weights=W, status=status, diverged_at=diverged_at, grad_norm=gnorm,
                          steps=steps, gtol=gtol, batch_size=batch_size, _batch=batch)


def _layer_options(c: MLPConfig) -> tuple:
    return (c.hidden_activations, c.layer_decay or (1.0,) * c.L, c.feature_decay,
            c.feature_layer if c.feature_decay else None)


class _BatchSampler:
    """Epoch-wise shuffled mini-batches, one generator per run (``default_rng([seed_r, 1])``)."""

    def __init__(self, seeds: Sequence[int], N: int, b: int):
        self.rngs = [np.random.default_rng([int(s), 1]) for s in seeds]
        self.N, self.b = N, b
        self.per_epoch = N // b
        self.k = self.per_epoch  # forces a shuffle on the first call

    def next(self) -> np.ndarray:
        if self.k == self.per_epoch:
            self.perm = np.stack([rng.permutation(self.N) for rng in self.rngs])
            self.k = 0
        idx = self.perm[:, self.k * self.b:(self.k + 1) * self.b]
        self.k += 1
        return idx


def _freeze(batch: MLPBatch, W: list[np.ndarray], bad: np.ndarray) -> None:
    """Stop the runs in ``bad``: zero their weights and their step size."""
    for w in W:
        w[bad] = 0.0
    lr = np.broadcast_to(np.asarray(batch.lr, dtype=batch.dtype).reshape(-1, 1, 1),
                         (batch.R, 1, 1)).copy()
    lr[bad] = 0.0
    batch.lr = lr


# ------------------------------------------------------------------------------------ polishing


def polish_mlp(config: MLPConfig, X: Any, targets: Any, weights: Sequence[Any],
               gtol: float = 1e-10, maxiter: int = 20000,
               newton_max_params: int = 600) -> PolishResult:
    """Polish one run's weights to a stationary point of the weight-decayed loss.

    SciPy L-BFGS (float64) on the flattened weights, then, for models with at most
    ``newton_max_params`` weights whose gradient norm is still above ``gtol``, Newton steps on
    ``∇𝓛_λ = 0`` with a finite-difference Hessian of the analytic gradient (not for ReLU:
    weight-decayed ReLU networks typically reach minima on a kink, with some pre-activations
    exactly 0, where the loss is not differentiable).  ``success`` means the Euclidean
    gradient norm reached ``gtol``.
    """
    require_positive("gtol", gtol)
    maxiter = require_int("maxiter", maxiter, minimum=1)
    cfg = config.replace(dtype="float64") if config.dtype != "float64" else config
    batch = MLPBatch(cfg, X, targets, runs=1)
    W0 = batch.as_params(weights)

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        P = [w[None] for w in unflatten(x, cfg)]
        G, fit = batch.gradient(P, want_fit=True)
        total = batch.loss(P)[0][0] if cfg.feature_decay else fit[0] + batch.penalty(P)[0]
        return float(total), flatten([g[0] for g in G])

    res = scipy.optimize.minimize(fun, flatten([w[0] for w in W0]), jac=True, method="L-BFGS-B",
                                  options={"maxiter": maxiter, "maxcor": 50, "gtol": gtol * 1e-3,
                                           "ftol": 1e-300, "maxfun": 4 * maxiter})
    x, message = res.x, str(res.message)
    loss, g = fun(x)
    gn = float(np.linalg.norm(g))
    iterations = int(res.nit)
    if (not gn <= gtol and cfg.n_params <= newton_max_params
            and "relu" not in (cfg.activations or (cfg.activation,))):
        # L-BFGS stalls once f stops changing in float64 (|∇f|² ~ eps·f); Newton's method on
        # ∇f = 0 needs no decrease of f and converges quadratically near a nondegenerate point
        x, gn, it = _newton_refine(lambda v: fun(v)[1], x, gtol)
        loss = fun(x)[0]
        iterations += it
        message += f"; Newton refinement ({it} steps)"
    return PolishResult([w.copy() for w in unflatten(x, cfg)], loss, gn, iterations,
                        gn <= gtol, message)


def _newton_refine(grad: Callable[[np.ndarray], np.ndarray], x: np.ndarray, gtol: float,
                   maxiter: int = 30) -> tuple[np.ndarray, float, int]:
    """Newton steps ``x ← x - H⁺ g`` with the Hessian from central differences of the analytic
    gradient, each accepted only if it reduces ‖g‖ (halving the step up to 30 times)."""
    g = grad(x)
    gn = float(np.linalg.norm(g))
    n = x.size
    for it in range(1, maxiter + 1):
        if gn <= gtol:
            return x, gn, it - 1
        h = 1e-6 * max(1.0, float(np.max(np.abs(x))))
        H = np.empty((n, n))
        for j in range(n):
            e = np.zeros(n)
            e[j] = h
            H[:, j] = (grad(x + e) - grad(x - e)) / (2 * h)
        H = 0.5 * (H + H.T)
        step = np.linalg.lstsq(H, g, rcond=1e-12)[0]
        t = 1.0
        for _ in range(30):
            xn = x - t * step
            gn_new = float(np.linalg.norm(grad(xn)))
            if gn_new < gn:
                break
            t *= 0.5
        else:
            return x, gn, it
        x, gn = xn, gn_new
        g = grad(x)
    return x, gn, maxiter


def stationary_points(config: MLPConfig, X: Any, targets: Any, *, runs: int, seed: int = 0,
                      gd_steps: int = 1000, gtol: float = 1e-10) -> list[PolishResult]:
    """``runs`` stationary points of the weight-decayed loss: full-batch GD from seeds
    ``seed..seed+runs-1`` (batched), then :func:`polish_mlp` on each run (a run that diverged
    under GD is polished from its initial weights instead)."""
    res = train_mlp(config, X, targets, steps=gd_steps, runs=runs, seed=seed,
                    record_every=max(gd_steps, 1))
    out = []
    for r in range(runs):
        start = res.run_weights(r)
        if res.status[r] == "diverged":
            start = [w[r] for w in res._batch.init_params(res.seeds)]
        out.append(polish_mlp(config, X, targets, start, gtol=gtol))
    return out
