"""The claim framework: verdict derivation, error capture, registry lookups."""

import pytest

import ncverify
from ncverify.claims import Claim, Discrepancy, Outcome, UnknownClaimError, Verdict, get, select


def make_claim(*outcomes):
    c = Claim(id="xx.test", paper="xx", label="Test", title="t", source="s", statement="st",
              domain={})
    for i, out in enumerate(outcomes):
        def f(quick, out=out):
            if isinstance(out, Exception):
                raise out
            return out
        c.check("exact", f"c{i}", "m")(f)
    return c


DISC = Discrepancy(kind="typo", published="a", computed="b", evidence="e")


@pytest.mark.parametrize("outcomes, verdict", [
    ([Outcome(True, {})], Verdict.VERIFIED),
    ([Outcome(True, {}, discrepancies=[DISC])], Verdict.VERIFIED_WITH_CORRECTIONS),
    ([Outcome(True, {}), Outcome(False, {"counterexample": 1})], Verdict.REFUTED),
    ([Outcome(True, {}), Outcome(None, {"reason": "x"})], Verdict.INCONCLUSIVE),
    ([Outcome(True, {}), RuntimeError("boom")], Verdict.INCONCLUSIVE),
    ([Outcome(False, {}), RuntimeError("boom")], Verdict.REFUTED),
    ([], Verdict.INCONCLUSIVE),
])
def test_verdict_derivation(outcomes, verdict):
    res = make_claim(*outcomes).run()
    assert res.verdict is verdict
    assert res.verdict.ok == (verdict in (Verdict.VERIFIED, Verdict.VERIFIED_WITH_CORRECTIONS))


def test_exceptions_are_recorded_not_raised():
    res = make_claim(ValueError("bad thing")).run()
    assert "ValueError: bad thing" in res.errors[0]
    assert res.checks[0].to_dict()["result"]["error"].startswith("ValueError: bad thing")


def test_key_results_must_exist():
    with pytest.raises(ValueError, match="key results"):
        Outcome(True, {"a": 1}, key=("b",))


def test_invalid_kinds_rejected():
    with pytest.raises(ValueError, match="check kind"):
        make_claim().check("guess", "x", "m")
    with pytest.raises(ValueError, match="discrepancy kind"):
        Discrepancy(kind="oops", published="", computed="", evidence="")
    with pytest.raises(ValueError, match="must start with its paper key"):
        Claim(id="gk.x", paper="sk", label="", title="", source="", statement="", domain={})


def test_registry_contains_the_first_claims_and_suggests_nearest():
    ids = {c.id for c in ncverify.list_claims()}
    assert {"gk.schatten", "gk.lemma2", "gk.thm1"} <= ids
    with pytest.raises(UnknownClaimError, match="nearest: gk.thm1"):
        get("gk.thm11")
    assert [c.id for c in select(["gk.thm1"])] == ["gk.thm1"]
    assert {c.id for c in select(["gk"])} >= {"gk.thm1", "gk.lemma2"}


def test_public_verify_rejects_unknown_ids():
    with pytest.raises(ValueError, match="unknown claim id 'nope'"):
        ncverify.verify(["nope"])


def test_readme_lists_every_registered_claim():
    from pathlib import Path

    text = (Path(__file__).parent.parent / "README.md").read_text()
    missing = [c.id for c in ncverify.list_claims()
               if f"`{c.id}`" not in text and not c.id.startswith("gk.thmA")]
    assert not missing, f"README claim table misses {missing}"
