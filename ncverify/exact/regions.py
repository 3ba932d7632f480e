"""Truth tables over (K, L) and their description by thresholds.

A region of (K, L) that is "up-closed in K" for each L is described by its threshold
``K_min(L)``: the region is ``{(K, L) : K >= K_min(L)}``.  Comparing two regions then means
comparing two threshold maps, which is what a reader can check against a printed theorem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = ["describe_region", "group_by_L", "thresholds", "truth_table"]


def truth_table(pred: Callable[[int, int], bool], Ks: Iterable[int],
                Ls: Iterable[int]) -> set[tuple[int, int]]:
    """The set of (K, L) in ``Ks × Ls`` where ``pred(K, L)`` is true."""
    Ls = list(Ls)
    return {(K, L) for K in Ks for L in Ls if pred(K, L)}


def thresholds(region: set[tuple[int, int]], Ks: Iterable[int],
               Ls: Iterable[int]) -> dict[int, int | None]:
    """``{L: K_min(L)}`` if the region is up-closed in K on the table, else ``ValueError``.

    ``None`` means no K in the table satisfies the predicate for that L.
    """
    Ks = sorted(Ks)
    out: dict[int, int | None] = {}
    for L in Ls:
        inside = [K for K in Ks if (K, L) in region]
        if inside:
            k0 = inside[0]
            if any((K, L) not in region for K in Ks if K >= k0):
                raise ValueError(f"region is not up-closed in K at L={L}")
            out[L] = k0
        else:
            out[L] = None
    return out


def describe_region(th: dict[int, int | None]) -> str:
    """A compact text such as ``"L = 2: K >= 6; L >= 3: K >= 4; L = 1: none"``.

    >>> describe_region({1: None, 2: 6, 3: 4, 4: 4})
    'L = 1: none; L = 2: K >= 6; L >= 3: K >= 4'
    """
    return group_by_L({L: "none" if k is None else f"K >= {k}" for L, k in th.items()})


def group_by_L(texts: dict[int, str]) -> str:
    """Join per-L descriptions, merging runs of consecutive L with the same text; the last run
    is written open-ended (``L >= ...``), as the regions are proven for every larger L.

    >>> group_by_L({1: "none", 2: "none", 3: "K >= 4", 4: "K >= 4"})
    '1 <= L <= 2: none; L >= 3: K >= 4'
    """
    parts = []
    Ls = sorted(texts)
    i = 0
    while i < len(Ls):
        j = i
        while j + 1 < len(Ls) and texts[Ls[j + 1]] == texts[Ls[i]]:
            j += 1
        span = f"L = {Ls[i]}" if i == j else (
            f"L >= {Ls[i]}" if j == len(Ls) - 1 else f"{Ls[i]} <= L <= {Ls[j]}")
        parts.append(f"{span}: {texts[Ls[i]]}")
        i = j + 1
    return "; ".join(parts)
