from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.office import ActionOfficeInfo, office_topic
from bot.knowledge.loader import DEFAULT_DIR


def tracker(text: str, intent: str = "ask_office") -> Tracker:
    return Tracker(
        sender_id="u",
        slots={},
        latest_message={"text": text, "intent": {"name": intent}, "entities": []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(t: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    assert ActionOfficeInfo().run(dispatcher, t, {}) == []
    return dispatcher.messages


@pytest.mark.parametrize(
    ("intent", "text", "topic"),
    [
        ("ask_office", "xã làm việc mấy giờ", "hours"),
        ("ask_office", "thu bay co lam viec khong", "hours"),
        ("ask_office", "số điện thoại của xã", "hotline"),
        ("ask_office", "ubnd xa o dau", "address"),
        ("ask_office", "nộp trực tuyến ở trang nào", "portal"),
        ("ask_office_hours", "cho hỏi", "hours"),
        ("ask_office", "thông tin xã", "all"),
    ],
)
def test_topic(intent: str, text: str, topic: str) -> None:
    assert office_topic(intent, text) == topic


def test_hours_answer_is_marked_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(DEFAULT_DIR))
    [message] = run(tracker("xã làm việc mấy giờ"))
    assert "Thứ Bảy: 07:30–11:30" in message["text"]
    assert "dữ liệu mẫu" in message["text"]
    assert ActionOfficeInfo().name() == "action_office_info"


def test_real_profile_is_not_called_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "k"
    shutil.copytree(DEFAULT_DIR, target)
    commune = target / "commune.yml"
    commune.write_text(
        commune.read_text(encoding="utf-8").replace("sample: true", "sample: false"),
        encoding="utf-8",
    )
    monkeypatch.setenv("KNOWLEDGE_DIR", str(target))
    [message] = run(tracker("hotline"))
    assert "0225.xxx.xxxx" in message["text"]
    assert "Lưu ý: đây là dữ liệu mẫu" not in message["text"]


def test_without_profile_it_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "k"
    shutil.copytree(DEFAULT_DIR, target)
    (target / "commune.yml").unlink()
    monkeypatch.setenv("KNOWLEDGE_DIR", str(target))
    [message] = run(tracker("giờ làm việc"))
    assert "chưa có thông tin" in message["text"]


def test_a_procedure_place_question_taken_for_an_office_question_is_answered() -> None:
    dispatcher = CollectingDispatcher()
    text = "đăng ký kết hôn thì nộp hồ sơ ở đâu"
    events = ActionOfficeInfo().run(dispatcher, tracker(text, "ask_office_info"), {})
    assert events and events[0]["value"] == "1.000894"
    assert "(mã 1.000894)" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("text", ["ubnd xa o dau", "bộ phận một cửa mở cửa mấy giờ"])
def test_office_questions_stay_office_questions(text: str) -> None:
    assert run(tracker(text, "ask_office_info"))
