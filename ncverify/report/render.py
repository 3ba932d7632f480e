"""Markdown and HTML renderings of certificates: per claim, and an index over a folder."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

__all__ = ["certificate_markdown", "index_html", "index_markdown"]


def _fmt(v: Any, limit: int = 400) -> str:
    if isinstance(v, dict) and set(v) == {"expr"}:
        s = v["expr"]
    elif isinstance(v, str):
        s = v
    else:
        s = json.dumps(v, ensure_ascii=False, sort_keys=True)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def certificate_markdown(cert: dict[str, Any]) -> str:
    """Markdown page of one certificate: statement, verdict, checks, discrepancies."""
    c = cert["claim"]
    out = [f"# {c['id']} — {c['label']}: {c.get('title', '')}", "",
           f"**Verdict: `{cert['verdict']}`**", "",
           f"Source: `{c['source']}`" + ("  (statement *reconstructed*)" if c.get(
               "reconstructed") else ""), "", "## Published statement", ""]
    out += ["> " + line for line in c["statement"].splitlines()] + [""]
    out += ["## Domain", "", "```json", json.dumps(c["domain"], indent=2, ensure_ascii=False),
            "```", "", "## Checks", ""]
    out += ["| kind | check | passed | seconds |", "|---|---|---|---|"]
    for chk in cert["checks"]:
        out.append(f"| {chk['kind']} | {_md_cell(chk['name'])} | {chk['passed']} | "
                   f"{chk['seconds']:.3f} |")
    for chk in cert["checks"]:
        out += ["", f"### {chk['kind']}: {chk['name']}", "", f"*Method.* {chk['method']}", "",
                "*Parameters.* `" + _fmt(chk["parameters"], 1000) + "`", "", "| result | value |",
                "|---|---|"]
        for k, v in chk["result"].items():
            mark = " (key)" if k in chk.get("key", []) else ""
            out.append(f"| {_md_cell(k)}{mark} | {_md_cell(_fmt(v))} |")
    out += ["", "## Discrepancies", ""]
    if cert["discrepancies"]:
        out += ["| kind | published | computed | evidence |", "|---|---|---|---|"]
        for d in cert["discrepancies"]:
            loc = f" ({d['location']})" if d.get("location") else ""
            out.append(f"| {d['kind']}{_md_cell(loc)} | {_md_cell(d['published'])} | "
                       f"{_md_cell(d['computed'])} | {_md_cell(d['evidence'])} |")
    else:
        out.append("None: every printed formula this claim checks agrees with the computation.")
    env = ", ".join(f"{k} {v}" for k, v in cert["environment"].items())
    out += ["", f"Created {cert['created']} with {env}.", "", f"SHA-256: `{cert['sha256']}`", ""]
    return "\n".join(out)


def index_markdown(certs: Sequence[dict[str, Any]]) -> str:
    """Verdict table and all discrepancies for a folder of certificates."""
    out = ["# ncverify certificates", "", "| claim | label | verdict | checks | discrepancies |",
           "|---|---|---|---|---|"]
    for cert in certs:
        c = cert["claim"]
        n_ok = sum(1 for chk in cert["checks"] if chk["passed"] is True)
        out.append(f"| [{c['id']}]({c['id']}.md) | {c['label']} | `{cert['verdict']}` | "
                   f"{n_ok}/{len(cert['checks'])} | {len(cert['discrepancies'])} |")
    out += ["", "## Discrepancies", ""]
    rows = [(cert["claim"]["id"], d) for cert in certs for d in cert["discrepancies"]]
    if rows:
        out += ["| claim | kind | published | computed |", "|---|---|---|---|"]
        out += [f"| {cid} | {d['kind']} | {_md_cell(d['published'])} | {_md_cell(d['computed'])} |"
                for cid, d in rows]
    else:
        out.append("None.")
    return "\n".join(out) + "\n"


_CSS = """body{font-family:system-ui,sans-serif;max-width:75em;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;
vertical-align:top;text-align:left}.verified{color:#060}.verified-with-corrections{color:#a60}
.refuted{color:#b00}.inconclusive{color:#555}blockquote{border-left:3px solid #ccc;margin:0;
padding-left:1em;white-space:pre-wrap}code{font-size:90%}details{margin:.5em 0}"""


def index_html(certs: Sequence[dict[str, Any]]) -> str:
    """A self-contained HTML page: verdict table, discrepancies, and each claim's checks."""
    e = html.escape
    rows = "".join(
        f"<tr><td><a href='#{e(c['claim']['id'])}'>{e(c['claim']['id'])}</a></td>"
        f"<td>{e(c['claim']['label'])}</td><td class='{e(c['verdict'])}'>{e(c['verdict'])}</td>"
        f"<td>{sum(1 for k in c['checks'] if k['passed'] is True)}/{len(c['checks'])}</td>"
        f"<td>{len(c['discrepancies'])}</td></tr>" for c in certs)
    disc = "".join(
        f"<tr><td>{e(c['claim']['id'])}</td><td>{e(d['kind'])}</td><td>{e(d['published'])}</td>"
        f"<td>{e(d['computed'])}</td><td>{e(d['evidence'])}</td></tr>"
        for c in certs for d in c["discrepancies"])
    sections = []
    for c in certs:
        cl = c["claim"]
        checks = "".join(
            f"<details><summary>{e(k['kind'])}: {e(k['name'])} — passed: {e(str(k['passed']))}"
            f" ({k['seconds']:.2f} s)</summary><p><em>Method.</em> {e(k['method'])}</p>"
            f"<p><em>Parameters.</em> <code>{e(_fmt(k['parameters'], 2000))}</code></p><table>"
            + "".join(f"<tr><td>{e(rk)}</td><td><code>{e(_fmt(rv))}</code></td></tr>"
                      for rk, rv in k["result"].items()) + "</table></details>"
            for k in c["checks"])
        sections.append(
            f"<section id='{e(cl['id'])}'><h2>{e(cl['id'])} — {e(cl['label'])}: "
            f"{e(cl.get('title', ''))}</h2><p>Verdict: <b class='{e(c['verdict'])}'>"
            f"{e(c['verdict'])}</b>. Source: <code>{e(cl['source'])}</code></p>"
            f"<blockquote>{e(cl['statement'])}</blockquote>{checks}"
            f"<p><small>SHA-256 {e(c['sha256'])}</small></p></section>")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>ncverify "
        f"certificates</title><style>{_CSS}</style></head><body><h1>ncverify certificates</h1>"
        "<table><tr><th>claim</th><th>label</th><th>verdict</th><th>checks passed</th>"
        f"<th>discrepancies</th></tr>{rows}</table><h2>Discrepancies</h2>"
        + (f"<table><tr><th>claim</th><th>kind</th><th>published</th><th>computed</th>"
           f"<th>evidence</th></tr>{disc}</table>" if disc else "<p>None.</p>")
        + "".join(sections) + "</body></html>\n")
