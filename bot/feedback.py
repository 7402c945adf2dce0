"""Citizen feedback (phản ánh, kiến nghị): durable records with a reference number."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from bot.state import Record, StateStore

KIND = "feedback"
REFERENCE_PREFIX = "PA"
MIN_CONTENT_CHARS = 10
MAX_CONTENT_CHARS = 2000
_REFERENCE = re.compile(rf"^\s*{REFERENCE_PREFIX}[-\s]?(\d{{1,9}})\s*$", re.IGNORECASE)


class Feedback(BaseModel):
    reference: str
    content: str
    sender_id: str
    status: str = "new"


def reference_for(record_id: int) -> str:
    """`PA-000042`: short enough to read over the phone, sortable."""
    return f"{REFERENCE_PREFIX}-{record_id:06d}"


def parse_reference(text: str) -> int | None:
    """The record id in a reference typed by a citizen ("pa-42", "PA 000042"), or None."""
    match = _REFERENCE.match(text)
    return int(match.group(1)) if match else None


def content_problem(text: str) -> str | None:
    """Why a feedback text cannot be accepted (Vietnamese, for the citizen), or None when fine."""
    stripped = " ".join(text.split())
    if len(stripped) < MIN_CONTENT_CHARS:
        return (
            "Dạ, nội dung hơi ngắn ạ. Anh/chị vui lòng mô tả rõ sự việc "
            "(việc gì, ở đâu, từ khi nào) để cán bộ xử lý được ạ."
        )
    if len(stripped) > MAX_CONTENT_CHARS:
        return (
            f"Dạ, nội dung dài quá {MAX_CONTENT_CHARS} ký tự ạ. Anh/chị vui lòng rút gọn giúp em."
        )
    return None


async def submit_feedback(
    store: StateStore, content: str, sender_id: str, **extra: Any
) -> Feedback:
    record: Record = await store.add_record(
        KIND,
        {"content": " ".join(content.split()), "sender_id": sender_id, "status": "new", **extra},
    )
    return Feedback(
        reference=reference_for(record.id),
        content=record.data["content"],
        sender_id=sender_id,
        status="new",
    )
