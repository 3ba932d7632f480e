"""`gk` Lemma 1 (§3, proof in App. B.1): at critical points of the deep linear UFM the parameters
are balanced, ``W_lᵀW_l = W_{l-1}W_{l-1}ᵀ`` (W_0 = H_1), and admit the aligned SVD of Eq. (3):
equal singular values in every layer and adjacent singular vectors aligned.
"""

from __future__ import annotations

import numpy as np
import sympy

from ncverify.claims import Claim, Outcome, register
from ncverify.engine.config import DUFMConfig
from ncverify.engine.polish import polish
from ncverify.engine.train import train

__all__ = ["balancedness_residuals", "claim"]

STATEMENT = r"""**Lemma 1:** *Let the network width satisfy  $d \geq K$ . At any critical point of the deep linear UFM, there exists an SVD of the parameter matrices in the following form:*

$$W_l = U_l \Sigma U_{l-1}^T, \quad \text{for } l = 1, \dots, L-1; \quad W_L = U_L \tilde{\Sigma} U_{L-1}^T; \quad H_1 = U_0 \bar{\Sigma} V_0^T, \quad (3)$$

where  $U_L \in \mathbb{R}^{K \times K}$ ,  $V_0 \in \mathbb{R}^{K^n \times K^n}$ ,  $U_{L-1}, \dots, U_0 \in \mathbb{R}^{d \times d}$  are all orthogonal matrices, and  $\Sigma \in \mathbb{R}^{d \times d}$ ,  $\tilde{\Sigma} \in \mathbb{R}^{K \times d}$ ,  $\bar{\Sigma} \in \mathbb{R}^{d \times K^n}$  have their top  $K \times K$  block given by  $\text{diag}(s_1, \dots, s_K)$ , where  $s_i \geq 0$  for  $i = 1, \dots, K$ , and all other entries are zero.

[App. B.1:] At any optimal point, we clearly have  $W_l^T \frac{\partial \mathcal{L}}{\partial W_l} - \frac{\partial \mathcal{L}}{\partial W_{l-1}} W_{l-1}^T = 0,$  and substituting the explicit forms of these derivatives yields  $W_l^T W_l = W_{l-1} W_{l-1}^T.$"""

claim = register(Claim(
    id="gk.lemma1",
    paper="gk",
    label="Lemma 1",
    title="Balancedness and aligned SVDs at critical points of the deep linear UFM",
    source="001_015071d9d71e7d05.txt, Section 3 (Lemma 1, Eq. 3) and Appendix B.1 (Eqs. 6-10)",
    statement=STATEMENT,
    domain={"d": ">= K", "lambda": "> 0", "critical point": "any"},
))


@claim.check("exact", "balancedness from the gradient (matrix-symbol algebra)",
             method="SymPy matrix symbols: with A_l = A_{l+1} W_l and H_l = W_{l-1} H_{l-1}, "
                    "the gradients of Eq. (7) give W_l^T dL/dW_l - dL/dW_{l-1} W_{l-1}^T = "
                    "lam (W_l^T W_l - W_{l-1} W_{l-1}^T) identically (the data terms cancel), so "
                    "at a critical point the layers are balanced.")
def balanced_symbolic(quick: bool) -> Outcome:
    K, d, N = sympy.symbols("K d N", integer=True, positive=True)
    lam, c = sympy.symbols("lam c", positive=True)  # c = 1/(Kn)
    Wl = sympy.MatrixSymbol("W_l", d, d)
    Wm = sympy.MatrixSymbol("W_lm1", d, d)
    A = sympy.MatrixSymbol("A_lp1", K, d)  # A_{l+1} = W_L ... W_{l+1}
    G = sympy.MatrixSymbol("G", K, N)  # P - Y
    Hm = sympy.MatrixSymbol("H_lm1", d, N)  # H_{l-1}
    grad_l = c * A.T * G * (Wm * Hm).T + lam * Wl
    grad_m = c * (A * Wl).T * G * Hm.T + lam * Wm
    lhs = Wl.T * grad_l - grad_m * Wm.T
    diff = sympy.expand(lhs - lam * (Wl.T * Wl - Wm * Wm.T))
    ok = sympy.simplify(diff) == sympy.ZeroMatrix(d, d) or diff == 0 or diff.is_ZeroMatrix
    return Outcome(passed=bool(ok), result={"identity_holds": bool(ok),
                                            "residual": str(sympy.simplify(diff))},
                   parameters={"shapes": "W_l, W_{l-1}: d x d; A_{l+1}: K x d; P - Y: K x N"},
                   key=("identity_holds",))


def balancedness_residuals(params: list[np.ndarray]) -> list[float]:
    """``‖W_lᵀW_l - W_{l-1}W_{l-1}ᵀ‖_F / ‖W_l‖_F²`` for l = 1..L (W_0 = H_1)."""
    out = []
    for prev, W in zip(params[:-1], params[1:], strict=True):
        out.append(float(np.linalg.norm(W.T @ W - prev @ prev.T) / max(np.sum(W * W), 1e-300)))
    return out


def _aligned_svd_residuals(params: list[np.ndarray], K: int) -> dict[str, float]:
    """Equal top-K singular values in all layers, rank <= K, and alignment of adjacent singular
    subspaces: ‖P_right(W_l) - P_left(W_{l-1})‖ for the projectors on the top-K subspaces."""
    svals = [np.linalg.svd(p, compute_uv=False) for p in params]
    top = np.array([s[:K] for s in svals])
    smax = float(top.max())
    equal = float(np.max(np.abs(top - top[0])) / smax)
    tail = max(float(s[K:].max()) / smax if s.size > K else 0.0 for s in svals)
    align = 0.0
    r = int(np.sum(top[0] > 1e-6 * smax))  # common rank
    for prev, W in zip(params[:-1], params[1:], strict=True):
        _, _, Vt = np.linalg.svd(W)
        U, _, _ = np.linalg.svd(prev)
        P1 = Vt[:r].T @ Vt[:r]
        P2 = U[:, :r] @ U[:, :r].T
        align = max(align, float(np.linalg.norm(P1 - P2, 2)))
    return {"top_K_singular_values_spread": equal, "beyond_K_singular_values": tail,
            "subspace_alignment_error": align, "rank": r}


_CONFIGS = [(3, 2, 4, 2, 0.01), (3, 2, 3, 3, 0.005), (4, 1, 5, 2, 0.01), (2, 3, 3, 4, 0.02)]


@claim.check("empirical", "critical points found by gradient descent and L-BFGS",
             method="For each config, 4 seeds: 4000 full-batch GD steps (engine, lr 0.5) from random "
                    "Gaussian starts, then SciPy L-BFGS polishing until the gradient norm is "
                    "<= 1e-10 (float64). At every critical point reached: balancedness residual "
                    "||W_l^T W_l - W_{l-1} W_{l-1}^T||_F / ||W_l||_F^2, the spread of the top-K "
                    "singular values across layers, singular values beyond K, and the alignment "
                    "of adjacent singular subspaces; all must be <= 1e-6.")
def critical_points(quick: bool) -> Outcome:
    rows = []
    worst = {"balancedness": 0.0, "spread": 0.0, "tail": 0.0, "align": 0.0}
    configs = _CONFIGS[:2] if quick else _CONFIGS
    seeds = 2 if quick else 4
    reached = 0
    for K, n, d, L, lam in configs:
        cfg = DUFMConfig(K=K, n=n, d=d, L=L, lam=lam, lr=0.5)
        res = train(cfg, steps=4000, runs=seeds, seed=11, record_every=4000)
        for r in range(seeds):
            pol = polish(cfg, res.run_params(r), gtol=1e-10)
            if not pol.success:
                rows.append({"config": [K, n, d, L, lam], "seed": 11 + r,
                             "grad_norm": pol.grad_norm, "reached": False})
                continue
            reached += 1
            bal = balancedness_residuals(pol.params)
            al = _aligned_svd_residuals(pol.params, K)
            worst["balancedness"] = max(worst["balancedness"], max(bal))
            worst["spread"] = max(worst["spread"], al["top_K_singular_values_spread"])
            worst["tail"] = max(worst["tail"], al["beyond_K_singular_values"])
            worst["align"] = max(worst["align"], al["subspace_alignment_error"])
            rows.append({"config": [K, n, d, L, lam], "seed": 11 + r, "grad_norm": pol.grad_norm,
                         "reached": True, "loss": pol.loss, "balancedness": max(bal), **al})
    total = len(configs) * seeds
    ok = (reached >= total * 3 // 4) and all(v <= 1e-6 for v in worst.values())
    result = {"critical_points": rows, "reached": reached, "attempted": total,
              "worst": worst}
    if reached < total * 3 // 4:
        ok = None
        result["reason"] = "too few runs reached gradient norm 1e-10"
    return Outcome(passed=ok, result=result,
                   parameters={"configs (K, n, d, L, lam)": configs, "seeds": seeds,
                               "gd_steps": 4000, "gtol": 1e-10, "tolerance": 1e-6,
                               "precision": "float64"},
                   key=("attempted",))
