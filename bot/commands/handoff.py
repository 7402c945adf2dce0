"""`python -m bot handoff list|release`."""

from __future__ import annotations

import time
from typing import Any

import typer

from bot.commands._run import with_store
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
