"""`zg` Eq. (4) (§3): at a stationary point of the weight-decayed loss every layer satisfies
``W_l = −(1/λ) ∇_{W_l}𝓛(θ)``, a nonlinear eigenvalue equation ``∇𝓛(θ) = −λθ``.

The extracted text lost the formula; the statement below is reconstructed from the surviving
prose (quoted verbatim) and Eq. (3).  Checks: the gradient of the penalty and the equivalence
with stationarity in SymPy (matrix symbols, and an explicit network with a generic activation
and generic per-sample losses); the residual ``‖W_l + ∇_{W_l}𝓛/λ‖/‖W_l‖`` at stationary points
of small networks reached by GD and polished (L-BFGS, then Newton) to gradient norm <= 1e-10.
"""

from __future__ import annotations

import numpy as np
import sympy

from ncverify.claims import Claim, Outcome, register
from ncverify.engine.mlp import MLPBatch, MLPConfig, stationary_points
from ncverify.models.fcnet import reference_loss, symbolic_network

__all__ = ["claim", "eigen_residuals", "fit_gradient"]

STATEMENT = r"""[Reconstructed: the extracted text (004_b40eaf01881f9599.txt) lost every formula; the surviving prose is quoted verbatim in quotation marks.]

Setting (Eqs. 1 and 3): a fully connected network f(x; θ) = W_L σ(W_{L-1} ⋯ σ(W_1 x)), θ = (W_1, ..., W_L), trained by minimising 𝓛_λ(θ) = 𝓛(θ) + (λ/2)‖θ‖², where 𝓛(θ) is "composed by the sum of losses on individual data points", ‖·‖ "denotes the entrywise ℓ2 norm (when the input is a matrix, it coincides with the Frobenius norm) and λ is a weight decay or regularization parameter."

Eq. (4): "Note that any critical point of 𝓛_λ satisfies the following equation:"

    W_l = −(1/λ) ∇_{W_l} 𝓛(θ),   l = 1, ..., L,   i.e.  ∇𝓛(θ) = −λ θ.   (4)

"Note that equation (4) corresponds to an “eigenvalue equation” for the nonlinear operator [θ ↦ ∇𝓛(θ)]. In other words, for a fixed weight decay parameter λ, training the neural network corresponds to finding a nonlinear eigenvector having [−λ] as eigenvalue. In addition, equation (4) immediately implies that whenever the operators [∇_{W_l}𝓛] have low rank (i.e., they take values in some low-rank space), then also any weight matrix composing the eigenvector has necessarily low rank." (Introduction: "The stationary points of weight decay regularized losses are solutions to nonlinear eigenvalue equations".)"""

claim = register(Claim(
    id="zg.eq4",
    paper="zg",
    label="Eq. (4)",
    title="Stationary points of weight-decayed losses solve W_l = -(1/lam) grad_{W_l} L",
    source="004_b40eaf01881f9599.txt, Section 3 (Eq. 4) and Introduction (first bullet); "
           "Eqs. (1), (3) for the setting",
    statement=STATEMENT,
    domain={"lambda": "> 0", "loss": "any differentiable per-sample loss",
            "activation": "any differentiable activation", "point": "any critical point"},
    reconstructed=True,
))


@claim.check("exact", "stationarity of the weight-decayed loss is Eq. (4) (SymPy)",
             method="(a) Matrix symbols W (m x n, m, n symbolic): d/dW (lam/2) tr(W^T W) = lam W "
                    "by SymPy's matrix calculus, so grad L_lam = grad L + lam W and, for lam != 0, "
                    "grad L_lam = 0 <=> W = -(1/lam) grad L. (b) Explicit networks with symbolic "
                    "weights and data, an undefined activation sigma and an undefined loss "
                    "ell_i per sample: every entry of grad_{W_l}(sum_i ell_i + penalty) minus "
                    "(grad_{W_l} sum_i ell_i + lam W_l) expands to 0, and lam*(W_l + grad L/lam) "
                    "- grad L_lam expands to 0 (the two equations have the same solutions).")
def symbolic(quick: bool) -> Outcome:
    m, n = sympy.symbols("m n", integer=True, positive=True)
    W = sympy.MatrixSymbol("W", m, n)
    lam = sympy.Symbol("lam", positive=True)
    d_pen = sympy.diff(lam / 2 * sympy.trace(W.T * W), W)
    matrix_ok = sympy.simplify(d_pen - lam * W) == sympy.ZeroMatrix(m, n) or \
        sympy.simplify(d_pen - lam * W) == 0
    shapes = [((2, 2, 2), 2)] if quick else [((2, 2, 2), 2), ((2, 3, 2, 2), 2)]
    rows = []
    for dims, b in shapes:
        net = symbolic_network(dims, b)
        Ltot, lam_s = net.total, net.lam
        Llam = Ltot + net.penalty
        ok_pen, ok_equiv, checked = True, True, 0
        for Wl in net.W:
            for w in Wl:
                g_reg = sympy.diff(Llam, w)
                g_fit = sympy.diff(Ltot, w)
                ok_pen &= sympy.expand(g_reg - (g_fit + lam_s * w)) == 0
                ok_equiv &= sympy.expand(lam_s * (w + g_fit / lam_s) - g_reg) == 0
                checked += 1
        rows.append({"dims": list(dims), "b": b, "entries": checked,
                     "penalty_gradient_is_lam_W": bool(ok_pen),
                     "stationarity_equivalent_to_eq4": bool(ok_equiv)})
    ok = bool(matrix_ok) and all(r["penalty_gradient_is_lam_W"] and
                                 r["stationarity_equivalent_to_eq4"] for r in rows)
    return Outcome(passed=ok, result={"matrix_symbol_penalty_gradient": str(d_pen),
                                      "matrix_identity_holds": bool(matrix_ok),
                                      "networks": rows, "all_hold": ok},
                   parameters={"activation": "undefined sympy Function sigma",
                               "loss": "undefined sympy Function ell_i per sample"},
                   key=("matrix_identity_holds", "all_hold", "networks"))


def fit_gradient(config: MLPConfig, X: np.ndarray, targets: np.ndarray,
                 weights: list[np.ndarray]) -> list[np.ndarray]:
    """``∇_{W_l}𝓛`` of the fit term only (engine backward pass, float64), one 2-D array per layer."""
    b = MLPBatch(config, X, targets, runs=1)
    G, _ = b.gradient([w[None] for w in weights], weight_decay=False)
    return [g[0] for g in G]


def eigen_residuals(weights: list[np.ndarray], grads: list[np.ndarray], lam: float) -> list[float]:
    """``‖W_l + ∇_{W_l}𝓛/λ‖_F / ‖W_l‖_F`` per layer (Eq. 4)."""
    return [float(np.linalg.norm(w + g / lam) / max(np.linalg.norm(w), 1e-300))
            for w, g in zip(weights, grads, strict=True)]


def _fd_gradient(config: MLPConfig, X, targets, weights, h: float = 1e-6) -> list[np.ndarray]:
    """Central differences of the reference fit (ncverify.models.losses), entry by entry."""
    out = []
    for l, w in enumerate(weights):
        g = np.empty_like(w)
        for idx in np.ndindex(w.shape):
            Wp = [v.copy() for v in weights]
            Wm = [v.copy() for v in weights]
            Wp[l][idx] += h
            Wm[l][idx] -= h
            g[idx] = (reference_loss(Wp, X, targets, config.activation, config.loss)
                      - reference_loss(Wm, X, targets, config.activation, config.loss)) / (2 * h)
        out.append(g)
    return out


def _problem(name: str):
    """(config, X, targets) of the small test problems, from a fixed seed."""
    rng = np.random.default_rng(20240206)
    if name == "tanh-mse-onehot":
        cfg = MLPConfig(dims=(4, 6, 3), activation="tanh", loss="mse", lam=0.01, lr=0.5)
        X = rng.standard_normal((4, 9))
        y = np.arange(9) % 3
        return cfg, X, np.eye(3)[:, y]
    if name == "tanh-ce":
        cfg = MLPConfig(dims=(4, 5, 5, 3), activation="tanh", loss="ce", lam=0.005, lr=0.5)
        return cfg, rng.standard_normal((4, 9)), np.arange(9) % 3
    if name == "tanh-autoencoder":
        cfg = MLPConfig(dims=(5, 4, 3, 5), activation="tanh", loss="mse", lam=0.01, lr=0.5)
        X = rng.standard_normal((5, 8))
        return cfg, X, X
    if name == "identity-ce":
        cfg = MLPConfig(dims=(4, 6, 6, 3), activation="identity", loss="ce", lam=0.01, lr=0.5)
        return cfg, rng.standard_normal((4, 9)), np.arange(9) % 3
    if name == "identity-mse":
        cfg = MLPConfig(dims=(4, 6, 3), activation="identity", loss="mse", lam=0.02, lr=0.5)
        X = rng.standard_normal((4, 8))
        return cfg, X, rng.standard_normal((3, 8))
    raise ValueError(f"unknown problem {name!r}")


PROBLEMS = ("tanh-mse-onehot", "tanh-ce", "tanh-autoencoder", "identity-ce", "identity-mse")
RES_TOL = 1e-6  # engine-gradient residual; gtol/λ/‖W‖ is ~1e-8 here
FD_TOL = 1e-4  # finite-difference residual (central differences, h = 1e-6, divided by λ)


@claim.check("empirical", "Eq. (4) at polished stationary points",
             method="Small networks (tanh and identity; MSE with one-hot targets, MSE "
                    "autoencoder T = X, CE): 1000 full-batch GD steps from Gaussian starts (seeds "
                    "0, 1), then SciPy L-BFGS and Newton refinement to ||grad L_lam|| <= 1e-10 "
                    "(float64). At each stationary point: per-layer residual ||W_l + grad_{W_l} "
                    "L / lam||_F / ||W_l||_F with the engine's gradient of the unregularised fit "
                    "(<= 1e-6 required), and with a central-difference gradient of the reference "
                    "loss (ncverify.models.losses; <= 1e-4); every layer must be nonzero "
                    "(||W_l|| >= 1e-3) so the point is not the trivial one. ReLU is left out: "
                    "its weight-decayed minima lie on kinks (pre-activations exactly 0) where "
                    "the loss has no gradient.")
def stationary(quick: bool) -> Outcome:
    problems = PROBLEMS[:2] if quick else PROBLEMS
    runs = 1 if quick else 2
    rows, reached, attempted = [], 0, 0
    worst, worst_fd, smallest_norm = 0.0, 0.0, np.inf
    for name in problems:
        cfg, X, T = _problem(name)
        for r, pol in enumerate(stationary_points(cfg, X, T, runs=runs, seed=0, gd_steps=1000)):
            attempted += 1
            row = {"problem": name, "dims": list(cfg.dims), "lam": cfg.lam, "seed": r,
                   "grad_norm": pol.grad_norm, "reached": bool(pol.success)}
            if pol.success:
                reached += 1
                W = pol.params
                res = eigen_residuals(W, fit_gradient(cfg, X, T, W), cfg.lam)
                row["residuals"] = res
                row["layer_norms"] = [float(np.linalg.norm(w)) for w in W]
                worst = max(worst, max(res))
                smallest_norm = min(smallest_norm, min(row["layer_norms"]))
                if r == 0:
                    fd = eigen_residuals(W, _fd_gradient(cfg, X, T, W), cfg.lam)
                    row["fd_residuals"] = fd
                    worst_fd = max(worst_fd, max(fd))
                theta = np.concatenate([w.ravel() for w in W])
                grad = np.concatenate([g.ravel() for g in fit_gradient(cfg, X, T, W)])
                row["eigen_equation_residual"] = float(
                    np.linalg.norm(grad + cfg.lam * theta) / (cfg.lam * np.linalg.norm(theta)))
            rows.append(row)
    result = {"stationary_points": rows, "reached": reached, "attempted": attempted,
              "worst_residual": worst, "worst_fd_residual": worst_fd,
              "smallest_layer_norm": smallest_norm}
    ok: bool | None = worst <= RES_TOL and worst_fd <= FD_TOL and smallest_norm >= 1e-3
    if reached < max(1, (3 * attempted) // 4):
        ok = None
        result["reason"] = "too few runs reached gradient norm 1e-10"
    return Outcome(passed=ok, result=result,
                   parameters={"problems": list(problems), "seeds": runs, "gd_steps": 1000,
                               "gtol": 1e-10, "residual_tol": RES_TOL, "fd_tol": FD_TOL,
                               "precision": "float64"},
                   key=("attempted",))
