"""Certificates: schema, canonical hash, tampering, unsafe content, atomic writes, rendering."""

import json
import os

import pytest

import ncverify
from ncverify.report import (
    CertificateError,
    UnsafeExpressionError,
    atomic_write,
    build_certificate,
    certificate_hash,
    certificate_markdown,
    compare,
    dumps_certificate,
    index_html,
    index_markdown,
    load_certificate,
    parse_expression,
)


@pytest.fixture(scope="module")
def cert():
    (res,) = ncverify.verify(["gk.lemma2"], quick=True)
    return build_certificate(res)


def write(tmp_path, data, name="c.json"):
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else dumps_certificate(data), encoding="utf-8")
    return p


def test_schema_fields_exactly(cert):
    assert list(cert) == ["schema", "claim", "verdict", "checks", "discrepancies", "environment",
                          "created", "sha256"]
    assert cert["schema"] == "ncverify.certificate/1"
    assert {"ncverify", "python", "sympy", "mpmath", "numpy", "flint"} <= set(cert["environment"])
    assert cert["sha256"] == certificate_hash(cert)


def test_round_trip(tmp_path, cert):
    assert load_certificate(write(tmp_path, cert)) == cert


def test_one_byte_edit_is_tampering(tmp_path, cert):
    text = dumps_certificate(cert).replace('"pairs_checked": ', '"pairs_checked": 1', 1)
    with pytest.raises(CertificateError, match="tampering"):
        load_certificate(write(tmp_path, text))


def test_rehashed_edit_is_caught_on_replay(cert):
    forged = json.loads(json.dumps(cert))
    forged["checks"][1]["result"]["pairs_checked"] += 1
    forged["sha256"] = certificate_hash(forged)
    (res,) = ncverify.verify(["gk.lemma2"], quick=True)
    problems = compare(forged, build_certificate(res))
    assert any("pairs_checked" in p for p in problems)


@pytest.mark.parametrize("text, match", [
    ('{"schema": "ncverify.certificate/1"', "truncated"),
    ("[1, 2]", "not a JSON object"),
    ('{"a": NaN}', "non-standard JSON constant"),
    ("\udcff", "not UTF-8|not valid JSON"),
])
def test_malformed_files_give_one_line_errors(tmp_path, text, match):
    p = tmp_path / "bad.json"
    try:
        p.write_text(text, encoding="utf-8")
    except UnicodeEncodeError:
        p.write_bytes(b"\xff\xfe{")
    with pytest.raises(CertificateError, match=match) as exc:
        load_certificate(p)
    assert "\n" not in str(exc.value)


def test_crafted_certificate_cannot_run_code(tmp_path, cert):
    marker = tmp_path / "pwned"
    evil = json.loads(json.dumps(cert))
    payload = f"__import__('os').system('touch {marker}')"
    evil["checks"][0]["result"]["evil"] = {"expr": payload}
    evil["claim"]["statement"] = payload
    evil["sha256"] = certificate_hash(evil)  # a correct hash does not make it safe
    with pytest.raises(CertificateError, match="restricted parser"):
        load_certificate(write(tmp_path, evil))
    assert not marker.exists()


@pytest.mark.parametrize("text", ["().__class__", "lambda: 1", "a.b", "x[0]", "f(1)",
                                  "__import__('os')", "'s'", "2**99999999"])
def test_restricted_parser_rejects(text):
    with pytest.raises(UnsafeExpressionError):
        parse_expression(text)


def test_restricted_parser_accepts_what_we_store():
    e = parse_expression("3*5**(1/3)*a**(2/3)*(K - 1)/2048 + log(1 + 3*exp(-a))")
    assert str(e) == "3*5**(1/3)*a**(2/3)*(K - 1)/2048 + log(1 + 3*exp(-a))"


def test_atomic_write_leaves_old_file_on_interruption(tmp_path, monkeypatch):
    p = tmp_path / "x.json"
    atomic_write(p, "old")

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(p, "new")
    assert p.read_text() == "old"
    assert [f.name for f in tmp_path.iterdir()] == ["x.json"]


def test_renderings_show_statement_verdict_checks_discrepancies():
    res = ncverify.verify(["gk.thm1"], quick=True)
    c = build_certificate(res[0])
    md = certificate_markdown(c)
    assert "Theorem 1" in md and "verified-with-corrections" in md
    assert "| typo" in md and "Z_DNC" in md
    assert all(chk["name"] in md for chk in c["checks"])
    assert "gk.thm1" in index_markdown([c])
    html = index_html([c])
    assert html.startswith("<!doctype html>") and "<script" not in html
    assert "I_K − 1_K 1_Kᵀ" in html
