"""ncverify: symbolic-numeric verification of neural collapse and low-rank bias theory.

Public API::

    import ncverify
    results = ncverify.verify(["gk.thm1"], quick=True)   # list of ClaimResult
    cert = ncverify.load_certificate("certificates/gk.thm1.json")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["__version__", "list_claims", "load_certificate", "verify"]

if TYPE_CHECKING:
    from ncverify.claims import Claim, ClaimResult


def list_claims() -> list[Claim]:
    """Every registered claim (imports the theorem modules once)."""
    import ncverify.papers  # noqa: F401  (registers the claims)
    from ncverify.claims import all_claims

    return all_claims()


def verify(ids: list[str] | str | None = None, quick: bool = False) -> list[ClaimResult]:
    """Run the checks of the claims ``ids`` (all claims when None) and return their results.

    ``ids`` may hold claim ids (``"gk.thm1"``) or paper keys (``"gk"``).  An unknown id raises
    ``ValueError`` naming it and the nearest ids.  Each result has ``.verdict``,
    ``.discrepancies`` and ``.checks``.
    """
    import ncverify.papers  # noqa: F401
    from ncverify.claims import select

    if isinstance(ids, str):
        ids = [ids]
    return [c.run(quick=quick) for c in select(ids)]


def load_certificate(path: str) -> dict:
    """Load and validate a certificate (schema, hash, safe expressions); never executes content."""
    from ncverify.report import load_certificate as _load

    return _load(path)
