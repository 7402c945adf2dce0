"""`python -m bot stats` and `python -m bot privacy purge`."""

from __future__ import annotations

from typing import Any

import typer

from bot.commands._run import with_store
from bot.privacy import finish_pending, purge_expired, retention_days
from bot.state import StateStore
from bot.stats import compute


def stats_cmd(top: int = typer.Option(10, help="How many procedures to list.")) -> None:
    """Helpfulness per procedure, ratings, most asked procedures, unanswered questions."""
    stats = with_store(compute)
    try:
        from bot.knowledge import get_knowledge

        names = {code: p.title for code, p in get_knowledge().procedures.items()}
    except Exception:  # names are a nicety; the numbers matter
        names = {}
    typer.echo(stats.text(names, top))


privacy_app = typer.Typer(help="Personal data: retention and pending deletions.")


@privacy_app.command("purge")
def purge_cmd(
    days: int = typer.Option(None, help="Retention in days (default DATA_RETENTION_DAYS)."),
) -> None:
    """Apply the retention period and finish deletions requested by citizens."""

    async def job(store: StateStore) -> Any:
        done = await finish_pending(store, older_than=0)
        return done, await purge_expired(store, days)

    done, counts = with_store(job)
    typer.echo(
        f"retention {days or retention_days()} days: {counts}; deletions finished: {len(done)}"
    )
