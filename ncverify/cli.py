"""The ``ncverify`` command line: list, verify, certify, check.

Exit codes: 0 when every selected claim is verified (with or without corrections), 1 when a claim
is refuted, inconclusive or errored or a certificate does not check out, 2 for usage errors (one
line on stderr, never a traceback).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ncverify.claims import ClaimResult, UnknownClaimError, Verdict

_out = Console(highlight=False)
_err = Console(stderr=True, highlight=False)
if not _out.is_terminal:  # logs and pipes: wide enough that the tables do not wrap
    _out = Console(highlight=False, width=160)

_STYLE = {"verified": "green", "verified-with-corrections": "yellow", "refuted": "red",
          "inconclusive": "magenta"}


class UsageError(click.UsageError):
    """A bad argument: printed as one line, exit 2."""


def _claims(ids: Sequence[str]):
    import ncverify.papers  # noqa: F401  (registers every claim)
    from ncverify.claims import select

    try:
        return select(list(ids))
    except UnknownClaimError as exc:
        raise UsageError(str(exc)) from None


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                    "{task.total}"), TimeElapsedColumn(), console=_err, transient=True)


def _run(claims, quick: bool) -> list[ClaimResult]:
    results = []
    with _progress() as prog:
        total = sum(len(c.checks) for c in claims)
        task = prog.add_task("verifying", total=total)
        for claim in claims:
            def on_check(chk, claim=claim):
                prog.update(task, description=f"{claim.id}: {chk.name}")

            res = claim.run(quick=quick, on_check=on_check)
            prog.advance(task, len(claim.checks))
            results.append(res)
    return results


def _verdict_table(results: list[ClaimResult]) -> None:
    table = Table(title="ncverify verdicts")
    for col in ("claim", "label", "verdict", "checks", "seconds", "discrepancies"):
        table.add_column(col, justify="right" if col in ("seconds", "checks") else "left")
    for r in results:
        v = r.verdict.value
        ok = sum(1 for c in r.checks if c.passed is True)
        table.add_row(r.claim.id, r.claim.label, f"[{_STYLE[v]}]{v}[/]", f"{ok}/{len(r.checks)}",
                      f"{r.seconds:.2f}", str(len(r.discrepancies)))
    _out.print(table)
    discs = [(r.claim.id, d) for r in results for d in r.discrepancies]
    if discs:
        _out.print("\n[bold]Discrepancies between the papers and the computation[/]")
        for cid, d in discs:
            _out.print(escape(f"- {cid} [{d.kind}] printed: {d.published}\n"
                              f"    computed: {d.computed}"))
    for r in results:
        for e in r.errors:
            _out.print(f"[red]error[/] {r.claim.id}: {escape(e)}")
        for c in r.checks:
            if c.passed is False:
                _out.print(f"[red]counterexample[/] {r.claim.id} / {escape(c.check.name)}: "
                           + escape(json.dumps(_safe(c.outcome.result))[:400]))
            elif c.passed is None and not c.error:
                _out.print(f"[magenta]inconclusive[/] {r.claim.id} / {escape(c.check.name)}: "
                           + escape(str(c.outcome.result.get("reason", ""))))


def _safe(x):
    from ncverify.report.jsonable import to_jsonable

    try:
        return to_jsonable(x)
    except TypeError:
        return repr(x)


def _exit_code(results: list[ClaimResult]) -> int:
    return 0 if all(r.verdict.ok for r in results) else 1


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ncverify")
def cli() -> None:
    """Verify, claim by claim, the theory of neural collapse and low-rank bias (gk, sk, zg)."""


@cli.command("list")
def list_cmd() -> None:
    """Table of the registered claims."""
    table = Table(title="ncverify claims")
    for col in ("id", "paper", "label", "title", "checks"):
        table.add_column(col)
    for c in _claims([]):
        table.add_row(c.id, c.paper, c.label, c.title, " ".join(k.kind for k in c.checks))
    _out.print(table)


@cli.command()
@click.argument("ids", nargs=-1)
@click.option("--quick", is_flag=True, help="Smaller ranges and grids (seconds, not minutes).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False),
              help="Also write the results (certificate records) to this JSON file.")
def verify(ids: tuple[str, ...], quick: bool, json_file: str | None) -> None:
    """Run the checks of IDS (claim ids or paper keys; default all) and print verdicts."""
    claims = _claims(ids)
    results = _run(claims, quick)
    _verdict_table(results)
    if json_file:
        from ncverify.report import atomic_write, build_certificate

        records = [build_certificate(r) for r in results]
        atomic_write(json_file, json.dumps(records, indent=2, sort_keys=True) + "\n")
        _out.print(f"results written to {json_file}")
    sys.exit(_exit_code(results))


@cli.command()
@click.argument("ids", nargs=-1)
@click.option("--out", "out_dir", default="certificates", show_default=True,
              type=click.Path(file_okay=False), help="Folder for the certificates.")
@click.option("--quick", is_flag=True, help="Certify the quick-mode checks (marked in the file).")
def certify(ids: tuple[str, ...], out_dir: str, quick: bool) -> None:
    """Write <id>.json and <id>.md per claim, and index.md / index.html, to --out."""
    from ncverify.report import (
        CertificateError,
        atomic_write,
        build_certificate,
        certificate_markdown,
        dumps_certificate,
        index_html,
        index_markdown,
        load_certificate,
    )

    claims = _claims(ids)
    results = _run(claims, quick)
    out = Path(out_dir)
    for r in results:
        cert = build_certificate(r)
        atomic_write(out / f"{r.claim.id}.json", dumps_certificate(cert))
        atomic_write(out / f"{r.claim.id}.md", certificate_markdown(cert))
    certs = []
    for f in sorted(out.glob("*.json")):
        try:
            certs.append(load_certificate(f))
        except CertificateError as exc:
            _err.print(f"[yellow]skipped in index:[/] {exc}")
    order = {c.id: i for i, c in enumerate(_claims([]))}
    certs.sort(key=lambda c: order.get(c["claim"]["id"], len(order)))
    atomic_write(out / "index.md", index_markdown(certs))
    atomic_write(out / "index.html", index_html(certs))
    _verdict_table(results)
    _out.print(f"{len(results)} certificate(s) written to {out}/ (index.md, index.html)")
    sys.exit(_exit_code(results))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--jobs", type=int, default=min(2, os.cpu_count() or 1), show_default=True,
              help="Worker processes replaying certificates in parallel.")
def check(paths: tuple[str, ...], jobs: int) -> None:
    """Re-verify stored certificates at PATHS (files or folders): schema, hash, replay."""
    import ncverify.papers  # noqa: F401
    from ncverify.report import CertificateError, certificate_files

    files = []
    for path in paths:
        try:
            files.extend(f for f in certificate_files(path) if f not in files)
        except CertificateError as exc:
            raise UsageError(str(exc)) from None
    if jobs < 1:
        raise UsageError(f"--jobs must be >= 1, got {jobs}")
    failed = 0
    with _progress() as prog:
        task = prog.add_task("checking", total=len(files))
        if jobs > 1 and len(files) > 1:
            from joblib import Parallel, delayed

            outcomes = Parallel(n_jobs=jobs, return_as="generator")(
                delayed(_replay)(f) for f in files)
        else:
            outcomes = (_replay(f) for f in files)
        for f, (cert, problems) in zip(files, outcomes, strict=True):
            prog.update(task, description=f"checked {f.name}")
            prog.advance(task)
            if problems:
                failed += 1
                for p in problems:
                    _out.print(f"[red]FAIL[/] {escape(p)}", soft_wrap=True)
            else:
                _out.print(f"[green]ok[/]   {escape(str(f))}  {cert['claim']['id']}: "
                           f"{cert['verdict']}", soft_wrap=True)
    _out.print(f"{len(files) - failed}/{len(files)} certificate(s) check out")
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("experiment_id", metavar="ID")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Output folder (default runs/<ID>).")
@click.option("--runs", type=int, default=None, help="Runs (seeds) per point.")
@click.option("--steps", type=int, default=None, help="Gradient-descent steps per run.")
@click.option("--quick", is_flag=True, help="Small settings for a smoke test (CI).")
@click.option("--jobs", type=int, default=1, show_default=True, help="Local worker processes.")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Run the sweep on a dask.distributed scheduler (tcp://host:port).")
def reproduce(experiment_id: str, out_dir: str | None, runs: int | None, steps: int | None,
              quick: bool, jobs: int, dask_address: str | None) -> None:
    """Re-run a paper experiment: CSV + figure (PNG, SVG) + summary.json in --out."""
    from ncverify.experiments import Context, get_experiment

    exp = get_experiment(experiment_id)
    out = Path(out_dir or Path("runs") / experiment_id)
    ctx = Context(out=out, runs=runs, steps=steps, quick=quick, jobs=jobs, dask=dask_address,
                  progress=_err.is_terminal, log=lambda m: _err.print(escape(m)))
    out.mkdir(parents=True, exist_ok=True)
    summary = exp.run(ctx)
    _out.print(f"[bold]{exp.id}[/]: {escape(exp.title)}")
    if summary.get("note"):
        _out.print(f"  note: {escape(str(summary['note']))}")
    for claim, ok in summary.get("reproduced", {}).items():
        mark = "[green]reproduced[/]" if ok else "[red]not reproduced[/]"
        _out.print(f"  {mark}: {escape(claim)}")
    _out.print(f"outputs in {escape(str(out))}/ (summary.json, CSV, PNG, SVG)")


@cli.command()
@click.option("--quick", is_flag=True, help="About 10x fewer steps (a smoke run, noisy figures).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False),
              help="Also write the raw results to this JSON file.")
@click.option("--mlp", is_flag=True,
              help="Benchmark the fully connected network engine (MLPBatch) on the digits MLP "
                   "instead of the deep-UFM engine.")
def bench(quick: bool, json_file: str | None, mlp: bool) -> None:
    """Engine speed against a PyTorch CPU reference (same init; ratios measured in one run)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        raise click.ClickException("the benchmark needs PyTorch as its reference implementation "
                                   "(not an ncverify dependency): pip install torch==2.13.0"
                                   ) from None
    if mlp:
        from ncverify.engine.bench_mlp import format_report, run_benchmarks
    else:
        from ncverify.engine.bench import format_report, run_benchmarks

    results = run_benchmarks(quick=quick, log=lambda m: _err.print(escape(f"[bench] {m}")))
    _out.print(format_report(results), markup=False)
    if json_file:
        from ncverify.report import atomic_write

        atomic_write(json_file, json.dumps(results, indent=1, default=str) + "\n")
    sys.exit(0 if results.get("verified", True) else 1)


def _replay(path: Path):
    """Replay one certificate (in a worker process when --jobs > 1); JSON-able outcome only."""
    import ncverify.papers  # noqa: F401
    from ncverify.report import replay_file

    cert, problems, _ = replay_file(path)
    return cert, problems


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, turning usage and argument errors into one line and exit 2."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="ncverify",
                 standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _err.print("ncverify: aborted")
        sys.exit(130)
    except click.ClickException as exc:
        _err.print(f"ncverify: error: {exc.format_message()}", soft_wrap=True, markup=False)
        sys.exit(2)
    except ValueError as exc:
        _err.print(f"ncverify: error: {exc}", soft_wrap=True, markup=False)
        sys.exit(2)
    except KeyboardInterrupt:
        _err.print("ncverify: interrupted (finished files are kept; writes are atomic)")
        sys.exit(130)
    except Exception as exc:  # an internal error: one line, exit 1, never a traceback
        _err.print(f"ncverify: internal error: {type(exc).__name__}: {exc}", soft_wrap=True,
                   markup=False)
        sys.exit(1)
    sys.exit(0)


__all__ = ["cli", "main", "Verdict"]
