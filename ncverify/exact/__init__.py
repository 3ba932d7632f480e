"""Exact deciders: inequalities between algebraic numbers, truth tables over (K, L), and exact
matrix identities (SymPy and python-flint, never floats)."""

from ncverify.exact.matrices import charpoly_from_spectrum, charpoly_of, to_fmpq_mat, to_fmpz_mat
from ncverify.exact.powers import rational_power_cmp, rational_power_less
from ncverify.exact.regions import describe_region, thresholds, truth_table

__all__ = [
    "charpoly_from_spectrum",
    "charpoly_of",
    "describe_region",
    "rational_power_cmp",
    "rational_power_less",
    "thresholds",
    "to_fmpq_mat",
    "to_fmpz_mat",
    "truth_table",
]
