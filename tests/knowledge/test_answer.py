from __future__ import annotations

import json
import re

import pytest

from bot.knowledge import ASPECTS, MAX_BUTTONS, MAX_CHARS, Knowledge, answer, office_answer
from bot.knowledge.answer import UNCLEAR_NOTE, choice_buttons, format_hours
from bot.knowledge.schema import Procedure

PAYLOAD_RE = re.compile(r"^/(ask_procedure(?:_[a-z]+)?)(\{.*\})$")


def all_pairs(shipped: Knowledge) -> list[tuple[Procedure, str]]:
    return [(p, a) for p in shipped.procedures.values() for a in ASPECTS]


def test_every_answer_cites_links_dates_and_fits(shipped: Knowledge) -> None:
    for procedure, aspect in all_pairs(shipped):
        reply = answer(procedure, aspect, shipped.profile)
        where = f"{procedure.code}/{aspect}"
        assert f"{procedure.title} (mã {procedure.code})" in reply.text, where
        assert procedure.portal_url in reply.text, where
        assert f"Nội dung rà soát ngày {procedure.review.at:%d/%m/%Y}" in reply.text, where
        assert len(reply.text) <= MAX_CHARS, where
        assert 1 <= len(reply.buttons) <= MAX_BUTTONS, where


def test_buttons_offer_other_aspects_with_code_payloads(shipped: Knowledge) -> None:
    reply = answer(shipped.procedures["1.001193"], "fee")
    titles = [b["title"] for b in reply.buttons]
    assert "Lệ phí" not in titles and len(titles) == 4
    for b in reply.buttons:
        match = PAYLOAD_RE.match(b["payload"])
        assert match, b["payload"]
        assert json.loads(match.group(2)) == {"procedure": "1.001193"}
    assert reply.buttons[0]["payload"] == '/ask_procedure_documents{"procedure":"1.001193"}'


def test_unclear_time_shown_as_given_with_note(shipped: Knowledge) -> None:
    text = answer(shipped.procedures["1.001193"], "time").text
    assert "Trực tiếp: 1 (*)" in text
    assert UNCLEAR_NOTE in text
    clear = answer(shipped.procedures["1.004222"], "time").text
    assert "Trực tuyến: 7 Ngày làm việc" in clear


def test_long_section_is_cut_politely(shipped: Knowledge) -> None:
    procedure = shipped.procedures["1.001193"]
    many = procedure.model_copy(
        update={"steps": [f"Bước {i}: " + "chi tiết " * 40 for i in range(30)]}
    )
    text = answer(many, "steps").text
    assert len(text) <= MAX_CHARS
    assert "còn tiếp" in text and procedure.portal_url in text
    assert "Nội dung rà soát ngày" in text


def test_unknown_aspect_falls_back_to_summary(shipped: Knowledge) -> None:
    text = answer(shipped.procedures["1.000894"], "nonsense").text
    assert text.startswith("Dạ, thông tin chính về thủ tục Đăng ký kết hôn (mã 1.000894)")


def test_place_includes_sample_commune_marked(shipped: Knowledge) -> None:
    text = answer(shipped.procedures["1.004222"], "place", shipped.profile).text
    assert "Công an cấp xã" in text
    assert "dữ liệu mẫu" in text
    assert "Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–17:00" in text


def test_choice_buttons_keep_aspect(shipped: Knowledge) -> None:
    procs = [shipped.procedures["1.001193"], shipped.procedures["1.000656"]]
    buttons = choice_buttons(procs, "fee")
    assert [b["payload"] for b in buttons] == [
        '/ask_procedure_fee{"procedure":"1.001193"}',
        '/ask_procedure_fee{"procedure":"1.000656"}',
    ]
    long = choice_buttons([shipped.procedures["2.000815"]])
    assert len(long[0]["title"]) <= 100


def test_format_hours_groups_days() -> None:
    hours = {d: ["07:30-11:30", "13:30-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    hours["sat"] = ["07:30-11:30"]
    assert format_hours(hours) == [
        "Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–17:00",
        "Thứ Bảy: 07:30–11:30",
        "Chủ nhật: nghỉ",
    ]


@pytest.mark.parametrize("topic", ["hours", "address", "hotline", "portal", "all", "???"])
def test_office_answer_says_sample(shipped: Knowledge, topic: str) -> None:
    text = office_answer(shipped.profile, topic).text
    assert "dữ liệu mẫu" in text
    assert len(text) <= MAX_CHARS


def test_office_answer_topics(shipped: Knowledge) -> None:
    assert "0225.xxx.xxxx" in office_answer(shipped.profile, "hotline").text
    assert "0225" not in office_answer(shipped.profile, "hours").text
    assert "Thứ Bảy" in office_answer(shipped.profile, "hours").text
    real = shipped.profile.model_copy(update={"sample": False})
    assert "dữ liệu mẫu" not in office_answer(real, "portal").text
    assert "chưa có thông tin" in office_answer(None).text


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("lam khai sinh het bao nhieu tien", "fee"),
        ("đăng ký kết hôn mất mấy ngày", "time"),
        ("tạm trú nộp ở đâu", "place"),
        ("cần mang giấy tờ gì", "documents"),
        ("căn cứ pháp lý là luật nào", "legal"),
        ("con 5 tuổi có được làm căn cước không", "conditions"),
        ("sang tên xe làm thế nào", "steps"),
        ("làm giấy chứng tử có tốn phí không ạ", "fee"),
        ("dang ky tam tru can giay j", "documents"),
        ("đăng ký kết hôn ở xã nào", "place"),
        ("quy định này nằm ở điều mấy của luật", "legal"),
        ("số điện thoại trong hồ sơ bị sai, muốn sửa", "summary"),  # "hồ sơ" alone is no cue
        ("khai báo tạm vắng ở đâu, gọi điện báo được ko", "place"),  # "được ko" closes any question
        ("đã có đủ giấy tờ rồi, giờ nộp ở đâu", "place"),  # the last cue asks, earlier ones tell
        ("chứng thực mất bao nhiêu ngày", "time"),  # the longer cue: not "mất bao nhiêu" (fee)
        ("công chứng mất bao nhiêu", "fee"),
        ("lệ phí?", "fee"),
        ("xin cấp sổ đỏ phải đóng những khoản tiền gì", "fee"),
        ("hồ sơ nhận con nuôi gồm gì ạ", "documents"),
        ("làm đơn xin hòa giải cần kèm theo gì", "documents"),
        ("đi nước ngoài lâu năm có bị xóa thường trú không", "conditions"),
        ("chuyển nơi nhận trợ cấp về quê sao", "steps"),  # a closing "sao" asks how
        ("khai sinh", "summary"),
        ("", "summary"),
    ],
)
def test_guess_aspect(text: str, aspect: str) -> None:
    from bot.knowledge import guess_aspect

    assert guess_aspect(text) == aspect


@pytest.mark.parametrize(
    ("intent_aspect", "text", "aspect"),
    [
        # the message's only question word overrules a classifier that heard another aspect
        ("steps", "mất hộ chiếu thì trình báo ở đâu", "place"),
        ("documents", "photo công chứng bằng đại học hết bao nhiêu 1 trang", "fee"),
        ("place", "lam don hoa giai tranh chap ranh dat can gi", "documents"),
        # a cue for the intent's own aspect: the classifier decides
        ("place", "chứng thực di chúc ở xã được không", "place"),
        ("documents", "làm ở đâu, cần giấy tờ gì", "documents"),
        # cues for other aspects only: the last one
        ("time", "đăng ký ở đâu, cần gì", "documents"),
        # a closing "được không" alone does not overrule the classifier
        ("time", "chứng thực bản sao lấy ngay được không", "time"),
        # no cue at all: the classifier decides
        ("legal", "đăng ký khai sinh", "legal"),
        # the catch-all takes the last cue, or gives a summary
        ("summary", "xã có làm đăng ký kết hôn tại nhà không", "place"),
        ("summary", "sang ten xe may o xa duoc khong", "place"),
        ("summary", "khai sinh", "summary"),
    ],
)
def test_asked_aspect(intent_aspect: str, text: str, aspect: str) -> None:
    from bot.knowledge import asked_aspect

    assert asked_aspect(intent_aspect, text) == aspect
