"""The claim framework: Claim, Check, Outcome, Discrepancy, Verdict and their results.

A :class:`Claim` is one numbered statement of a paper (its verbatim text, where it is printed and
the parameter domain it speaks about) together with the checks that decide it.  A check is a plain
function returning an :class:`Outcome`; :meth:`Claim.run` times each check, turns exceptions into
an ``inconclusive`` outcome (never a crash) and derives the claim's :class:`Verdict`.
"""

from __future__ import annotations

import enum
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CHECK_KINDS",
    "DISCREPANCY_KINDS",
    "Check",
    "CheckResult",
    "Claim",
    "ClaimResult",
    "Discrepancy",
    "Outcome",
    "Verdict",
]

#: Check kinds, strongest first (DESIGN.md, "Claims").
CHECK_KINDS = ("exact", "rigorous", "highprec", "empirical")

#: What a discrepancy between the printed text and the computed truth can be.
DISCREPANCY_KINDS = (
    "typo",  # a printed formula differs from what its own derivation gives
    "wrong-constant",  # a constant or coefficient is wrong
    "undefined-notation",  # a symbol the formula needs is never defined; the value it must take
    "threshold-weaker",  # the stated range is smaller than what the proof establishes
    "threshold-stronger",  # the stated range is larger than what the proof establishes
    "false-on-part-of-domain",  # the statement fails for some parameters it covers
)


class Verdict(enum.StrEnum):
    """A claim's verdict (DESIGN.md): the value is the string written to certificates."""

    VERIFIED = "verified"
    VERIFIED_WITH_CORRECTIONS = "verified-with-corrections"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"

    @property
    def ok(self) -> bool:
        """True for the two verdicts under which ``ncverify verify`` exits 0."""
        return self in (Verdict.VERIFIED, Verdict.VERIFIED_WITH_CORRECTIONS)


@dataclass(frozen=True)
class Discrepancy:
    """A difference between what a paper prints and what computation gives."""

    kind: str
    published: str
    computed: str
    evidence: str
    location: str = ""

    def __post_init__(self) -> None:
        if self.kind not in DISCREPANCY_KINDS:
            raise ValueError(f"discrepancy kind {self.kind!r} is not one of {DISCREPANCY_KINDS}")

    def to_dict(self) -> dict[str, str]:
        d = {"kind": self.kind, "published": self.published, "computed": self.computed,
             "evidence": self.evidence}
        if self.location:
            d["location"] = self.location
        return d


@dataclass
class Outcome:
    """What a check function returns.

    ``passed`` is True (the check supports the claim), False (a counterexample: ``result`` must
    hold it) or None (the check could not decide; ``result["reason"]`` says why).  ``key`` names
    the entries of ``result`` that are deterministic and are compared when a certificate is
    replayed by ``ncverify check``; everything else (timings, float residuals that depend on the
    BLAS) is informative only.
    """

    passed: bool | None
    result: dict[str, Any]
    parameters: dict[str, Any] = field(default_factory=dict)
    key: tuple[str, ...] = ()
    discrepancies: list[Discrepancy] = field(default_factory=list)

    def __post_init__(self) -> None:
        missing = [k for k in self.key if k not in self.result]
        if missing:
            raise ValueError(f"key results {missing} are not in the check's result")


@dataclass(frozen=True)
class Check:
    """One check of a claim: a function of ``quick`` returning an :class:`Outcome`."""

    name: str
    kind: str
    method: str
    func: Callable[[bool], Outcome]

    def __post_init__(self) -> None:
        if self.kind not in CHECK_KINDS:
            raise ValueError(f"check kind {self.kind!r} is not one of {CHECK_KINDS}")


@dataclass
class CheckResult:
    """A check after it ran: its outcome, or the error that stopped it, and its wall time."""

    check: Check
    outcome: Outcome
    seconds: float
    error: str | None = None

    @property
    def passed(self) -> bool | None:
        return None if self.error else self.outcome.passed

    def to_dict(self) -> dict[str, Any]:
        result = dict(self.outcome.result)
        if self.error:
            result["error"] = self.error
        return {
            "kind": self.check.kind,
            "name": self.check.name,
            "method": self.check.method,
            "parameters": self.outcome.parameters,
            "result": result,
            "key": list(self.outcome.key),
            "passed": self.passed,
            "seconds": round(self.seconds, 4),
        }


@dataclass
class ClaimResult:
    """A claim after all its checks ran."""

    claim: Claim
    checks: list[CheckResult]
    quick: bool

    @property
    def discrepancies(self) -> list[Discrepancy]:
        out: list[Discrepancy] = []
        for c in self.checks:
            for d in c.outcome.discrepancies:
                if d not in out:
                    out.append(d)
        return out

    @property
    def errors(self) -> list[str]:
        return [f"{c.check.name}: {c.error}" for c in self.checks if c.error]

    @property
    def verdict(self) -> Verdict:
        """Derived, never stored: refuted if any check found a counterexample, inconclusive if
        any check could not decide (or crashed), else verified, with corrections when a
        discrepancy was recorded."""
        passed = [c.passed for c in self.checks]
        if not self.checks:
            return Verdict.INCONCLUSIVE
        if any(p is False for p in passed):
            return Verdict.REFUTED
        if any(p is None for p in passed):
            return Verdict.INCONCLUSIVE
        return Verdict.VERIFIED_WITH_CORRECTIONS if self.discrepancies else Verdict.VERIFIED

    @property
    def seconds(self) -> float:
        return sum(c.seconds for c in self.checks)


@dataclass
class Claim:
    """A numbered statement of a paper with the checks that decide it.

    ``id`` is public API (``<paper>.<label>``).  ``statement`` is the published text verbatim
    (or, when ``reconstructed`` is true, our reconstruction of a statement whose formulas were
    lost in extraction).  ``domain`` is the parameter range the statement speaks about.
    """

    id: str
    paper: str
    label: str
    title: str
    source: str
    statement: str
    domain: dict[str, Any]
    reconstructed: bool = False
    checks: list[Check] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.id.startswith(self.paper + "."):
            raise ValueError(f"claim id {self.id!r} must start with its paper key {self.paper!r}")

    def check(self, kind: str, name: str, method: str) -> Callable[[Callable[[bool], Outcome]],
                                                                   Callable[[bool], Outcome]]:
        """Decorator registering ``func(quick) -> Outcome`` as a check of this claim."""
        if kind not in CHECK_KINDS:
            raise ValueError(f"check kind {kind!r} is not one of {CHECK_KINDS}")

        def deco(func: Callable[[bool], Outcome]) -> Callable[[bool], Outcome]:
            if any(c.name == name for c in self.checks):
                raise ValueError(f"claim {self.id} already has a check named {name!r}")
            self.checks.append(Check(name=name, kind=kind, method=method, func=func))
            return func

        return deco

    def run(self, quick: bool = False,
            on_check: Callable[[Check], None] | None = None) -> ClaimResult:
        """Run every check; an exception becomes an inconclusive check carrying its message.

        Checks run with one BLAS thread: their matrices are small, and a second thread only
        adds contention (timings of a SciPy check varied 0.9-12.8 s with two threads under load).
        """
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            return self._run(quick, on_check)

    def _run(self, quick: bool, on_check: Callable[[Check], None] | None) -> ClaimResult:
        results = []
        for chk in self.checks:
            if on_check is not None:
                on_check(chk)
            t0 = time.perf_counter()
            try:
                outcome = chk.func(quick)
                if not isinstance(outcome, Outcome):
                    raise TypeError(f"check {chk.name!r} returned {type(outcome).__name__}")
                error = None
            except Exception as exc:  # a failing check must not stop the suite
                tb = traceback.extract_tb(exc.__traceback__)[-1]
                error = f"{type(exc).__name__}: {exc} (at {tb.filename}:{tb.lineno})"
                outcome = Outcome(passed=None, result={"reason": "the check raised an error"})
            results.append(CheckResult(chk, outcome, time.perf_counter() - t0, error))
        return ClaimResult(self, results, quick)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id, "paper": self.paper, "label": self.label, "title": self.title,
            "source": self.source, "statement": self.statement, "domain": self.domain,
        }
        if self.reconstructed:
            d["reconstructed"] = True
        return d
