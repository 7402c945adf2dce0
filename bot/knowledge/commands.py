"""`python -m bot kb ...`: staff tools for the knowledge files (import, check, stats, pin)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
import yaml

from bot.knowledge.check import check
from bot.knowledge.importer import load_selection, run_import
from bot.knowledge.loader import KnowledgeError, knowledge_dir, load_knowledge, load_sources
from bot.knowledge.overrides import current_hashes
from bot.knowledge.stats import compute

kb_app = typer.Typer(
    help="Knowledge files: import the national records, check staff edits, coverage.",
    no_args_is_help=True,
)

KnowledgeOpt = Annotated[
    Path | None,
    typer.Option(
        "--knowledge", "-k", help="Knowledge directory (default: KNOWLEDGE_DIR or knowledge/)."
    ),
]


def _root(value: Path | None) -> Path:
    return value if value is not None else knowledge_dir()


@kb_app.command("import")
def import_cmd(
    source: Annotated[
        Path, typer.Argument(help="Directory of raw JSON records (searched recursively).")
    ],
    knowledge: KnowledgeOpt = None,
    selection: Annotated[
        Path | None, typer.Option(help="Selection YAML (default: knowledge/import/selection.yml).")
    ] = None,
    dry_run: bool = typer.Option(False, help="Parse and report, write nothing."),
    prune: bool = typer.Option(
        False, help="Delete generated files of procedures no longer selected."
    ),
    report: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the full report (default: <knowledge>/import/last-report.txt)."
        ),
    ] = None,
) -> None:
    """Turn the national records into generated procedure files (staff overrides untouched)."""
    from rich.progress import track

    root = _root(knowledge)
    if not source.is_dir():
        typer.echo(f"{source}: not a directory", err=True)
        raise typer.Exit(2)
    try:
        chosen = load_selection(selection)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        typer.echo(f"{selection}: invalid selection file: {exc}", err=True)
        raise typer.Exit(2) from exc
    result = run_import(
        source,
        root,
        chosen,
        progress=lambda items: track(items, description="Đang nhập...", transient=True),
        dry_run=dry_run,
        prune=prune,
    )
    text = result.text()
    report_path = report or root / "import" / "last-report.txt"
    if not dry_run:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(text, encoding="utf-8")
    summary = text.split("\nPhần không đọc được")[0].split("\nGiá trị chưa rõ (đã")[0]
    typer.echo(summary.rstrip())
    if not dry_run:
        typer.echo(f"\nBáo cáo đầy đủ: {report_path}")
    typer.echo("Kiểm tra lại: python -m bot kb check")


@kb_app.command("check")
def check_cmd(knowledge: KnowledgeOpt = None) -> None:
    """Validate every knowledge file; print `file:line: message`; exit 1 on errors."""
    root = _root(knowledge)
    findings = check(root)
    for finding in findings:
        typer.echo(str(finding))
    errors = sum(f.level == "error" for f in findings)
    warnings = len(findings) - errors
    if errors:
        typer.echo(
            f"{errors} lỗi, {warnings} cảnh báo: bot vẫn dùng bản hợp lệ gần nhất.", err=True
        )
        raise typer.Exit(1)
    count = len(load_knowledge(root).procedures)
    typer.echo(f"OK: {count} thủ tục hợp lệ" + (f", {warnings} cảnh báo." if warnings else "."))


@kb_app.command("stats")
def stats_cmd(
    knowledge: KnowledgeOpt = None,
    days: int = typer.Option(180, help="List staff reviews older than this many days."),
) -> None:
    """Coverage: procedures per field, missing sections, content not reviewed recently."""
    try:
        loaded = load_knowledge(_root(knowledge))
    except KnowledgeError as exc:
        typer.echo(f"{exc}\nSửa các lỗi trên (python -m bot kb check) rồi chạy lại.", err=True)
        raise typer.Exit(1) from exc
    typer.echo(compute(loaded, days=days).text().rstrip())


_HASHES_BLOCK_RE = re.compile(r"^source_hashes:.*(?:\n(?:[ \t]+.*|[ \t]*))*", re.M)


def pin_hashes(path: Path, hashes: dict[str, str]) -> None:
    """Write the ``source_hashes:`` block of an override file, leaving the rest as staff wrote
    it (comments and layout included)."""
    text = path.read_text(encoding="utf-8")
    block = "source_hashes:" + (
        "\n" + "".join(f"  {k}: {v}\n" for k, v in sorted(hashes.items())) if hashes else " {}\n"
    )
    if _HASHES_BLOCK_RE.search(text):
        text = _HASHES_BLOCK_RE.sub(block.rstrip("\n"), text, count=1)
        text = text if text.endswith("\n") else text + "\n"
    else:
        text = text.rstrip("\n") + "\n" + block
    path.write_text(text, encoding="utf-8")


@kb_app.command("pin")
def pin_cmd(
    codes: Annotated[
        list[str] | None, typer.Argument(help="Procedure codes (default: every override).")
    ] = None,
    knowledge: KnowledgeOpt = None,
) -> None:
    """After checking a staff correction against the portal, record the national values it
    replaces, so `kb check` warns when they change again."""
    sources = load_sources(_root(knowledge))
    for code in codes or sorted(sources.overrides):
        override = sources.overrides.get(code)
        base = sources.procedures.get(code)
        if override is None or base is None:
            typer.echo(f"{code}: no override or no imported procedure", err=True)
            continue
        hashes = current_hashes(base, override)
        pin_hashes(sources.override_paths[code], hashes)
        typer.echo(f"{code}: {', '.join(sorted(hashes)) or 'no corrections'}")


@kb_app.command("unanswered")
def unanswered_cmd(
    top: int = typer.Option(50, help="How many groups to list."),
) -> None:
    """Questions no procedure matched (recorded in the shared state), grouped and counted."""
    from bot.commands._run import with_store
    from bot.knowledge.unanswered import load_groups, render

    typer.echo(render(with_store(load_groups), top))
