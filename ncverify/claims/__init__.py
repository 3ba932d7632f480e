"""Claim framework: claims, checks, verdicts, discrepancies and the registry."""

from ncverify.claims.model import (
    CHECK_KINDS,
    DISCREPANCY_KINDS,
    Check,
    CheckResult,
    Claim,
    ClaimResult,
    Discrepancy,
    Outcome,
    Verdict,
)
from ncverify.claims.registry import UnknownClaimError, all_claims, get, nearest, register, select

__all__ = [
    "CHECK_KINDS",
    "DISCREPANCY_KINDS",
    "Check",
    "CheckResult",
    "Claim",
    "ClaimResult",
    "Discrepancy",
    "Outcome",
    "UnknownClaimError",
    "Verdict",
    "all_claims",
    "get",
    "nearest",
    "register",
    "select",
]
