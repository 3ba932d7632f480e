"""The claim registry: theorem modules register their claim; the CLI and tests enumerate it.

The registry imports no paper module (arrows point down, DESIGN.md): ``ncverify.papers`` imports
each theorem module, which calls :func:`register`.
"""

from __future__ import annotations

import difflib

from ncverify.claims.model import Claim

__all__ = ["UnknownClaimError", "all_claims", "get", "nearest", "register", "select"]

_REGISTRY: dict[str, Claim] = {}


class UnknownClaimError(ValueError):
    """An id that names no registered claim; the message suggests the nearest ids."""


def register(claim: Claim) -> Claim:
    """Add ``claim`` to the registry; ids are unique."""
    if claim.id in _REGISTRY and _REGISTRY[claim.id] is not claim:
        raise ValueError(f"claim id {claim.id!r} is registered twice")
    _REGISTRY[claim.id] = claim
    return claim


def all_claims() -> list[Claim]:
    """Every registered claim, in a stable order (paper, then registration order)."""
    order = {"gk": 0, "sk": 1, "zg": 2}
    return sorted(_REGISTRY.values(), key=lambda c: order.get(c.paper, 9))


def nearest(claim_id: str, n: int = 3) -> list[str]:
    """The registered ids closest to ``claim_id`` (for "did you mean" messages)."""
    ids = list(_REGISTRY)
    close = difflib.get_close_matches(claim_id, ids, n=n, cutoff=0.4)
    if not close:  # always offer something: the ids most similar by ratio
        ratio = {i: difflib.SequenceMatcher(None, claim_id, i).ratio() for i in ids}
        close = sorted(ids, key=lambda i: -ratio[i])[:n]
    return close


def get(claim_id: str) -> Claim:
    """The claim with this id, or :class:`UnknownClaimError` naming the nearest ids."""
    try:
        return _REGISTRY[claim_id]
    except KeyError:
        near = nearest(claim_id)
        hint = f"; nearest: {', '.join(near)}" if near else ""
        raise UnknownClaimError(f"unknown claim id {claim_id!r}{hint}") from None


def select(ids: list[str] | tuple[str, ...] | None) -> list[Claim]:
    """Claims for ``ids`` (all when empty); a paper key such as ``gk`` selects its claims."""
    if not ids:
        return all_claims()
    out: list[Claim] = []
    for i in ids:
        group = [c for c in all_claims() if c.paper == i]
        for c in group or [get(i)]:
            if c not in out:
                out.append(c)
    return out
