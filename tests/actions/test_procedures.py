from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.procedures import (
    ASK_WHICH,
    NOT_FOUND,
    OUT_OF_SCOPE,
    UNAVAILABLE,
    ActionAnswerProcedure,
)
from bot.knowledge.loader import DEFAULT_DIR


@pytest.fixture(autouse=True)
def knowledge_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test reads its own copy of the shipped knowledge through KNOWLEDGE_DIR."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIR, target)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(target))
    return target


def tracker(
    text: str, intent: str, entities: list[str] | None = None, slots: dict[str, Any] | None = None
) -> Tracker:
    return Tracker(
        sender_id="test-user",
        slots=slots or {},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 0.95},
            "entities": [{"entity": "procedure", "value": v} for v in entities or []],
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(t: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = ActionAnswerProcedure().run(dispatcher, t, {})
    return dispatcher.messages, events


def test_name() -> None:
    assert ActionAnswerProcedure().name() == "action_answer_procedure"


def test_unmarked_question_answers_documents_and_remembers() -> None:
    [message, *_], events = run(
        tracker("lam giay khai sinh cho con can gi", "ask_procedure_documents")
    )
    assert message["text"].startswith("Dạ, hồ sơ cho thủ tục Đăng ký khai sinh (mã 1.001193)")
    assert "Giấy chứng sinh" in message["text"]
    assert 1 <= len(message["buttons"]) <= 5
    assert events == [SlotSet("current_procedure", "1.001193")]


def test_follow_up_uses_current_procedure() -> None:
    [message, *_], events = run(
        tracker("mất bao lâu?", "ask_procedure_time", slots={"current_procedure": "1.004222"})
    )
    assert "Đăng ký thường trú (mã 1.004222)" in message["text"]
    assert "7 Ngày làm việc" in message["text"]
    assert events == [SlotSet("current_procedure", "1.004222")]


def test_new_mention_beats_current_procedure() -> None:
    [message, *_], events = run(
        tracker(
            "còn đăng ký kết hôn thì lệ phí sao",
            "ask_procedure_fee",
            slots={"current_procedure": "1.001193"},
        )
    )
    assert "(mã 1.000894)" in message["text"]
    assert events == [SlotSet("current_procedure", "1.000894")]


def test_button_payload_code_works() -> None:
    t = tracker('/ask_procedure_fee{"procedure":"1.000656"}', "ask_procedure_fee", ["1.000656"])
    [message, *_], events = run(t)
    assert message["text"].startswith("Dạ, lệ phí của thủ tục Đăng ký khai tử (mã 1.000656)")
    assert events == [SlotSet("current_procedure", "1.000656")]
    payloads = [b["payload"] for b in message["buttons"]]
    assert '/ask_procedure_fee{"procedure":"1.000656"}' not in payloads


def test_entity_mention_is_resolved_by_search() -> None:
    [message, *_], events = run(
        tracker("cho hỏi đk tạm trú ở đâu", "ask_procedure_place", ["đk tạm trú"])
    )
    assert "(mã 1.004194)" in message["text"]
    assert events == [SlotSet("current_procedure", "1.004194")]


def test_unsure_search_asks_with_buttons() -> None:
    [message, *_], events = run(tracker("thủ tục đăng ký cần gì", "ask_procedure_documents"))
    assert message["text"] == ASK_WHICH
    assert 2 <= len(message["buttons"]) <= 3
    assert all(b["payload"].startswith("/ask_procedure_documents{") for b in message["buttons"])
    assert events == []


def test_a_paper_named_in_an_unsure_message_does_not_pick_the_procedure() -> None:
    # The NLU marks the paper ("giấy khai sinh"), which alone means đăng ký khai sinh; the whole
    # message hesitates between re-registration, a copy and the registration: ask, don't guess.
    text = "bản giấy khai sinh cũ bị ướt mờ hết chữ"
    [message, *_], events = run(tracker(text, "ask_procedure", ["giấy khai sinh"]))
    assert message["text"] == ASK_WHICH
    offered = " ".join(b["payload"] for b in message["buttons"])
    assert "1.004884" in offered  # đăng ký lại khai sinh, the message's best guess
    assert events == []


def test_a_mention_that_agrees_with_the_message_s_best_guess_is_answered() -> None:
    text = "bản giấy khai sinh cũ bị ướt mờ hết chữ"
    [message, *_], events = run(tracker(text, "ask_procedure", ["đăng ký lại khai sinh"]))
    assert "(mã 1.004884)" in message["text"]
    assert events == [SlotSet("current_procedure", "1.004884")]


def test_unsure_search_prefers_the_current_procedure_when_it_is_a_candidate() -> None:
    [message, *_], events = run(
        tracker(
            "đăng ký cần gì", "ask_procedure_documents", slots={"current_procedure": "1.000894"}
        )
    )
    assert "(mã 1.000894)" in message["text"]
    assert events == [SlotSet("current_procedure", "1.000894")]


def test_nothing_fits() -> None:
    [message, *_], events = run(tracker("thủ tục xin visa đi Mỹ thế nào", "ask_procedure"))
    assert message["text"] == NOT_FOUND
    assert events == []


def test_stale_slot_code_is_ignored() -> None:
    [message, *_], events = run(
        tracker("mất bao lâu", "ask_procedure_time", slots={"current_procedure": "9.999999"})
    )
    assert message["text"] == NOT_FOUND
    assert events == []


def test_unknown_intent_gives_summary() -> None:
    [message, *_], _events = run(tracker("khai tử", "something_else"))
    assert message["text"].startswith("Dạ, thông tin chính về thủ tục Đăng ký khai tử")


def test_reads_edited_knowledge_without_restart(knowledge_env: Path) -> None:
    [before, *_], _ = run(tracker("học bạ", "ask_procedure_fee"))
    assert before["text"] == NOT_FOUND
    path = knowledge_env / "overrides" / "2.000815.yml"  # staff aliases live in overrides/
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - sao y giấy tờ\n", "  - sao y giấy tờ\n  - học bạ\n"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # coarse clocks
    [after, *_], events = run(tracker("học bạ", "ask_procedure_fee"))
    assert "(mã 2.000815)" in after["text"]
    assert events == [SlotSet("current_procedure", "2.000815")]


def test_broken_knowledge_apologises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path / "missing"))
    [message, *_], events = run(tracker("khai sinh", "ask_procedure"))
    assert message["text"] == UNAVAILABLE
    assert events == []


def test_main_procedure_answer_offers_its_special_cases() -> None:
    from actions.procedures import VARIANTS_NOTE

    messages, events = run(tracker("làm giấy khai sinh cho con", "ask_procedure_documents"))
    assert "(mã 1.001193)" in messages[0]["text"]
    assert len(messages[0]["buttons"]) <= 5
    assert messages[1]["text"] == VARIANTS_NOTE
    assert 1 <= len(messages[1]["buttons"]) <= 3
    assert all('"procedure":"1.001193"' not in b["payload"] for b in messages[1]["buttons"])
    assert all(b["payload"].startswith("/ask_procedure_documents{") for b in messages[1]["buttons"])
    assert events == [SlotSet("current_procedure", "1.001193")]


def test_an_answer_offers_close_procedures_of_other_families() -> None:
    from actions.procedures import RELATED_NOTE

    messages, events = run(tracker("cấp lại giấy đăng ký xe bị mất", "ask_procedure_fee"))
    assert "(mã 1.013082)" in messages[0]["text"]
    assert messages[1]["text"] == RELATED_NOTE
    assert 1 <= len(messages[1]["buttons"]) <= 2
    assert all(b["payload"].startswith("/ask_procedure_fee{") for b in messages[1]["buttons"])
    assert all('"procedure":"1.013082"' not in b["payload"] for b in messages[1]["buttons"])
    assert events == [SlotSet("current_procedure", "1.013082")]


def test_the_whole_message_beats_a_shorter_mention() -> None:
    [message, *_], events = run(
        tracker(
            "đăng ký kết hôn với người nước ngoài cần giấy tờ gì",
            "ask_procedure_documents",
            ["đăng ký kết hôn"],
        )
    )
    assert "(mã 2.000806)" in message["text"]
    assert events == [SlotSet("current_procedure", "2.000806")]


def test_follow_up_then_switch() -> None:
    [first, *_], events = run(
        tracker("mất bao lâu", "ask_procedure_time", slots={"current_procedure": "1.000894"})
    )
    assert first["text"].startswith("Dạ, thời gian giải quyết thủ tục Đăng ký kết hôn")
    [switched, *_], events = run(
        tracker(
            "thế còn đăng ký khai tử?", "ask_procedure", slots={"current_procedure": "1.000894"}
        )
    )
    assert "(mã 1.000656)" in switched["text"]
    assert events == [SlotSet("current_procedure", "1.000656")]


def test_fallback_hook_answers_only_when_search_is_sure() -> None:
    from actions.procedures import answer_from_search

    dispatcher = CollectingDispatcher()
    events = answer_from_search(
        dispatcher, tracker("lam giay khai sinh het bao nhieu tien", "nlu_fallback")
    )
    assert events == [SlotSet("current_procedure", "1.001193")]
    assert dispatcher.messages[0]["text"].startswith("Dạ, lệ phí của thủ tục Đăng ký khai sinh")
    quiet = CollectingDispatcher()
    assert answer_from_search(quiet, tracker("hôm nay trời đẹp quá", "nlu_fallback")) is None
    assert quiet.messages == []


def test_out_of_scope_answers_a_procedure_the_nlu_missed() -> None:
    from actions.procedures import ActionOutOfScope

    dispatcher = CollectingDispatcher()
    events = ActionOutOfScope().run(
        dispatcher, tracker("nha co khach o lai qua dem thi bao the nao", "out_of_scope"), {}
    )
    assert events == [SlotSet("current_procedure", "2.001159")]
    assert "(mã 2.001159)" in dispatcher.messages[0]["text"]


def test_out_of_scope_stays_out_of_scope_when_search_is_unsure() -> None:
    from actions.procedures import ActionOutOfScope

    dispatcher = CollectingDispatcher()
    assert ActionOutOfScope().run(dispatcher, tracker("xin visa đi Mỹ", "out_of_scope"), {}) == []
    assert [m["text"] for m in dispatcher.messages] == [OUT_OF_SCOPE]


def test_out_of_scope_suggests_the_procedure_a_message_most_looks_like() -> None:
    from actions.procedures import SUGGEST_NOTE, ActionOutOfScope

    dispatcher = CollectingDispatcher()
    text = "đi khám bệnh viện quên mang thẻ bhyt, về xin thanh toán lại tiền được không"
    assert ActionOutOfScope().run(dispatcher, tracker(text, "out_of_scope"), {}) == []
    reply, suggestion = dispatcher.messages
    assert reply["text"] == OUT_OF_SCOPE and suggestion["text"] == SUGGEST_NOTE
    # direct payment of health-insurance costs, asking whether it can be done
    assert '"procedure":"1.001656"' in suggestion["buttons"][0]["payload"]
    assert suggestion["buttons"][0]["payload"].startswith("/ask_procedure_conditions")


def test_the_catch_all_intent_takes_the_aspect_from_clear_cues() -> None:
    dispatcher = CollectingDispatcher()
    ActionAnswerProcedure().run(
        dispatcher, tracker("đăng ký tạm trú cho sinh viên nộp ở đâu", "ask_procedure"), {}
    )
    assert dispatcher.messages[0]["text"].startswith("Dạ, nơi nộp hồ sơ")


def test_out_of_scope_is_overruled_only_by_a_strong_match() -> None:
    from actions.procedures import ActionOutOfScope

    dispatcher = CollectingDispatcher()
    # search alone would pick "mua bảo hiểm y tế", but "xe máy" is left unexplained
    ActionOutOfScope().run(dispatcher, tracker("mua bảo hiểm xe máy ở đâu rẻ", "out_of_scope"), {})
    assert [m["text"] for m in dispatcher.messages] == [OUT_OF_SCOPE]


def test_a_report_the_nlu_took_for_a_procedure_question_fills_the_feedback_form() -> None:
    t = tracker(
        "Rác thải tập kết sai chỗ ở đầu ngõ 5 nhiều ngày",
        "ask_procedure_time",
        slots={"requested_slot": "feedback_content", "current_procedure": "1.001193"},
    )
    t.active_loop = {"name": "feedback_form"}
    dispatcher = CollectingDispatcher()
    events = ActionAnswerProcedure().run(dispatcher, t, {})
    assert events == [
        SlotSet("feedback_content", "Rác thải tập kết sai chỗ ở đầu ngõ 5 nhiều ngày")
    ]
    assert dispatcher.messages == []


def test_a_real_procedure_question_inside_the_form_is_still_answered() -> None:
    t = tracker(
        "làm giấy khai sinh mất bao lâu",
        "ask_procedure_time",
        slots={"requested_slot": "feedback_content"},
    )
    t.active_loop = {"name": "feedback_form"}
    dispatcher = CollectingDispatcher()
    events = ActionAnswerProcedure().run(dispatcher, t, {})
    assert events == [SlotSet("current_procedure", "1.001193")]


def test_nothing_fits_but_a_near_procedure_is_offered() -> None:
    from actions.procedures import NOT_SURE

    dispatcher = CollectingDispatcher()
    text = "sửa mái nhà, lát lại gạch có cần xin phép không"
    assert (
        ActionAnswerProcedure().run(dispatcher, tracker(text, "ask_procedure_conditions"), {}) == []
    )
    (reply,) = dispatcher.messages
    assert reply["text"] == NOT_SURE
    payloads = [b["payload"] for b in reply["buttons"]]
    assert any('"procedure":"1.013229"' in p for p in payloads)  # repairs and renovations
    assert all(p.startswith("/ask_procedure_conditions") for p in payloads)


def test_nothing_near_is_said_plainly() -> None:
    dispatcher = CollectingDispatcher()
    ActionAnswerProcedure().run(
        dispatcher, tracker("viết giúp em bài văn tả mẹ", "ask_procedure"), {}
    )
    assert [m["text"] for m in dispatcher.messages] == [NOT_FOUND]
