"""Certified and high-precision numerics: Arb balls (python-flint) and mpmath root finding."""

from ncverify.rigorous.balls import arb_from_mpf, certified_less
from ncverify.rigorous.scalar import (
    ScalarMinimum,
    bracketed_root,
    critical_points,
    minimise_on_halfline,
)
from ncverify.rigorous.thresholds import DepthThreshold, depth_threshold, singular_values_ball

__all__ = [
    "DepthThreshold",
    "ScalarMinimum",
    "arb_from_mpf",
    "bracketed_root",
    "certified_less",
    "critical_points",
    "depth_threshold",
    "minimise_on_halfline",
    "singular_values_ball",
]
