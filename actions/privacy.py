""" "Xóa dữ liệu của tôi": after the citizen confirms, delete their conversation and personal
data through bot.privacy (the confirmation question is a response, see the rules)."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.state import shared_store
from bot.privacy import delete_user_data, mark_pending, schedule_second_pass

log = logging.getLogger(__name__)


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
