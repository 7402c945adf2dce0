"""Acronyms read from the knowledge: "TNLĐ" in a title and "tai nạn lao động" typed match."""

from __future__ import annotations

from bot.knowledge import Knowledge, resolve
from bot.knowledge.acronyms import derive, expand

ACCIDENT_FIRST, INSURANCE_ENROLMENT = "1.001632", "1.002051"


def test_acronyms_are_spelled_out_from_the_knowledge(shipped: Knowledge) -> None:
    table = derive(shipped)
    assert table["tnld"] == "tai nạn lao động"
    assert table["bnn"] == "bệnh nghề nghiệp"
    assert table["kcb"] == "khám chữa bệnh"
    assert table["bhtn"] == "bảo hiểm thất nghiệp"
    # numerals and acronyms the chat abbreviations already spell out are left alone
    assert "iii" not in table and "iv" not in table and "bhxh" not in table


def test_expand_any_case_and_d_for_dj() -> None:
    table = {"tnld": "tai nạn lao động"}
    assert expand(table, "chế độ TNLĐ, tnld") == "chế độ tai nạn lao động, tai nạn lao động"
    assert expand(table, "tinh lại") == "tinh lại"


def test_spelled_out_query_finds_the_acronym_title(shipped: Knowledge) -> None:
    assert resolve(shipped, "đóng bảo hiểm thất nghiệp cho công nhân").code == INSURANCE_ENROLMENT


def test_lowercase_acronym_query_finds_the_title(shipped: Knowledge) -> None:
    assert resolve(shipped, "tnld lần đầu hưởng chế độ gì").code == ACCIDENT_FIRST
