"""Re-checking stored certificates: hash and schema, then a replay of the claim's checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ncverify.claims import ClaimResult, UnknownClaimError, get
from ncverify.report.certificate import CertificateError, build_certificate, load_certificate
from ncverify.report.jsonable import keys_match

__all__ = ["certificate_files", "compare", "replay_file"]


def certificate_files(path: str | Path) -> list[Path]:
    """The certificate files at ``path``: the file itself, or every ``*.json`` in a folder."""
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.glob("*.json") if not f.name.startswith("."))
        if not files:
            raise CertificateError(f"{p}: no certificate (*.json) in this folder")
        return files
    if not p.exists():
        raise CertificateError(f"{p}: no such file or folder")
    return [p]


def compare(stored: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    """Differences between a stored certificate and a fresh one of the same claim."""
    out = []
    for k in ("statement", "source", "domain"):
        if stored["claim"][k] != fresh["claim"][k]:
            out.append(f"claim {k} changed since certification (re-run ncverify certify)")
    if stored["verdict"] != fresh["verdict"]:
        out.append(f"verdict {stored['verdict']} -> {fresh['verdict']} on replay")
    fresh_checks = {c["name"]: c for c in fresh["checks"]}
    for c in stored["checks"]:
        f = fresh_checks.get(c["name"])
        if f is None:
            out.append(f"check {c['name']!r} no longer exists")
            continue
        if c["passed"] != f["passed"]:
            out.append(f"check {c['name']!r}: passed {c['passed']} -> {f['passed']}")
        for k in c.get("key", []):
            if k not in c["result"] or k not in f["result"]:
                out.append(f"check {c['name']!r}: key result {k!r} missing")
            elif not keys_match(c["result"][k], f["result"][k]):
                out.append(f"check {c['name']!r}: key result {k!r} differs on replay")
    if len(stored["checks"]) != len(fresh["checks"]):
        out.append("the claim has a different number of checks now")
    sd = [(d["kind"], d["published"], d["computed"]) for d in stored["discrepancies"]]
    fd = [(d["kind"], d["published"], d["computed"]) for d in fresh["discrepancies"]]
    if sd != fd:
        out.append("the discrepancies differ on replay")
    return out


def replay_file(path: Path) -> tuple[dict[str, Any] | None, list[str], ClaimResult | None]:
    """Load, validate and replay one certificate; return (certificate, problems, fresh result).

    Problems are one-line messages; an empty list means the certificate checks out.
    """
    try:
        cert = load_certificate(path)
    except CertificateError as exc:
        return None, [str(exc)], None
    try:
        claim = get(cert["claim"]["id"])
    except UnknownClaimError as exc:
        return cert, [f"{path}: {exc}"], None
    quick = any(c["parameters"].get("mode") == "quick" for c in cert["checks"])
    result = claim.run(quick=quick)
    fresh = build_certificate(result)
    return cert, [f"{path}: {p}" for p in compare(cert, fresh)], result
