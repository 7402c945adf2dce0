"""Plain-language Vietnamese answers for a dossier, one per state."""

from __future__ import annotations

from datetime import datetime

from bot.dossiers.provider import Dossier

# Contract states, with the spellings one-stop systems commonly use mapped onto them.
STATE_ALIASES = {
    "received": "received", "new": "received", "tiep_nhan": "received", "moi": "received",
    "in_progress": "in_progress", "processing": "in_progress", "dang_xu_ly": "in_progress",
    "needs_documents": "needs_documents", "additional_required": "needs_documents",
    "bo_sung": "needs_documents", "supplement": "needs_documents",
    "done": "done", "ready": "done", "completed": "done", "co_ket_qua": "done",
    "returned": "returned", "delivered": "returned", "da_tra": "returned",
    "overdue": "overdue", "qua_han": "overdue",
    "rejected": "rejected", "tu_choi": "rejected",
}  # fmt: skip
OPEN_STATES = {"received", "in_progress"}


def when(moment: datetime | None) -> str:
    """`16:00 ngày 05/06/2025`, or the date only when no time of day is meaningful."""
    if moment is None:
        return "chưa xác định"
    if moment.hour == 0 and moment.minute == 0:
        return f"ngày {moment:%d/%m/%Y}"
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"


def state_of(status: str, due_at: datetime | None, now: datetime) -> str:
    state = STATE_ALIASES.get(status.strip().lower().replace(" ", "_").replace("-", "_"), "")
    # A dossier still open after its appointment is overdue, whatever the system calls it.
    if state in OPEN_STATES and due_at is not None and _naive(due_at) < now:
        return "overdue"
    return state or "unknown"


def _naive(moment: datetime) -> datetime:
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def describe(dossier: Dossier, now: datetime | None = None) -> str:
    """The citizen-facing text for a `Dossier` (received, in progress, needs documents, done,
    returned, overdue, rejected or unknown states)."""
    now = now or datetime.now()
    due = _naive(dossier.due_at) if dossier.due_at else None
    new_due = _naive(dossier.new_due_at) if dossier.new_due_at else None
    name = dossier.procedure_name
    if dossier.procedure_code:
        name += f" (mã thủ tục {dossier.procedure_code})"
    head = f"Dạ, hồ sơ {dossier.code} — {name}:"
    state = state_of(dossier.status, due, now)
    place = dossier.pickup_place or "bộ phận một cửa nơi anh/chị đã nộp hồ sơ"
    lines = [head]
    if state == "received":
        lines.append(f"• Hồ sơ đã được tiếp nhận ({when(dossier.received_at)}) và đang chờ xử lý.")
        lines.append(f"• Ngày hẹn trả kết quả: {when(due)}.")
    elif state == "in_progress":
        lines.append("• Hồ sơ đang được cán bộ giải quyết.")
        lines.append(f"• Ngày hẹn trả kết quả: {when(due)}.")
    elif state == "needs_documents":
        lines.append("• Hồ sơ cần bổ sung giấy tờ trước khi được giải quyết tiếp:")
        docs = dossier.missing_documents or ["(cán bộ sẽ hướng dẫn cụ thể khi anh/chị liên hệ)"]
        lines += [f"   - {doc}" for doc in docs]
        lines.append(f"• Anh/chị vui lòng nộp bổ sung tại: {place}.")
    elif state == "done":
        lines.append("• Hồ sơ đã có kết quả, anh/chị có thể đến nhận.")
        lines.append(f"• Nơi nhận: {place}.")
        lines.append("• Khi đi, anh/chị mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả và CCCD.")
    elif state == "returned":
        lines.append("• Kết quả đã được trả cho người nộp hồ sơ.")
    elif state == "overdue":
        lines.append(
            f"• Hồ sơ đã quá hạn trả kết quả ({when(due)}). Thành thật xin lỗi anh/chị vì sự chậm "
            "trễ này."
        )
        if new_due is not None:
            lines.append(f"• Ngày hẹn trả kết quả mới: {when(new_due)}.")
        else:
            lines.append(
                "• Cơ quan giải quyết sẽ gửi văn bản xin lỗi và hẹn lại ngày trả kết quả; anh/chị "
                "có thể gọi đường dây nóng của xã để được báo ngày cụ thể."
            )
    elif state == "rejected":
        lines.append(
            "• Hồ sơ không đủ điều kiện giải quyết. Cơ quan giải quyết có văn bản nêu rõ lý do; "
            f"anh/chị vui lòng liên hệ {place} để được hướng dẫn."
        )
    else:
        lines.append(f"• Tình trạng trên hệ thống: {dossier.status}.")
    if dossier.updated_at:
        lines.append(f"(Cập nhật lúc {when(_naive(dossier.updated_at))}.)")
    if dossier.sample:
        lines.append("Lưu ý: đây là hồ sơ MẪU để thử trợ lý, không phải hồ sơ thật.")
    return "\n".join(lines)
