"""`python -m bot feedback list|show|set-status|export`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from bot.commands._run import with_store
from bot.feedback import STATUSES, export_csv, get_feedback, list_feedback, mask_phone, set_status

feedback_app = typer.Typer(help="Citizens' feedback (phản ánh, kiến nghị).", no_args_is_help=True)


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "-"


@feedback_app.command("list")
def list_cmd(
    status: str = typer.Option(None, help=f"Only this status ({', '.join(STATUSES)})."),
) -> None:
    """List feedback, oldest first (phones masked)."""
    items = with_store(lambda s: list_feedback(s, status))
    for f in items:
        content = f.content if len(f.content) <= 70 else f.content[:69] + "…"
        typer.echo(f"{f.reference}  {_when(f.created_at)}  {f.status:<11}  {content}")
    typer.echo(f"{len(items)} feedback")


@feedback_app.command("show")
def show_cmd(
    reference: str,
    phone: bool = typer.Option(False, "--phone", help="Show the contact phone unmasked."),
) -> None:
    """Show one feedback in full."""
    f = with_store(lambda s: get_feedback(s, reference))
    if f is None:
        typer.echo(f"no feedback {reference}", err=True)
        raise typer.Exit(1)
    typer.echo(f"Reference: {f.reference}\nReceived:  {_when(f.created_at)}\nStatus:    {f.status}")
    typer.echo(f"Content:   {f.content}\nPlace:     {f.place or '-'}")
    typer.echo(f"Phone:     {(f.phone if phone else mask_phone(f.phone)) or '-'}")
    typer.echo(
        f"Note:      {f.note or '-'}\nUpdated:   {_when(f.updated_at)}\nSender:    {f.sender_id}"
    )


@feedback_app.command("set-status")
def set_status_cmd(
    reference: str,
    status: str = typer.Argument(..., help=f"One of: {', '.join(STATUSES)}."),
    note: str = typer.Option(None, help="A note the citizen sees when asking for the status."),
) -> None:
    """Change the status of a feedback."""
    if status not in STATUSES:
        typer.echo(f"unknown status {status!r}; use one of {', '.join(STATUSES)}", err=True)
        raise typer.Exit(2)
    f = with_store(lambda s: set_status(s, reference, status, note))
    if f is None:
        typer.echo(f"no feedback {reference}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{f.reference}: {f.status}")


@feedback_app.command("export")
def export_cmd(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="CSV file to write (default: stdout).")
    ] = None,
    status: str = typer.Option(None, help="Only this status."),
    phone: bool = typer.Option(False, "--phone", help="Include phone numbers unmasked."),
) -> None:
    """Export feedback as CSV (UTF-8 with BOM when written to a file, for Excel)."""
    text = export_csv(with_store(lambda s: list_feedback(s, status)), with_phone=phone)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8-sig")
    typer.echo(f"wrote {out}")
