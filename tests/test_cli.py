"""The command line: exit codes, one-line errors, certify/check round trip, tampering."""

import json
import subprocess
import sys

import pytest


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "ncverify", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_list_shows_first_claims():
    out = run("list")
    assert out.returncode == 0
    for cid in ("gk.schatten", "gk.lemma2", "gk.thm1"):
        assert cid in out.stdout


def test_unknown_id_is_one_line_exit_2():
    out = run("verify", "nosuch.id")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0
    assert "nosuch.id" in out.stderr and "nearest" in out.stderr
    assert "Traceback" not in out.stderr


def test_bad_option_exit_2():
    out = run("verify", "--bogus")
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_verify_quick_and_json(tmp_path):
    f = tmp_path / "r.json"
    out = run("verify", "gk.lemma2", "--quick", "--json", str(f))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "verified" in out.stdout
    data = json.loads(f.read_text())
    assert data[0]["claim"]["id"] == "gk.lemma2"


@pytest.fixture(scope="module")
def certdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("certs")
    out = run("certify", "gk.lemma2", "gk.schatten", "--quick", "--out", str(d))
    assert out.returncode == 0, out.stdout + out.stderr
    return d


def test_certify_writes_all_files(certdir):
    names = {p.name for p in certdir.iterdir()}
    assert {"gk.lemma2.json", "gk.lemma2.md", "gk.schatten.json", "gk.schatten.md", "index.md",
            "index.html"} <= names
    assert not [n for n in names if n.endswith(".tmp")]


def test_check_passes_then_detects_one_byte_edit(certdir, tmp_path):
    assert run("check", str(certdir)).returncode == 0
    bad = tmp_path / "gk.lemma2.json"
    text = (certdir / "gk.lemma2.json").read_text()
    bad.write_text(text.replace('"verified"', '"verifiee"', 1))
    out = run("check", str(bad))
    assert out.returncode == 1
    assert "gk.lemma2.json" in out.stdout and "Traceback" not in out.stdout + out.stderr


def test_check_missing_path_exit_2():
    out = run("check", "/no/such/path")
    assert out.returncode == 2 and out.stderr.count("\n") == 1
