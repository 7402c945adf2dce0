"""Citizen feedback (phản ánh, kiến nghị): durable records with a reference number."""

from __future__ import annotations

import csv
import io
import re
import time
from typing import Any

from pydantic import BaseModel

from bot.state import Record, StateStore

KIND = "feedback"
REFERENCE_PREFIX = "PA"
MIN_CONTENT_CHARS = 10
MIN_CONTENT_WORDS = 3  # "đường hỏng" says too little for staff to act on
MAX_CONTENT_CHARS = 2000
_REFERENCE = re.compile(rf"^\s*{REFERENCE_PREFIX}[-\s]?(\d{{1,9}})\s*$", re.IGNORECASE)
_REFERENCE_IN_TEXT = re.compile(
    rf"(?<![\w]){REFERENCE_PREFIX}\s*[-\s.]?\s*(\d{{1,9}})(?!\d)", re.IGNORECASE
)
MAX_PLACE_CHARS = 300
# Staff-facing status names and what the citizen is told about each.
STATUSES: dict[str, str] = {
    "new": "đã được tiếp nhận, đang chờ cán bộ xem xét",
    "in_progress": "đang được cán bộ xử lý",
    "done": "đã được xử lý xong",
    "transferred": "đã được chuyển đến cơ quan có thẩm quyền để xử lý",
    "rejected": "không thuộc phạm vi xử lý của UBND xã",
}
# Typed by a citizen to skip an optional question.
SKIP_WORDS = frozenset(
    {"bỏ qua", "bo qua", "không", "khong", "ko", "k", "không có", "khong co", "không cần",
     "khong can", "thôi", "thoi", "skip", "-", "không muốn", "khong muon", "không để lại"}
)  # fmt: skip


class Feedback(BaseModel):
    reference: str
    content: str
    sender_id: str
    status: str = "new"
    place: str | None = None
    phone: str | None = None
    note: str | None = None
    created_at: float | None = None
    updated_at: float | None = None

    @classmethod
    def from_record(cls, record: Record) -> Feedback:
        data = record.data
        return cls(
            reference=reference_for(record.id),
            content=str(data.get("content", "")),
            sender_id=str(data.get("sender_id", "")),
            status=str(data.get("status", "new")),
            place=data.get("place"),
            phone=data.get("phone"),
            note=data.get("note"),
            created_at=record.created_at,
            updated_at=data.get("updated_at"),
        )


def reference_for(record_id: int) -> str:
    """`PA-000042`: short enough to read over the phone, sortable."""
    return f"{REFERENCE_PREFIX}-{record_id:06d}"


def parse_reference(text: str) -> int | None:
    """The record id in a reference typed by a citizen ("pa-42", "PA 000042"), or None."""
    match = _REFERENCE.match(text)
    return int(match.group(1)) if match else None


def find_reference(text: str) -> int | None:
    """The record id of a reference inside a sentence ("phản ánh PA-000012 đến đâu rồi")."""
    match = _REFERENCE_IN_TEXT.search(text or "")
    return int(match.group(1)) if match else None


def is_skip(text: str) -> bool:
    """True when the citizen declines an optional question ("bỏ qua", "không")."""
    return " ".join((text or "").lower().split()).strip(" .!") in SKIP_WORDS


def normalize_phone(text: str) -> str | None:
    """A Vietnamese phone number as 0xxxxxxxxx, or None when it is not one.

    Mobile numbers have 10 digits (03/05/07/08/09...), landlines 11 (02xx...); +84/84 becomes 0.
    """
    raw = (text or "").strip()
    if re.search(r"[^\d\s.+()\-]", raw):
        return None
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if re.fullmatch(r"0[35789]\d{8}", digits) or re.fullmatch(r"02\d{9}", digits):
        return digits
    return None


def mask_phone(phone: str | None) -> str:
    """`0912345678` -> `*******678`: for logs, listings and stored transcripts."""
    if not phone:
        return ""
    return "*" * max(0, len(phone) - 3) + phone[-3:]


def place_problem(text: str) -> str | None:
    stripped = " ".join((text or "").split())
    if len(stripped) < 2:
        return 'Dạ, anh/chị vui lòng ghi rõ địa điểm (thôn/xóm, đường, gần đâu) hoặc gõ "bỏ qua".'
    if len(stripped) > MAX_PLACE_CHARS:
        return f"Dạ, địa điểm dài quá {MAX_PLACE_CHARS} ký tự, anh/chị ghi ngắn gọn giúp em ạ."
    return None


def content_problem(text: str) -> str | None:
    """Why a feedback text cannot be accepted (Vietnamese, for the citizen), or None when fine."""
    stripped = " ".join(text.split())
    if len(stripped) < MIN_CONTENT_CHARS or len(stripped.split()) < MIN_CONTENT_WORDS:
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
    store: StateStore,
    content: str,
    sender_id: str,
    *,
    place: str | None = None,
    phone: str | None = None,
    **extra: Any,
) -> Feedback:
    """Store a feedback durably; place and phone only when the citizen gave them."""
    data: dict[str, Any] = {
        "content": " ".join(content.split()),
        "sender_id": sender_id,
        "status": "new",
        **extra,
    }
    if place:
        data["place"] = " ".join(place.split())
    if phone:
        data["phone"] = phone
    record: Record = await store.add_record(KIND, data)
    return Feedback.from_record(record)


async def get_feedback(store: StateStore, reference: str | int) -> Feedback | None:
    """One feedback by reference ("PA-000012", "12" or 12)."""
    record_id = reference if isinstance(reference, int) else parse_reference(str(reference))
    if record_id is None and isinstance(reference, str) and reference.strip().isdigit():
        record_id = int(reference.strip())
    if record_id is None:
        return None
    record = await store.get_record(KIND, record_id)
    return Feedback.from_record(record) if record else None


async def list_feedback(store: StateStore, status: str | None = None) -> list[Feedback]:
    """Every feedback (oldest first), optionally only those with `status`."""
    out = [Feedback.from_record(r) async for r in store.iter_records(KIND)]
    return [f for f in out if status is None or f.status == status]


async def set_status(
    store: StateStore, reference: str | int, status: str, note: str | None = None
) -> Feedback | None:
    """Change a feedback's status (one of STATUSES), with an optional note for the citizen."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    current = await get_feedback(store, reference)
    if current is None:
        return None
    changes: dict[str, Any] = {"status": status, "updated_at": time.time()}
    if note is not None:
        changes["note"] = " ".join(note.split())
    record = await store.update_record(KIND, int(current.reference.split("-")[1]), changes)
    return Feedback.from_record(record) if record else None


def status_text(feedback: Feedback) -> str:
    """What the citizen is told about a feedback: its status and staff's note, never its
    content or contact details (references are sequential, so anyone can type one)."""
    said = STATUSES.get(feedback.status, feedback.status)
    lines = [f"Dạ, phản ánh {feedback.reference} {said}."]
    if feedback.note:
        lines.append(f"Ghi chú của cán bộ: {feedback.note}")
    return "\n".join(lines)


CSV_FIELDS = ("reference", "created_at", "status", "content", "place", "phone", "note", "sender_id")


def export_csv(items: list[Feedback], with_phone: bool = False) -> str:
    """CSV for staff (UTF-8; Excel opens it with the BOM the CLI writes). Phones are masked
    unless `with_phone` (staff who call back need them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_FIELDS)
    for f in items:
        created = time.strftime("%Y-%m-%d %H:%M", time.localtime(f.created_at or 0))
        phone = f.phone if with_phone else mask_phone(f.phone)
        writer.writerow(
            [f.reference, created, f.status, f.content, f.place or "", phone or "", f.note or "",
             f.sender_id]
        )  # fmt: skip
    return buffer.getvalue()
