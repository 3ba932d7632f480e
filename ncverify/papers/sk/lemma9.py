"""`sk` Lemma 9 (App. B.1): ``min ‖w‖² s.t. zᵀ = wᵀA_lT_r`` equals
``(r-1)²/(α_l(r-2)²) zᵀT_rᵀ(I_r - (3r-4)/(4(r-1)²) 11ᵀ)T_r z``.

Checks: the proof's algebra for general r (SymPy, in the algebra spanned by I and J = 11ᵀ with
J² = rJ: T_rT_rᵀ, Sherman–Morrison and its square) and the pseudo-inverse identity
``(T_rᵀT_r)⁺ = T_rᵀ(T_rT_rᵀ)⁻²T_r``; then the minimum itself computed exactly, without any
structure, for random admissible A_l (non-negative split rows) and random z in the row space of
T_r, r = 4..12, and compared with the printed formula and the proof's explicit minimiser.
"""

from __future__ import annotations

import random

import flint
import sympy

from ncverify.claims import Claim, Outcome, register
from ncverify.models.minnorm import consistent_solve, min_norm_rows, min_norm_value
from ncverify.models.srg import exact_split_rows, incidence_matrix
from ncverify.models.symbolic import is_zero

__all__ = ["claim", "published_value"]

STATEMENT = r"""**Lemma 9** Consider the following optimization problem:

$$\min_{w} \|w\|^2 \tag{10}$$

$$s.t. \ z^T = w^T A_l T_r. \tag{11}$$

Then, the value of the optimal solution is

$$\frac{(r-1)^2}{\alpha_l(r-2)^2} z^T T_r^T \left( I_r - \frac{3r-4}{4(r-1)^2} \mathbf{1}_r \mathbf{1}_r^T \right) T_r z.$$

**Proof** Multiplying the constraint with  $T_r^T(T_rT_r^T)^{-1}$  from the right we get  $z^TT_r^T(T_rT_r^T)^{-1} = w^TA_l$ . Now, we can use that the minimum  $l_2$  norm solution of such a system can be computed by multiplying with the right pseudoinverse of  $A_l$ . Thus, we get  $w = A_l(A_l^TA_l)^{-1}(T_rT_r^T)^{-1}T_rz = 1/\alpha_lA_l(T_rT_r^T)^{-1}T_rz$ . Then the squared norm of this is simply:

$$w^{T}w = \frac{1}{\alpha_{l}^{2}}z^{T}T_{r}^{T}(T_{r}T_{r}^{T})^{-1}A_{l}^{T}A_{l}(T_{r}T_{r}^{T})^{-1}T_{r}z = \frac{1}{\alpha_{l}}z^{T}T_{r}^{T}(T_{r}T_{r}^{T})^{-2}T_{r}z.$$

Now, we know that

$$T_r T_r^T = \frac{r-2}{r-1} I_r + \frac{1}{r-1} \mathbf{1} \mathbf{1}^T = \frac{r-2}{r-1} \left( I + \frac{1}{r-2} \mathbf{1} \mathbf{1}^T \right).$$

This can be seen by looking at the structure of  $K_n$  where two vertices have exactly one edge between them. Now we can compute the inverse of this matrix using the Sherman-Morrison formula

$$\left(I + \frac{1}{r-2}\mathbf{1}\mathbf{1}^{T}\right)^{-1} = I - \frac{1}{2(r-1)}\mathbf{1}\mathbf{1}^{T}$$

and the square is:

$$\left(I + \frac{1}{r-2}\mathbf{1}\mathbf{1}^T\right)^{-2} = I - \frac{3r-4}{4(r-1)^2}\mathbf{1}\mathbf{1}^T.$$

Putting this all together, the proof is complete."""

claim = register(Claim(
    id="sk.lemma9",
    paper="sk",
    label="Lemma 9",
    title="Minimum-norm solution of z^T = w^T A_l T_r via pseudo-inverses and Sherman-Morrison",
    source="002_521ba04a56249479.txt, Appendix B.1, Lemma 9 and its proof",
    statement=STATEMENT,
    domain={"r": "integer >= 4", "alpha_l": "> 0 (A_l^T A_l = alpha_l I_r)",
            "z": "in the row space of T_r (so that the constraint is feasible)"},
))

_r = sympy.Symbol("r", positive=True)
_a = sympy.Symbol("alpha", positive=True)


def published_value(r: int, alpha, Tz: flint.fmpq_mat, scale=1):
    """The printed value ``(r-1)²/(α(r-2)²) (‖T z‖² - (3r-4)/(4(r-1)²) (1ᵀT z)²)``.

    ``Tz`` is the vector T_r z (exact, possibly divided by the irrational ``scale``;
    the quadratic terms are then multiplied by ``scale²``).
    """
    c = flint.fmpq(3 * r - 4, 4 * (r - 1) ** 2)
    sq = sum((Tz[i, 0] ** 2 for i in range(Tz.nrows())), flint.fmpq(0))
    s1 = sum((Tz[i, 0] for i in range(Tz.nrows())), flint.fmpq(0))
    return flint.fmpq((r - 1) ** 2, (r - 2) ** 2) / alpha * (sq - c * s1 * s1) * scale


def _mul(x, y):
    """Product in the algebra span{I, J} (J² = rJ): (a, b)·(c, d) = (ac, ad + bc + r bd)."""
    return (x[0] * y[0], x[0] * y[1] + x[1] * y[0] + _r * x[1] * y[1])


@claim.check("exact", "proof algebra for general r (span{I, J}, J^2 = rJ)",
             method="Elements aI + bJ as pairs (a, b) with r symbolic. (1) T T^T from the "
                    "counts: diagonal (r-1)/(r-1) = 1, off-diagonal 1/(r-1), i.e. "
                    "((r-2)/(r-1), 1/(r-1)) = (r-2)/(r-1) (1, 1/(r-2)). (2) Sherman-Morrison: "
                    "(1, 1/(r-2)) (1, -1/(2(r-1))) = (1, 0). (3) (1, -1/(2(r-1)))^2 = "
                    "(1, -(3r-4)/(4(r-1)^2)). (4) hence (1/alpha) T^T (T T^T)^{-2} T = "
                    "(r-1)^2/(alpha (r-2)^2) T^T (I - (3r-4)/(4(r-1)^2) J) T. (5) With "
                    "A^T A = alpha I the minimum is z^T (B^T B)^+ z for B = A T, B^T B = "
                    "alpha T^T T, and (T^T T)^+ = T^T (T T^T)^{-2} T: the four Penrose "
                    "conditions are checked exactly for r = 4..12 (flint).")
def general_r(quick: bool) -> Outcome:
    r = _r
    TTt = (1, 1 / (r - 1))  # diagonal entry 1 = (r-2)/(r-1) + 1/(r-1); off-diagonal 1/(r-1)
    TTt_pair = ((r - 2) / (r - 1), 1 / (r - 1))
    steps = {
        "T_Tt_from_counts": is_zero(TTt_pair[0] + TTt_pair[1] - TTt[0])
        and is_zero(TTt_pair[1] - TTt[1]),
        "T_Tt_factorised": all(is_zero(x - y) for x, y in zip(
            TTt_pair, ((r - 2) / (r - 1), (r - 2) / (r - 1) / (r - 2)), strict=True)),
    }
    inv = (sympy.Integer(1), -1 / (2 * (r - 1)))
    prod = _mul((sympy.Integer(1), 1 / (r - 2)), inv)
    steps["sherman_morrison_inverse"] = is_zero(prod[0] - 1) and \
        is_zero(prod[1])
    sq = _mul(inv, inv)
    steps["square_of_inverse"] = is_zero(sq[0] - 1) and \
        is_zero(sq[1] + (3 * r - 4) / (4 * (r - 1) ** 2))
    # (T T^T)^{-2} = ((r-1)/(r-2))^2 (I + J/(r-2))^{-2}
    TTt_inv2 = (((r - 1) / (r - 2)) ** 2 * sq[0], ((r - 1) / (r - 2)) ** 2 * sq[1])
    check = _mul(_mul(TTt_pair, TTt_pair), TTt_inv2)
    steps["TTt_squared_times_inverse_squared_is_I"] = is_zero(check[0] - 1) and \
        is_zero(check[1])
    steps["printed_prefactor"] = is_zero(
        TTt_inv2[1] / TTt_inv2[0] + (3 * r - 4) / (4 * (r - 1) ** 2)) and is_zero(
        TTt_inv2[0] - (r - 1) ** 2 / (r - 2) ** 2)
    penrose = {}
    for rv in range(4, (8 if quick else 12) + 1):
        B = flint.fmpq_mat(incidence_matrix(rv))  # T = B / sqrt(r-1)
        P = B.transpose() * B * flint.fmpq(1, rv - 1)          # T^T T
        BBt = B * B.transpose()
        X = B.transpose() * (BBt * BBt).inv() * B * flint.fmpq(rv - 1)  # T^T (T T^T)^{-2} T
        penrose[str(rv)] = (P * X * P == P and X * P * X == X
                            and (P * X).transpose() == P * X and (X * P).transpose() == X * P)
    ok = all(steps.values()) and all(penrose.values())
    return Outcome(passed=ok, result={"steps": steps, "penrose_conditions": penrose},
                   parameters={"r": "symbolic", "r_penrose": list(penrose)},
                   key=("steps", "penrose_conditions"))


@claim.check("exact", "minimum computed exactly for random admissible A_l and z (r = 4..12)",
             method="T_r = B/sqrt(r-1) (B the 0/1 incidence matrix). z = T_r^T u with random "
                    "integer u, so sqrt(r-1) z = B^T u is rational and the constraint reads "
                    "w^T (A B) = u^T B. A_l: random non-negative split rows with squared "
                    "multiples summing to alpha = c^2 per vertex (Pythagorean pairs, "
                    "ncverify.models.srg.exact_split_rows). The minimum is computed by "
                    "ncverify.models.minnorm (solve (AB)^T(AB) y = B^T u by exact row reduction, "
                    "w = (AB) y): no pseudo-inverse, no structure. Compared with the printed "
                    "formula and with the proof's minimiser w = (1/alpha) A (T T^T)^{-1} T z. "
                    "A z outside the row space of T_r is shown to make the constraint "
                    "infeasible.")
def matrices(quick: bool) -> Outcome:
    rng = random.Random(9)
    rows, mismatches = [], []
    for r in range(4, (7 if quick else 12) + 1):
        B = flint.fmpq_mat(incidence_matrix(r))
        for trial in range(2 if quick else 3):
            c = flint.fmpq(rng.randint(1, 5), rng.randint(1, 4))
            A = exact_split_rows(r, 2 * r + 1, c, seed=rng.randrange(10**6))
            u = flint.fmpq_mat(r, 1, [rng.randint(-5, 5) for _ in range(r)])
            zt = (B.transpose() * u).transpose()           # sqrt(r-1) z^T, 1 x K
            M = A * B                                      # sqrt(r-1) A T
            try:
                value = min_norm_value(M, zt)              # min ||w||^2 (sqrt factors cancel)
            except ValueError:  # infeasible constraint: the lemma's minimum does not exist
                mismatches.append([r, trial, "infeasible"])
                continue
            Tz = B * B.transpose() * u                     # (r-1) T z
            printed = published_value(r, c * c, Tz, flint.fmpq(1, (r - 1) ** 2))
            w_min = min_norm_rows(M, zt)
            BBt = B * B.transpose()
            w_proof = (A * BBt.inv() * Tz * flint.fmpq(1, 1) / (c * c)).transpose()
            same_w = w_min == w_proof
            rows.append({"r": r, "alpha": c * c, "min": value, "printed": printed,
                         "proof_minimiser_equal": same_w})
            if value != printed or not same_w:
                mismatches.append([r, trial])
    infeasible = {}
    for r in (5, 6):
        B = flint.fmpq_mat(incidence_matrix(r))
        A = exact_split_rows(r, 2 * r, flint.fmpq(1), seed=r)
        K = B.ncols()
        z = flint.fmpq_mat(1, K, [1 if j == 0 else 0 for j in range(K)])  # e_1: not B^T u
        try:
            consistent_solve((A * B).transpose() * (A * B), z.transpose())
            min_norm_rows(A * B, z)
            infeasible[str(r)] = False
        except ValueError:
            infeasible[str(r)] = True
    ok = not mismatches and all(infeasible.values())
    return Outcome(passed=ok, result={"cases": rows[:12], "cases_checked": len(rows),
                                      "mismatches": mismatches,
                                      "z_outside_row_space_infeasible": infeasible},
                   parameters={"r": [4, 7 if quick else 12], "seed": 9},
                   key=("cases_checked", "mismatches", "z_outside_row_space_infeasible"))
