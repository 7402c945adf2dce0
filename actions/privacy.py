""" "Xóa dữ liệu của tôi": ask for confirmation, then delete the citizen's conversation and
personal data through bot.privacy (see the rules). A procedure question the NLU took for a
deletion request ("xóa đăng ký thường trú cho ông", "trả hết nợ tiền sử dụng đất để xóa nợ")
gets the procedure's answer instead of the confirmation question."""

from __future__ import annotations

import logging
from functools import partial

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.procedures import procedure_instead
from actions.state import shared_store
from bot.privacy import delete_user_data, mark_pending, schedule_second_pass
from bot.text import says_any

log = logging.getLogger(__name__)


REQUESTED = "delete_requested"
# Words by which a message speaks of what the assistant keeps about the citizen (folded).
OWN_DATA_WORDS = (
    "lich su", "tro chuyen", "hoi thoai", "tin nhan", "chat", "dung luu", "du lieu cua",
    "du lieu ca nhan", "thong tin cua toi", "thong tin cua em", "thong tin cua minh",
    "so dien thoai", "tro ly",
)  # fmt: skip


class ActionConfirmDeleteData(Action):
    """Ask "xóa dữ liệu?" and remember it was asked; answer the procedure instead when the
    message does not speak of the citizen's data and search is sure which procedure it names."""

    def name(self) -> str:
        return "action_confirm_delete_data"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answered = procedure_instead(
            dispatcher, tracker, unless=partial(says_any, phrases=OWN_DATA_WORDS)
        )
        if answered is not None:
            return [*answered, SlotSet(REQUESTED, False)]
        dispatcher.utter_message(response="utter_confirm_delete_data")
        return [SlotSet(REQUESTED, True)]


class ActionDeleteMyData(Action):
    def name(self) -> str:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        store = shared_store()
        try:
            await mark_pending(store, tracker.sender_id)
            await delete_user_data(store, tracker.sender_id)
        except Exception:
            log.exception("could not delete a citizen's data")
            dispatcher.utter_message(
                text="Dạ, hệ thống chưa xóa được dữ liệu lúc này. Anh/chị vui lòng thử lại sau ít "
                "phút hoặc liên hệ UBND xã để được hỗ trợ ạ."
            )
            return []
        # Rasa stores this turn after we return; a second pass removes it a few seconds later.
        schedule_second_pass(store, tracker.sender_id)
        dispatcher.utter_message(
            text="Dạ, em đã xóa nội dung cuộc trò chuyện và thông tin cá nhân (số điện thoại) của "
            "anh/chị khỏi hệ thống trợ lý. Các phản ánh đã gửi vẫn được UBND xã xử lý nhưng không "
            "còn gắn với anh/chị. Cảm ơn anh/chị ạ."
        )
        return [AllSlotsReset()]
