"""Staff messages into a citizen's conversation, delivered on the citizen's own channel.

- Zalo OA (`zalo-oa:<user id>`): a job in the durable Zalo queue (in order, retried across
  restarts), sent as a customer-service message even while the bot is paused.
- Web page and Zalo Mini App (the random web id, or `zalo:<user id>`): appended to the
  conversation's stored transcript, masked like the rest; the open page shows it at its next poll
  (`POST /api/updates`), a closed one when it is opened again.

One function for the admin API (`bot/gateway/admin.py`) and the staff CLI
(`python -m bot handoff reply`). The CLI has no queue object: the job is stored and the running
gateway's sweeper sends it within `ZALO_SWEEP_INTERVAL` seconds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bot.gateway.web.config import web_settings_from_env
from bot.gateway.web.history import ChatHistory
from bot.gateway.zalo.events import OA_SENDER_PREFIX
from bot.gateway.zalo.queue import USERS_MAP, Job, WorkQueue, jobs_map
from bot.gateway.zalo.sender import build_messages
from bot.state.base import StateStore

MAX_STAFF_TEXT = 20_000
_OA_USER = re.compile(r"[0-9A-Za-z_\-]{1,64}")
_WEB_SENDER = re.compile(r"[A-Za-z0-9_-]{32}|zalo:[A-Za-z0-9_-]{1,64}")

Channel = Literal["web", "zalo"]


class StaffMessageError(ValueError):
    """A staff message that cannot be delivered; `code` is the API's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Delivery:
    channel: Channel
    sender_id: str
    detail: dict[str, Any]


def channel_of(sender_id: str) -> Channel:
    """Which channel a Rasa sender id belongs to; `StaffMessageError` for anything else."""
    if sender_id.startswith(OA_SENDER_PREFIX):
        if _OA_USER.fullmatch(sender_id[len(OA_SENDER_PREFIX) :]):
            return "zalo"
    elif _WEB_SENDER.fullmatch(sender_id):
        return "web"
    raise StaffMessageError(
        "invalid_sender",
        "not a conversation id: expected a web id, zalo:<id> or zalo-oa:<id> "
        "(as listed by `python -m bot handoff list`)",
    )


def clean_text(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise StaffMessageError("invalid_text", "text must be a non-empty string")
    if len(text) > MAX_STAFF_TEXT:
        raise StaffMessageError("invalid_text", f"text is longer than {MAX_STAFF_TEXT} characters")
    return text.strip()


def zalo_job(user_id: str, text: str, buttons: list[dict[str, Any]], by: str) -> Job:
    return Job(
        user=user_id,
        kind="staff",
        bot=False,  # staff replies go out even while the bot is paused
        outbox=build_messages(text, buttons),
        meta={"by": by[:100]},
    )


async def deliver_staff_message(
    store: StateStore,
    sender_id: str,
    text: str,
    *,
    history: ChatHistory | None = None,
    by: str = "staff",
    queue: WorkQueue | None = None,
    zalo_buttons: list[dict[str, Any]] | None = None,
) -> Delivery:
    """Deliver `text` from staff to `sender_id` on its channel (see the module docstring).

    `history` is the web transcript (default: configured from the environment); `queue` the
    running gateway's Zalo queue (default: store the job for the gateway to pick up)."""
    channel = channel_of(sender_id)
    text = clean_text(text)
    if channel == "zalo":
        job = zalo_job(sender_id[len(OA_SENDER_PREFIX) :], text, zalo_buttons or [], by)
        if queue is not None:
            await queue.enqueue(job)  # stored, then started at once in this process
        else:  # stored; a running gateway's sweeper picks the user up
            await store.map_set(jobs_map(job.user), job.id, job.model_dump_json())
            await store.map_set(USERS_MAP, job.user, "1")
        return Delivery("zalo", sender_id, {"job": job.id, "messages": len(job.outbox or [])})
    history = history if history is not None else history_from_env(store)
    try:
        entry = await history.append_staff(sender_id, text)
    except LookupError:
        raise StaffMessageError(
            "unknown_conversation",
            "no stored web conversation with this id (never started, deleted or expired)",
        ) from None
    except RuntimeError:
        raise StaffMessageError(
            "history_disabled", "web chat history is off (CHAT_HISTORY_DAYS=0): nowhere to deliver"
        ) from None
    return Delivery("web", sender_id, {"id": entry.id, "at": entry.at})


def history_from_env(store: StateStore, env: Mapping[str, str] | None = None) -> ChatHistory:
    """The web transcript as the gateway configures it, for processes without a gateway (CLI)."""
    from bot.gateway.web.page import load_page_profile  # late: reads the knowledge

    settings = web_settings_from_env(os.environ if env is None else env)
    return ChatHistory(
        store,
        ttl=settings.history_ttl_seconds,
        max_entries=settings.history_max_messages,
        public_numbers=load_page_profile().public_numbers,
    )
