"""Certificates: schema ``ncverify.certificate/1``, canonical-JSON SHA-256, atomic writes, loading.

A certificate is JSON data only.  Loading validates the structure, recomputes the hash (any edit
is tampering) and parses stored expressions with the restricted parser; nothing is evaluated.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import tempfile
from pathlib import Path
from typing import Any

from ncverify.claims import DISCREPANCY_KINDS, ClaimResult, Verdict
from ncverify.report.jsonable import to_jsonable, validate_expressions
from ncverify.report.safe_expr import UnsafeExpressionError

__all__ = [
    "SCHEMA",
    "CertificateError",
    "atomic_write",
    "build_certificate",
    "canonical_json",
    "certificate_hash",
    "environment",
    "load_certificate",
    "validate_certificate",
]

SCHEMA = "ncverify.certificate/1"
_TOP = ("schema", "claim", "verdict", "checks", "discrepancies", "environment", "created",
        "sha256")
_CLAIM = ("id", "paper", "label", "source", "statement", "domain")
_CHECK = ("kind", "name", "method", "parameters", "result", "passed", "seconds")
_DISC = ("kind", "published", "computed", "evidence")
_MAX_BYTES = 20_000_000


class CertificateError(ValueError):
    """A certificate file that is malformed, truncated, unsafe or tampered with."""


def environment() -> dict[str, str]:
    """Versions of everything a result depends on."""
    import flint
    import mpmath
    import numpy
    import scipy
    import sympy

    from ncverify import __version__

    return {"ncverify": __version__, "python": platform.python_version(),
            "sympy": sympy.__version__, "mpmath": mpmath.__version__,
            "numpy": numpy.__version__, "scipy": scipy.__version__,
            "flint": flint.__version__}


def canonical_json(obj: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no whitespace: the bytes the hash is taken of."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def certificate_hash(cert: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of everything in ``cert`` but its ``sha256`` field."""
    return hashlib.sha256(canonical_json({k: v for k, v in cert.items()
                                          if k != "sha256"})).hexdigest()


def build_certificate(result: ClaimResult, created: str | None = None) -> dict[str, Any]:
    """The certificate of one claim's result, hashed."""
    checks = []
    for c in result.checks:
        d = c.to_dict()
        d["parameters"] = {"mode": "quick" if result.quick else "full", **d["parameters"]}
        checks.append(d)
    cert = {
        "schema": SCHEMA,
        "claim": result.claim.to_dict(),
        "verdict": result.verdict.value,
        "checks": checks,
        "discrepancies": [d.to_dict() for d in result.discrepancies],
        "environment": environment(),
        "created": created or _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    cert = to_jsonable(cert)
    cert["sha256"] = certificate_hash(cert)
    return cert


def validate_certificate(cert: Any, name: str = "certificate") -> dict[str, Any]:
    """Check structure, types, expressions and hash; raise :class:`CertificateError` (one line)."""
    def bad(msg: str) -> CertificateError:
        return CertificateError(f"{name}: {msg}")

    if not isinstance(cert, dict):
        raise bad("top level is not a JSON object")
    missing = [k for k in _TOP if k not in cert]
    if missing:
        raise bad(f"missing field(s) {', '.join(missing)}")
    extra = [k for k in cert if k not in _TOP]
    if extra:
        raise bad(f"unknown field(s) {', '.join(extra)}")
    if cert["schema"] != SCHEMA:
        raise bad(f"schema is {cert['schema']!r}, expected {SCHEMA!r}")
    claim = cert["claim"]
    if not isinstance(claim, dict) or any(k not in claim for k in _CLAIM):
        raise bad("claim must be an object with " + ", ".join(_CLAIM))
    if not all(isinstance(claim[k], str) for k in _CLAIM if k != "domain"):
        raise bad("claim fields must be strings")
    if cert["verdict"] not in {v.value for v in Verdict}:
        raise bad(f"unknown verdict {cert['verdict']!r}")
    if not isinstance(cert["checks"], list) or not cert["checks"]:
        raise bad("checks must be a non-empty list")
    for i, chk in enumerate(cert["checks"]):
        if not isinstance(chk, dict) or any(k not in chk for k in _CHECK):
            raise bad(f"check {i} must have fields " + ", ".join(_CHECK))
        if chk["passed"] not in (True, False, None):
            raise bad(f"check {i}: passed must be true, false or null")
        if not isinstance(chk["result"], dict) or not isinstance(chk["parameters"], dict):
            raise bad(f"check {i}: result and parameters must be objects")
    if not isinstance(cert["discrepancies"], list):
        raise bad("discrepancies must be a list")
    for i, d in enumerate(cert["discrepancies"]):
        if not isinstance(d, dict) or any(not isinstance(d.get(k), str) for k in _DISC):
            raise bad(f"discrepancy {i} must have string fields " + ", ".join(_DISC))
        if d["kind"] not in DISCREPANCY_KINDS:
            raise bad(f"discrepancy {i}: unknown kind {d['kind']!r}")
    if not isinstance(cert["environment"], dict) or not isinstance(cert["created"], str):
        raise bad("environment must be an object and created a string")
    if not isinstance(cert["sha256"], str) or len(cert["sha256"]) != 64:
        raise bad("sha256 must be a 64-character hex digest")
    try:
        validate_expressions(cert["checks"])
    except UnsafeExpressionError as exc:
        raise bad(f"stored expression rejected by the restricted parser ({exc})") from None
    try:
        digest = certificate_hash(cert)
    except ValueError as exc:
        raise bad(f"not canonical JSON data ({exc})") from None
    if digest != cert["sha256"]:
        raise bad("sha256 does not match the content: the file was edited after it was "
                  "certified (tampering)")
    return cert


def load_certificate(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and validate a certificate file; it is parsed as JSON data and never executed.

    Raises :class:`CertificateError` with a one-line message for unreadable, malformed, truncated,
    unsafe or tampered files.
    """
    p = Path(path)
    try:
        if p.stat().st_size > _MAX_BYTES:
            raise CertificateError(f"{p}: larger than {_MAX_BYTES} bytes")
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise CertificateError(f"{p}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise CertificateError(f"{p}: not UTF-8 text") from None

    def no_constants(c: str) -> Any:
        raise CertificateError(f"{p}: non-standard JSON constant {c}")

    try:
        data = json.loads(text, parse_constant=no_constants)
    except json.JSONDecodeError as exc:
        raise CertificateError(f"{p}: not valid JSON ({exc.msg} at line {exc.lineno}); "
                               "truncated or corrupted") from None
    except RecursionError:
        raise CertificateError(f"{p}: JSON nested too deeply") from None
    return validate_certificate(data, name=str(p))


def atomic_write(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and ``os.replace``,
    so an interruption leaves either the old file or the new one, never half of one."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dumps_certificate(cert: dict[str, Any]) -> str:
    """Human-readable JSON of a certificate (the hash is of the canonical form, not this one)."""
    return json.dumps(cert, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
