"""After the 2025 merger: "xã cũ của tôi giờ thuộc đâu?", "trước nộp ở huyện X, giờ nộp ở đâu?"."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.procedures import procedure_instead
from bot.admin_units import Lookup, admin_units, same_unit
from bot.knowledge import CommuneProfile, KnowledgeError, get_knowledge

log = logging.getLogger(__name__)

ASK_NAME = (
    'Dạ, anh/chị cho em biết tên xã/phường (và huyện) cũ, ví dụ: "xã Cấp Tiến, huyện Tiên Lãng '
    'cũ giờ thuộc xã nào?" ạ. Từ 01/7/2025 không còn cấp huyện; hồ sơ trước nộp ở huyện nay '
    "nộp tại bộ phận một cửa của xã/phường hoặc trên Cổng Dịch vụ công."
)


def _here_lines(profile: CommuneProfile) -> list[str]:
    point = profile.receiving_points[0]
    lines = [f"Đây là {profile.name} — nơi tiếp nhận hồ sơ: {point.name}, {point.address}."]
    if profile.sample:
        lines.append("(Địa chỉ là dữ liệu mẫu, cán bộ xã sẽ cập nhật.)")
    return lines


def compose(found: Lookup, province: str, profile: CommuneProfile | None) -> str | None:
    """The answer for what was found, or None when no former unit was recognised."""
    lines: list[str] = []
    targets: list[str] = []
    for unit in found.units:
        district = unit.district[:1].lower() + unit.district[1:]  # "huyện Tiên Lãng"
        where = f"{unit.name} ({district} cũ, {unit.province})"
        if len(unit.new) == 1:
            lines.append(f"• {where} nay thuộc {unit.new[0]}, {province}.")
        else:
            others = ", ".join(unit.new[1:])
            lines.append(
                f"• {where} được chia: phần lớn về {unit.new[0]}, một phần về {others} "
                f"({province}); anh/chị ở thôn nào thì hỏi thêm UBND xã để biết chính xác."
            )
        targets += unit.new
    for district in found.districts:
        lines.append(
            f"• {district.name} cũ (từ 01/7/2025 không còn cấp huyện) nay gồm các xã/phường: "
            f"{', '.join(district.new)}. Hồ sơ trước nộp ở huyện nay nộp tại bộ phận một cửa của "
            "xã/phường nơi anh/chị cư trú, hoặc trên Cổng Dịch vụ công."
        )
        targets += district.new
    if not lines:
        if not found.current:
            return None
        lines.append(
            f"• {', '.join(found.current)} là tên đơn vị hành chính hiện nay ({province})."
        )
        targets += list(found.current)
    text = ["Dạ, theo danh sách sắp xếp đơn vị hành chính cấp xã năm 2025:", *lines]
    if profile is not None and any(same_unit(t, profile.name) for t in targets):
        text += _here_lines(profile)
    return "\n".join(text)


class ActionAdminUnit(Action):
    def name(self) -> str:
        return "action_admin_unit"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        try:
            profile = get_knowledge().profile
        except KnowledgeError:
            log.exception("knowledge could not be loaded")
            profile = None
        units = admin_units()
        answer = compose(units.lookup(text), units.province, profile)
        if answer is None:
            # no unit named: a procedure question the NLU took for a merger question ("thu
            # nhập bao nhiêu thì được công nhận hộ cận nghèo") gets its answer when search is
            # sure; otherwise ask which commune
            answered = procedure_instead(dispatcher, tracker)
            if answered is not None:
                return answered
        dispatcher.utter_message(text=answer or ASK_NAME)
        return []
