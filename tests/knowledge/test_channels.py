"""Channels of filing: a citizen who names none goes in person; one who says online gets the
fully online twin; the other twin is then no rival to ask about."""

from __future__ import annotations

import pytest

from bot.knowledge import Knowledge, resolve
from bot.knowledge.channels import IN_PERSON, ONLINE, asked_channel, title_channel, twins
from bot.knowledge.families import title_syllables
from bot.text import folded_syllables

# "Cấp lại chứng nhận đăng ký xe ..." fully online / partly online or in person
REISSUE_ONLINE, REISSUE_IN_PERSON = "1.013080", "1.013082"
FIRST_REGISTRATION_IN_PERSON = "1.013067"


def test_title_channel() -> None:
    assert (
        title_channel(
            title_syllables("Đăng ký xe tạm thời thực hiện bằng dịch vụ công trực tuyến toàn trình")
        )
        == ONLINE
    )
    # titles cut short still say it
    assert (
        title_channel(
            title_syllables(
                "Thu hồi giấy chứng nhận đăng ký, biển số xe thực hiện bằng dịch vụ công trực tuyến một phần hoặc"
            )
        )
        == IN_PERSON
    )
    assert title_channel(title_syllables("Đăng ký khai sinh")) is None  # fmt: skip


@pytest.mark.parametrize(
    ("message", "channel"),
    [
        ("làm lại đăng ký xe online được không", ONLINE),
        ("cap lai dang ky xe tren vneid", ONLINE),
        ("nộp qua mạng", ONLINE),
        ("lam tren cong dich vu cong", ONLINE),
        ("mất giấy đăng ký xe thì làm lại ở đâu", IN_PERSON),
        ("", IN_PERSON),
    ],
)
def test_asked_channel(message: str, channel: str) -> None:
    assert asked_channel(folded_syllables(message)) == channel


def test_twins_do_the_same_act_the_other_way() -> None:
    online = (ONLINE, ("cap", "lai", "chung", "nhan"))
    in_person = (IN_PERSON, ("cap", "lai", "chung", "nhan"))
    other_act = (IN_PERSON, ("thu", "hoi", "chung", "nhan"))
    assert twins(online, in_person)
    assert not twins(online, online)
    assert not twins(online, other_act)
    assert not twins((None, ("cap", "lai")), in_person)


def test_no_channel_named_gets_the_in_person_procedure(shipped: Knowledge) -> None:
    resolution = resolve(shipped, "dang ky xe moi bao lau thi co bien")
    assert resolution.kind == "found"
    assert resolution.hits[0].code == FIRST_REGISTRATION_IN_PERSON


def test_online_named_gets_the_online_twin_first(shipped: Knowledge) -> None:
    message = "mất giấy đăng ký xe, làm lại online toàn trình trên vneid được không"
    assert resolve(shipped, message).hits[0].code == REISSUE_ONLINE
    in_person = resolve(shipped, "mất giấy đăng ký xe, làm lại ở công an xã")
    assert in_person.hits[0].code == REISSUE_IN_PERSON
