"""Certificates: schema, hashing, atomic writes, safe loading, rendering and replay."""

from ncverify.report.certificate import (
    SCHEMA,
    CertificateError,
    atomic_write,
    build_certificate,
    canonical_json,
    certificate_hash,
    dumps_certificate,
    environment,
    load_certificate,
    validate_certificate,
)
from ncverify.report.render import certificate_markdown, index_html, index_markdown
from ncverify.report.replay import certificate_files, compare, replay_file
from ncverify.report.safe_expr import UnsafeExpressionError, parse_expression

__all__ = [
    "SCHEMA",
    "CertificateError",
    "UnsafeExpressionError",
    "atomic_write",
    "build_certificate",
    "canonical_json",
    "certificate_files",
    "certificate_hash",
    "certificate_markdown",
    "compare",
    "dumps_certificate",
    "environment",
    "index_html",
    "index_markdown",
    "load_certificate",
    "parse_expression",
    "replay_file",
    "validate_certificate",
]
