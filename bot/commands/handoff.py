"""`python -m bot handoff list|reply|release`."""

from __future__ import annotations

import time
from typing import Any

import typer

from bot.commands._run import with_store
from bot.gateway.staff import StaffMessageError, deliver_staff_message
from bot.handoff_requests import is_paused, list_requests, release_handoff
from bot.state import StateStore

handoff_app = typer.Typer(help="Conversations handed over to staff.", no_args_is_help=True)


@handoff_app.command("list")
def list_cmd(all_: bool = typer.Option(False, "--all", help="Released requests too.")) -> None:
    """Open handoff requests (oldest first), with whether the bot is still paused."""

    async def job(store: StateStore) -> Any:
        rows = []
        for r in await list_requests(store, None if all_ else "open"):
            rows.append((r, await is_paused(store, r.sender_id)))
        return rows

    rows = with_store(job)
    for r, paused in rows:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created_at))
        state = r.status if r.status != "open" else ("open, paused" if paused else "open, expired")
        typer.echo(f"#{r.id:<5} {when}  {r.sender_id}  [{r.reason}; {state}]  {r.message[:80]}")
    typer.echo(f"{len(rows)} request(s)")


@handoff_app.command("reply")
def reply_cmd(
    sender: str,
    text: str,
    by: str = typer.Option("staff", help="Who writes (kept in logs, never shown as a name)."),
) -> None:
    """Send TEXT from staff to the conversation of SENDER, on the citizen's channel.

    Web and Mini App conversations: the page shows it within seconds. Zalo OA: queued; the running
    gateway sends it. The same code path as `POST /admin/conversations/{sender}/messages`.
    """
    try:
        delivery = with_store(lambda s: deliver_staff_message(s, sender, text, by=by))
    except StaffMessageError as exc:
        typer.echo(f"{sender}: not delivered: {exc}", err=True)
        raise typer.Exit(1) from None
    where = "queued for Zalo" if delivery.channel == "zalo" else "added to the web conversation"
    typer.echo(f"{sender}: {where}")


@handoff_app.command("release")
def release_cmd(
    sender: str, by: str = typer.Option("staff", help="Who releases (kept on the record).")
) -> None:
    """Give the conversation of SENDER back to the bot and close its request."""
    result = with_store(lambda s: release_handoff(s, sender, by))
    if not result["was_paused"] and not result["closed"]:
        typer.echo(f"{sender}: nothing to release")
        raise typer.Exit(1)
    typer.echo(f"{sender}: released; closed request(s) {result['closed'] or '-'}")
