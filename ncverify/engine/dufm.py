"""Batched deep UFM: initialisation, loss, analytic gradient and Hessian-vector product.

R independent runs share one set of shapes and advance together: every parameter is stored as an
(R, rows, cols) array and every matrix product is one batched ``np.matmul``.  The gradient is the
hand-derived backward pass (below); the Hessian-vector product is its directional derivative
(Pearlmutter's R-operator).  Both are checked against finite differences in the tests.

For the linear model (σ = identity, K <= d) the same gradient is computed through the
K-dimensional output space instead: with ``A_l = W_L ⋯ W_l`` (K×d) and ``C_l = G_Z H_lᵀ`` (K×d),
``Z = A_1 H_1``, ``∇H_1 = A_1ᵀ G_Z``, ``∇W_l = A_{l+1}ᵀ C_l`` and ``C_{l+1} = C_l W_lᵀ``; this
re-association costs K d² + K d N instead of d² N multiply-adds per layer.

Forward (σ = identity or ReLU, no activation on H_1 or on the output):
    A_0 = H_1,  P_l = W_l A_{l-1},  A_l = σ(P_l)  (l = 1..L-1),  Z = W_L A_{L-1}.
Backward, with G_Z = ∂fit/∂Z (CE: (softmax(Z) - Y)/N; MSE: (Z - Y)/N):
    ∇W_L = G_Z A_{L-1}ᵀ,  B = W_Lᵀ G_Z;  for l = L-1..1: B ← B ⊙ σ'(P_l), ∇W_l = B A_{l-1}ᵀ,
    B ← W_lᵀ B;  ∇H_1 = B;  and every ∇ gets + λ_param · param.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import logsumexp

from ncverify.engine.config import DUFMConfig

__all__ = ["DUFMBatch"]


class DUFMBatch:
    """R runs of one deep-UFM shape, with per-run weight decay and step size.

    Parameters
    ----------
    configs : one :class:`DUFMConfig` per run (or a single one used for every run); all must
        share K, class sizes, d, L, activation, loss and dtype.
    """

    def __init__(self, configs: DUFMConfig | Sequence[DUFMConfig], runs: int | None = None):
        if isinstance(configs, DUFMConfig):
            configs = [configs] * (runs or 1)
        configs = list(configs)
        if not configs:
            raise ValueError("configs must hold at least one run")
        c0 = configs[0]
        for c in configs[1:]:
            if (c.K, c.sizes, c.d, c.L, c.activation, c.loss, c.dtype) != (
                    c0.K, c0.sizes, c0.d, c0.L, c0.activation, c0.loss, c0.dtype):
                raise ValueError("all runs of a batch must share K, n, d, L, activation, loss and "
                                 "dtype (group different shapes into separate batches)")
        self.configs = configs
        self.cfg = c0
        self.R = len(configs)
        self.dtype = c0.np_dtype
        self.relu = c0.activation == "relu"
        # for the linear model route every product through the K-dimensional output space:
        # the same gradient, with (K d² + K d N) instead of (d² N) work per layer (K <= d)
        self.chain = not self.relu and c0.K <= c0.d
        self.labels = c0.labels()
        self.N = c0.N
        self.Y = np.eye(c0.K, dtype=self.dtype)[:, self.labels]  # (K, N)
        self.shapes = c0.shapes
        lam = np.array([c.lams for c in configs], dtype=self.dtype)  # (R, L+1)
        lr = np.array([c.lr for c in configs], dtype=self.dtype)  # (R,)
        same = bool(np.all(lam == lam[0]) and np.all(lr == lr[0]))
        # scalars where all runs agree: the in-place update then needs no broadcasting
        self.lam = [float(v) for v in lam[0]] if same else [lam[:, i].reshape(-1, 1, 1)
                                                            for i in range(lam.shape[1])]
        self._sY, self._sY_scale = self.Y, 1.0
        self.lr = float(lr[0]) if same else lr.reshape(-1, 1, 1)
        self._alloc()

    # -- storage ----------------------------------------------------------------------------
    def _alloc(self) -> None:
        R, d, N, K, L, dt = self.R, self.cfg.d, self.N, self.cfg.K, self.cfg.L, self.dtype
        self._pre = [np.empty((R, d, N), dt) for _ in range(L - 1)]
        self._post = [np.empty((R, d, N), dt) for _ in range(L - 1)] if self.relu else self._pre
        self._mask = [np.empty((R, d, N), dt) for _ in range(L - 1)] if self.relu else None
        # an array operand is about twice as fast as the scalar 0 in np.maximum (no broadcast)
        self._zeros = np.zeros((R, d, N), dt) if self.relu else None
        self._Z = np.empty((R, K, N), dt)
        self._E = np.empty((R, K, N), dt)
        self._zmax = np.empty((R, 1, N), dt)
        self._zsum = np.empty((R, 1, N), dt)
        self._B = [np.empty((R, d, N), dt) for _ in range(2)]
        self._grads = [np.empty((R, *s), dt) for s in self.shapes]
        # linear model: products W_L ⋯ W_l (K×d) and G_Z H_lᵀ (K×d), see the module doc
        self._A = [np.empty((R, K, d), dt) for _ in range(L - 1)]
        self._C = [np.empty((R, K, d), dt) for _ in range(L - 1)]

    def init_params(self, seeds: Sequence[int] | int = 0) -> list[np.ndarray]:
        """Gaussian initialisation, one generator per run (``default_rng(seed_r)``), so a run's
        trajectory depends only on its own seed, not on the batch it is in."""
        if isinstance(seeds, (int, np.integer)):
            seeds = [int(seeds) + r for r in range(self.R)]
        if len(seeds) != self.R:
            raise ValueError(f"need {self.R} seeds, got {len(seeds)}")
        params = [np.empty((self.R, *s), self.dtype) for s in self.shapes]
        for r, (seed, c) in enumerate(zip(seeds, self.configs, strict=True)):
            rng = np.random.default_rng(seed)
            params[0][r] = c.init_std * rng.standard_normal(self.shapes[0])
            for i, (rows, cols) in enumerate(self.shapes[1:], start=1):
                params[i][r] = (c.init_gain / np.sqrt(cols)) * rng.standard_normal((rows, cols))
        return params

    # -- forward ------------------------------------------------------------------------------
    def _forward(self, params: Sequence[np.ndarray]) -> np.ndarray:
        """Z for the current parameters (chain products for the linear model, see module doc)."""
        if self.chain:
            A = params[-1]
            for l in range(self.cfg.L - 1, 0, -1):  # A_l = A_{l+1} W_l, K×d
                np.matmul(A, params[l], out=self._A[l - 1])
                A = self._A[l - 1]
            np.matmul(A, params[0], out=self._Z)
            return self._Z
        return self._forward_layers(params)

    def _forward_layers(self, params: Sequence[np.ndarray]) -> np.ndarray:
        """Z layer by layer, keeping every pre- and post-activation feature matrix."""
        A = params[0]
        for l in range(self.cfg.L - 1):
            np.matmul(params[l + 1], A, out=self._pre[l])
            if self.relu:
                np.maximum(self._pre[l], self._zeros, out=self._post[l])
            A = self._post[l]
        np.matmul(params[-1], A, out=self._Z)
        return self._Z

    def _fit_grad(self, Z: np.ndarray, want_fit: bool, scale: float | np.ndarray
                  ) -> tuple[np.ndarray | None, np.ndarray]:
        """Fit value per run (if wanted) and ``scale · N · ∂fit/∂Z`` (written into ``self._E``).

        The gradient of the mean loss is ``(softmax(Z) - Y)/N`` (CE) or ``(Z - Y)/N`` (MSE); the
        factor ``scale`` (1/N for the gradient, lr/N for a step) is applied in one pass so that
        every gradient computed from it is already scaled.
        """
        E = self._E
        fit = None
        if self.cfg.loss == "ce":
            np.maximum.reduce(Z, axis=1, keepdims=True, out=self._zmax)  # cheaper than np.max
            np.subtract(Z, self._zmax, out=E)
            if want_fit:  # -log softmax at the label = log Σ e^{z - max} - (z_label - max)
                picked = np.take_along_axis(E, self.labels[None, None, :], axis=1)[:, 0, :]
            np.exp(E, out=E)
            np.add.reduce(E, axis=1, keepdims=True, out=self._zsum)
            if want_fit:
                fit = np.mean(np.log(self._zsum[:, 0, :]) - picked, axis=1)
            np.divide(scale, self._zsum, out=self._zsum)
            E *= self._zsum
            E -= scale * self.Y if not np.isscalar(scale) else self._scaled_Y(scale)
        else:
            np.subtract(Z, self.Y, out=E)
            if want_fit:
                fit = 0.5 / self.N * np.einsum("rkn,rkn->r", E, E)
            E *= scale
        return fit, E

    def _scaled_Y(self, scale: float) -> np.ndarray:
        if self._sY_scale != scale:
            self._sY, self._sY_scale = scale * self.Y, scale
        return self._sY

    def penalty(self, params: Sequence[np.ndarray]) -> np.ndarray:
        """Σ_i ½ λ_i ‖param_i‖² per run."""
        total = np.zeros(self.R, dtype=self.dtype)
        for P, lam in zip(params, self.lam, strict=True):
            sq = np.einsum("rij,rij->r", P, P)
            total += 0.5 * (lam if np.isscalar(lam) else lam[:, 0, 0]) * sq
        return total

    def loss(self, params: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(total loss, fit) per run, computed afresh (stable log-sum-exp)."""
        Z = self._forward(params)
        if self.cfg.loss == "ce":
            lse = logsumexp(Z, axis=1)
            picked = np.take_along_axis(Z, self.labels[None, None, :], axis=1)[:, 0, :]
            fit = np.mean(lse - picked, axis=1)
        else:
            D = Z - self.Y
            fit = 0.5 / self.N * np.einsum("rkn,rkn->r", D, D)
        return fit + self.penalty(params), fit

    # -- gradient -----------------------------------------------------------------------------
    def _backward(self, params: Sequence[np.ndarray], GZ: np.ndarray) -> list[np.ndarray]:
        """Backward pass from G_Z (uses the features of the last forward pass)."""
        L = self.cfg.L
        G = self._grads
        if self.chain:
            # ∇H_1 = A_1ᵀ G_Z;  C_l = G_Z H_lᵀ = C_{l-1} W_{l-1}ᵀ;  ∇W_l = A_{l+1}ᵀ C_l, ∇W_L = C_L
            A1 = params[-1] if L == 1 else self._A[0]
            np.matmul(A1.transpose(0, 2, 1), GZ, out=G[0])
            C = G[1] if L == 1 else self._C[0]
            np.matmul(GZ, params[0].transpose(0, 2, 1), out=C)
            for l in range(1, L):
                A_next = params[-1] if l == L - 1 else self._A[l]
                np.matmul(A_next.transpose(0, 2, 1), C, out=G[l])
                C_next = G[L] if l == L - 1 else self._C[l]
                np.matmul(C, params[l].transpose(0, 2, 1), out=C_next)
                C = C_next
            return G
        A_last = params[0] if L == 1 else self._post[L - 2]
        np.matmul(GZ, A_last.transpose(0, 2, 1), out=G[L])
        B, spare = self._B
        # the last product of the chain is ∇H_1 itself: written in place, no copy
        np.matmul(params[L].transpose(0, 2, 1), GZ, out=G[0] if L == 1 else B)
        for l in range(L - 1, 0, -1):  # W_l, l = L-1..1 (params[l])
            if self.relu:
                np.greater(self._pre[l - 1], 0, out=self._mask[l - 1])
                B *= self._mask[l - 1]
            A_prev = params[0] if l == 1 else self._post[l - 2]
            np.matmul(B, A_prev.transpose(0, 2, 1), out=G[l])
            np.matmul(params[l].transpose(0, 2, 1), B, out=G[0] if l == 1 else spare)
            B, spare = spare, B
        return G

    def gradient(self, params: Sequence[np.ndarray], want_fit: bool = False,
                 weight_decay: bool = True) -> tuple[list[np.ndarray], np.ndarray | None]:
        """Analytic gradient of the loss per run (buffers are reused: copy them to keep them).

        With ``weight_decay=False`` only the fit term's gradient is returned.
        """
        Z = self._forward(params)
        fit, GZ = self._fit_grad(Z, want_fit, 1.0 / self.N)
        G = self._backward(params, GZ)
        if weight_decay:
            for g, P, lam in zip(G, params, self.lam, strict=True):
                g += lam * P
        return G, fit

    @property
    def lr(self) -> float | np.ndarray:
        """Step size: a float, or an (R, 1, 1) array when runs differ."""
        return self._lr

    @lr.setter
    def lr(self, value: float | np.ndarray) -> None:
        self._lr = value
        # P ← (1 - lr λ) P - lr ∇fit: the decay factors are fixed between lr changes
        self._decay = [1.0 - value * lam for lam in self.lam]

    def step(self, params: list[np.ndarray], want_fit: bool = False) -> np.ndarray | None:
        """One in-place gradient-descent step: ``P ← (1 - lr λ) P - lr ∇fit``.

        The factor lr/N is applied once, to ∂fit/∂Z, so the update is two passes per parameter.
        Returns the fit term *before* the step when ``want_fit`` (and leaves the matching
        weight-decay term in ``self.last_penalty``).
        """
        if want_fit:
            self.last_penalty = self.penalty(params)
        Z = self._forward(params)
        fit, GZ = self._fit_grad(Z, want_fit, self._lr / self.N)
        G = self._backward(params, GZ)
        for g, P, decay in zip(G, params, self._decay, strict=True):
            P *= decay
            P -= g
        return fit

    # -- second order -------------------------------------------------------------------------
    def hvp(self, params: Sequence[np.ndarray], V: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Hessian-vector product ∇²𝓛 · V (R-operator of the backward pass), per run.

        ReLU's second derivative vanishes almost everywhere, so the R-operator passes
        perturbations through the activation with the same 0/1 mask as the gradient.
        """
        L = self.cfg.L
        Z = self._forward_layers(params)
        A = [params[0]] + [p.copy() for p in self._post[: L - 1]]
        masks = [(p > 0).astype(self.dtype) for p in self._pre[: L - 1]] if self.relu else None
        # forward R-pass
        RA = [V[0]]
        for l in range(1, L):
            RP = V[l] @ A[l - 1] + params[l] @ RA[l - 1]
            RA.append(RP * masks[l - 1] if self.relu else RP)
        RZ = V[L] @ A[L - 1] + params[L] @ RA[L - 1]
        inv_n = 1.0 / self.N
        _, GZ = self._fit_grad(Z, False, inv_n)
        GZ = GZ.copy()
        if self.cfg.loss == "ce":
            # the probabilities themselves, not (P - Y) + Y: that loses every digit of the
            # tiny wrong-class probabilities once the logits separate (λ -> 0)
            E = np.exp(Z - Z.max(axis=1, keepdims=True))
            P = E / E.sum(axis=1, keepdims=True)
            RGZ = P * (RZ - np.sum(P * RZ, axis=1, keepdims=True)) * inv_n
        else:
            RGZ = RZ * inv_n
        H = [None] * (L + 1)
        H[L] = RGZ @ A[L - 1].transpose(0, 2, 1) + GZ @ RA[L - 1].transpose(0, 2, 1)
        B = params[L].transpose(0, 2, 1) @ GZ
        RB = V[L].transpose(0, 2, 1) @ GZ + params[L].transpose(0, 2, 1) @ RGZ
        for l in range(L - 1, 0, -1):
            if self.relu:
                B = B * masks[l - 1]
                RB = RB * masks[l - 1]
            H[l] = RB @ A[l - 1].transpose(0, 2, 1) + B @ RA[l - 1].transpose(0, 2, 1)
            B, RB = (params[l].transpose(0, 2, 1) @ B,
                     V[l].transpose(0, 2, 1) @ B + params[l].transpose(0, 2, 1) @ RB)
        H[0] = RB
        return [h + lam * v for h, v, lam in zip(H, V, self.lam, strict=True)]

    # -- features -----------------------------------------------------------------------------
    def features(self, params: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray],
                                                               np.ndarray]:
        """Copies of the pre- and post-activation features ``[H_1, .., H_L]`` and Z."""
        Z = self._forward_layers(params).copy()
        pre = [params[0].copy()] + [p.copy() for p in self._pre[: self.cfg.L - 1]]
        post = [params[0].copy()] + [p.copy() for p in self._post[: self.cfg.L - 1]]
        return pre, post, Z
