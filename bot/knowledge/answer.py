"""Pure functions turning knowledge into short Vietnamese chat messages.

Every procedure answer names the procedure with its official code, links its national-portal
page and says when the content was last reviewed. Values the source leaves unclear are shown as
given, marked (*), with a note to check the portal. Messages stay under MAX_CHARS: a long
section is cut at a line and the citizen is pointed to the portal for the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.knowledge.schema import WEEKDAYS, CommuneProfile, Procedure, ReceivingPoint
from bot.text.aspect_cues import cued_aspects, last_cued_aspect

MAX_CHARS = 2000
MAX_BUTTONS = 5  # conservative Zalo limit (architecture: at most 5 per message)
MAX_BUTTON_TITLE = 100
ITEM_CHARS = 240  # one bullet; the full text stays on the portal

ASPECTS: tuple[str, ...] = (
    "documents", "fee", "time", "place", "steps", "conditions", "legal", "summary"
)  # fmt: skip
ASPECT_INTENTS: dict[str, str] = {
    "documents": "ask_procedure_documents",
    "fee": "ask_procedure_fee",
    "time": "ask_procedure_time",
    "place": "ask_procedure_place",
    "steps": "ask_procedure_steps",
    "conditions": "ask_procedure_conditions",
    "legal": "ask_procedure_legal",
    "summary": "ask_procedure",
}
INTENT_ASPECTS: dict[str, str] = {intent: aspect for aspect, intent in ASPECT_INTENTS.items()}
ASPECT_TITLES: dict[str, str] = {
    "documents": "Giấy tờ cần nộp",
    "fee": "Lệ phí",
    "time": "Thời gian",
    "place": "Nơi nộp",
    "steps": "Các bước",
    "conditions": "Điều kiện",
    "legal": "Căn cứ pháp lý",
    "summary": "Tóm tắt",
}
UNCLEAR_NOTE = (
    "(*) Thông tin này trên Cổng Dịch vụ công chưa rõ ràng, anh/chị vui lòng kiểm tra lại "
    "trên Cổng hoặc hỏi cán bộ bộ phận một cửa ạ."
)
SAMPLE_NOTE = "Lưu ý: đây là dữ liệu mẫu, chưa phải thông tin chính thức của xã."
DAY_NAMES = {
    "mon": "Thứ Hai", "tue": "Thứ Ba", "wed": "Thứ Tư", "thu": "Thứ Năm",
    "fri": "Thứ Sáu", "sat": "Thứ Bảy", "sun": "Chủ nhật",
}  # fmt: skip


@dataclass(frozen=True)
class Answer:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def guess_aspect(text: str) -> str:
    """The aspect a message asks about, from keyword cues: the last one ("summary" when
    none)."""
    return last_cued_aspect(text) or "summary"


def asked_aspect(intent_aspect: str, text: str) -> str:
    """The aspect to answer: the NLU's (`intent_aspect`, "summary" for its catch-all), unless
    the message's own question words say otherwise.

    A cue overrules an aspect intent that no cue of the message points at, the cue nearest
    the end winning: "trình báo mất hộ chiếu ở đâu" classified as a steps question asks where.
    A closing "được không" alone does not: it ends questions of every kind.
    """
    if intent_aspect == "summary":
        return last_cued_aspect(text) or "summary"
    if intent_aspect in cued_aspects(text):
        return intent_aspect
    # "lấy ngay được không" asks how long, as the NLU said: a bare "được không" is no cue here
    return last_cued_aspect(text, strong_only=True) or intent_aspect


# -- small helpers -------------------------------------------------------------------------------


def clip(text: str, limit: int = ITEM_CHARS) -> str:
    """Shorten to ``limit`` characters at a word boundary, ending with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def payload(intent: str, code: str) -> str:
    """A Rasa button payload setting the intent and the procedure entity."""
    return f"/{intent}{json.dumps({'procedure': code}, ensure_ascii=False, separators=(',', ':'))}"


def button(title: str, payload_text: str) -> dict[str, str]:
    return {"title": clip(title, MAX_BUTTON_TITLE), "payload": payload_text}


def aspect_buttons(procedure: Procedure, current: str, limit: int = 4) -> list[dict[str, str]]:
    """Buttons for up to ``limit`` other aspects of the same procedure."""
    others = [a for a in ASPECTS if a != current and _has_content(procedure, a)]
    return [
        button(ASPECT_TITLES[a], payload(ASPECT_INTENTS[a], procedure.code))
        for a in others[: min(limit, MAX_BUTTONS)]
    ]


def choice_buttons(
    procedures: Sequence[Procedure], aspect: str = "summary"
) -> list[dict[str, str]]:
    """Did-you-mean buttons: one per candidate procedure, keeping the asked aspect."""
    intent = ASPECT_INTENTS.get(aspect, ASPECT_INTENTS["summary"])
    return [button(short_title(p), payload(intent, p.code)) for p in procedures[:MAX_BUTTONS]]


def short_title(procedure: Procedure) -> str:
    """The title without the "Thủ tục" prefix, for buttons read on a phone."""
    title = procedure.title
    if title.lower().startswith("thủ tục "):
        rest = title[len("thủ tục ") :]
        title = rest[:1].upper() + rest[1:]
    return title


MAX_VARIANT_BUTTONS = 3


def variant_buttons(
    procedures: Sequence[Procedure], aspect: str = "summary"
) -> list[dict[str, str]]:
    """Buttons for a family's special cases under an answer about its main procedure."""
    return choice_buttons(procedures[:MAX_VARIANT_BUTTONS], aspect)


def _has_content(procedure: Procedure, aspect: str) -> bool:
    return {
        "documents": bool(procedure.documents),
        "fee": bool(procedure.channels),
        "time": bool(procedure.channels),
        "place": bool(procedure.where_to_file or procedure.channels),
        "steps": bool(procedure.steps),
        "conditions": True,  # "no special conditions" is an answer too
        "legal": bool(procedure.legal_basis),
        "summary": True,
    }[aspect]


def _compose(procedure: Procedure, heading: str, body: list[str]) -> str:
    """Heading + body + footer (portal link, review date), cut to MAX_CHARS at a line."""
    footer = [
        f"Xem đầy đủ trên Cổng Dịch vụ công: {procedure.portal_url}",
        f"Nội dung rà soát ngày {procedure.review.at.strftime('%d/%m/%Y')}.",
    ]
    if UNCLEAR_NOTE in body:
        # keep the unclear note even when the body is cut
        body = [line for line in body if line != UNCLEAR_NOTE]
        footer.insert(0, UNCLEAR_NOTE)
    more = "… (còn tiếp, anh/chị xem đầy đủ tại đường link bên dưới ạ)"
    budget = MAX_CHARS - len(heading) - sum(len(line) + 1 for line in footer) - 2
    kept: list[str] = []
    used = 0
    for line in body:
        if used + len(line) + 1 > budget - len(more) - 1:
            kept.append(more)
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join([heading, *kept, "", *footer])[:MAX_CHARS]


# -- aspects ------------------------------------------------------------------------------------


def _documents(procedure: Procedure) -> list[str]:
    if not procedure.documents:
        return ["Cổng Dịch vụ công chưa ghi thành phần hồ sơ cho thủ tục này."]
    lines: list[str] = []
    for group in procedure.documents:
        if group.case:
            lines.append(f"{clip(group.case, 200)}:" + (" (*)" if group.unclear else ""))
        for item in group.items:
            extra = f" — {item.quantity}" if item.quantity else ""
            form = f" (mẫu: {item.form})" if item.form else ""
            lines.append(f"• {clip(item.name)}{form}{extra}")
        lines += [f"  Lưu ý: {clip(note, 240)}" for note in group.notes]
    if any(group.unclear for group in procedure.documents):
        lines.append(UNCLEAR_NOTE)
    return lines


def _channel_lines(procedure: Procedure, value: str) -> list[str]:
    lines = []
    for channel in procedure.channels:
        shown = getattr(channel, value) or "chưa có thông tin"
        mark = " (*)" if channel.unclear else ""
        lines.append(f"• {channel.channel}: {shown}{mark}")
        if value == "fee" and channel.note:
            lines.append(f"  {clip(channel.note, 360)}")
    if not lines:
        lines.append("Cổng Dịch vụ công chưa ghi thông tin này cho thủ tục.")
    if any(c.unclear for c in procedure.channels):
        lines.append(UNCLEAR_NOTE)
    return lines


def _place(procedure: Procedure, profile: CommuneProfile | None) -> list[str]:
    lines = []
    if procedure.where_to_file:
        lines.append(f"• Nơi tiếp nhận: {clip(procedure.where_to_file, 400)}")
    if procedure.channels:
        ways = ", ".join(dict.fromkeys(c.channel for c in procedure.channels))
        lines.append(f"• Hình thức nộp: {ways}")
    lines += [f"• Nộp trực tuyến: {link}" for link in procedure.online_links]
    if profile is not None:
        lines.append(f"Tại {profile.name}:")
        for point in profile.receiving_points:
            lines += receiving_point_lines(point)
        if profile.sample:
            lines.append(SAMPLE_NOTE)
    return lines or ["Cổng Dịch vụ công chưa ghi nơi tiếp nhận cho thủ tục này."]


def _steps(procedure: Procedure) -> list[str]:
    if not procedure.steps:
        return ["Cổng Dịch vụ công chưa ghi trình tự thực hiện cho thủ tục này."]
    return [f"{i}. {clip(step)}" for i, step in enumerate(procedure.steps, start=1)]


def _conditions(procedure: Procedure) -> list[str]:
    if not procedure.conditions:
        return ["Cổng Dịch vụ công không nêu yêu cầu, điều kiện riêng cho thủ tục này."]
    return [f"• {clip(condition)}" for condition in procedure.conditions]


def _legal(procedure: Procedure) -> list[str]:
    if not procedure.legal_basis:
        return ["Cổng Dịch vụ công chưa ghi căn cứ pháp lý cho thủ tục này."]
    return [f"• {doc.code}: {clip(doc.title, 160)}" for doc in procedure.legal_basis]


def _summary(procedure: Procedure) -> list[str]:
    lines = []
    if procedure.field:
        lines.append(f"• Lĩnh vực: {procedure.field}")
    if procedure.where_to_file:
        lines.append(f"• Nơi nộp: {clip(procedure.where_to_file, 240)}")
    for channel in procedure.channels:
        mark = " (*)" if channel.unclear else ""
        time = channel.time or "chưa có thông tin"
        fee = channel.fee or "chưa có thông tin"
        lines.append(f"• {channel.channel}: thời gian {time}; lệ phí {fee}{mark}")
    count = sum(len(group.items) for group in procedure.documents)
    if count:
        lines.append(f'• Hồ sơ: {count} loại giấy tờ (tùy trường hợp), bấm "Giấy tờ cần nộp".')
    if procedure.result:
        lines.append(f"• Kết quả: {clip(procedure.result, 200)}")
    if any(c.unclear for c in procedure.channels):
        lines.append(UNCLEAR_NOTE)
    return lines


HEADINGS = {
    "documents": "Dạ, hồ sơ cho thủ tục {c} gồm:",
    "fee": "Dạ, lệ phí của thủ tục {c}:",
    "time": "Dạ, thời gian giải quyết thủ tục {c}:",
    "place": "Dạ, nơi nộp hồ sơ thủ tục {c}:",
    "steps": "Dạ, các bước thực hiện thủ tục {c}:",
    "conditions": "Dạ, điều kiện thực hiện thủ tục {c}:",
    "legal": "Dạ, căn cứ pháp lý của thủ tục {c}:",
    "summary": "Dạ, thông tin chính về thủ tục {c}:",
}


def answer(procedure: Procedure, aspect: str, profile: CommuneProfile | None = None) -> Answer:
    """The chat message for one aspect of a procedure, with buttons for other aspects.
    Unknown aspects fall back to the summary."""
    if aspect not in ASPECTS:
        aspect = "summary"
    body = {
        "documents": lambda: _documents(procedure),
        "fee": lambda: _channel_lines(procedure, "fee"),
        "time": lambda: _channel_lines(procedure, "time"),
        "place": lambda: _place(procedure, profile),
        "steps": lambda: _steps(procedure),
        "conditions": lambda: _conditions(procedure),
        "legal": lambda: _legal(procedure),
        "summary": lambda: _summary(procedure),
    }[aspect]()
    heading = HEADINGS[aspect].format(c=procedure.citation)
    return Answer(_compose(procedure, heading, body), aspect_buttons(procedure, aspect))


# -- commune office ----------------------------------------------------------------------------


def format_hours(hours: dict[str, list[str]]) -> list[str]:
    """Opening hours grouped by runs of days with the same sessions:
    ["Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–17:00", "Thứ Bảy: 07:30–11:30", "Chủ nhật: nghỉ"]."""
    runs: list[tuple[str, str, tuple[str, ...]]] = []
    for day in WEEKDAYS:
        sessions = tuple(hours.get(day, []))
        if runs and runs[-1][2] == sessions:
            runs[-1] = (runs[-1][0], day, sessions)
        else:
            runs.append((day, day, sessions))
    lines = []
    for first, last, sessions in runs:
        days = DAY_NAMES[first] if first == last else f"{DAY_NAMES[first]} – {DAY_NAMES[last]}"
        shown = ", ".join(s.replace("-", "–") for s in sessions) if sessions else "nghỉ"
        lines.append(f"{days}: {shown}")
    return lines


def receiving_point_lines(point: ReceivingPoint) -> list[str]:
    lines = [f"• {point.name}", f"  Địa chỉ: {point.address}"]
    lines += [f"  {line}" for line in format_hours(point.hours)]
    if point.note:
        lines.append(f"  {point.note}")
    if point.map_url:
        lines.append(f"  Bản đồ: {point.map_url}")
    return lines


OFFICE_TOPICS = ("hours", "address", "hotline", "portal", "all")


def office_answer(profile: CommuneProfile | None, topic: str = "all") -> Answer:
    """Hours / receiving points / hotline / portal of the commune, marked when sample data."""
    if profile is None:
        return Answer(
            "Dạ, hiện trợ lý chưa có thông tin về trụ sở và giờ làm việc của xã. Anh/chị vui "
            "lòng liên hệ trực tiếp UBND xã hoặc xem Cổng Dịch vụ công quốc gia "
            "https://dichvucong.gov.vn ạ."
        )
    if topic not in OFFICE_TOPICS:
        topic = "all"
    lines: list[str] = []
    if topic in ("hours", "address", "all"):
        lines.append(f"Dạ, nơi tiếp nhận hồ sơ của {profile.name} ({profile.province}):")
        for point in profile.receiving_points:
            lines += receiving_point_lines(point)
    if topic in ("hotline", "all"):
        if profile.hotline:
            lines.append(f"• Đường dây nóng: {profile.hotline}")
        if profile.email:
            lines.append(f"• Thư điện tử: {profile.email}")
        if topic == "hotline" and not (profile.hotline or profile.email):
            lines.append("Dạ, hiện trợ lý chưa có số điện thoại liên hệ của xã.")
    if topic in ("portal", "all"):
        portal = profile.portal_url or "https://dichvucong.gov.vn"
        lines.append(f"• Nộp hồ sơ trực tuyến: {portal}")
    if topic == "all":
        lines += [f"• {clip(notice, 300)}" for notice in profile.notices]
    return Answer(_fit(lines, [SAMPLE_NOTE] if profile.sample else []))


def _fit(lines: Iterable[str], tail: list[str]) -> str:
    """Join lines, dropping the last ones when too long; ``tail`` is always kept."""
    budget = MAX_CHARS - sum(len(line) + 1 for line in tail)
    kept: list[str] = []
    for line in lines:
        if sum(len(k) + 1 for k in kept) + len(line) > budget:
            break
        kept.append(line)
    return "\n".join(kept + tail)
