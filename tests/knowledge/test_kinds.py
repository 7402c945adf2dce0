"""Kinds of organisation: hộ kinh doanh, tổ hợp tác, hợp tác xã and công ty are different
procedures, however many other words their titles share."""

from __future__ import annotations

import pytest

from bot.knowledge import Knowledge, resolve
from bot.knowledge.kinds import (
    COMPANY,
    COOPERATIVE,
    COOPERATIVE_GROUP,
    HOUSEHOLD_BUSINESS,
    kinds_in,
    mismatched,
    subject_kinds,
)
from bot.text import folded_syllables

HOUSEHOLD_BUSINESS_CHANGE, COOPERATIVE_CHANGE, GROUP_CHANGE = "2.000720", "1.005277", "2.002639"


def kinds(text: str) -> frozenset[str]:
    return kinds_in(folded_syllables(text))


def test_kinds_are_read_longest_first() -> None:
    assert kinds("Đăng ký thay đổi nội dung đăng ký tổ hợp tác") == {COOPERATIVE_GROUP}
    assert kinds("liên hiệp hợp tác xã") == {COOPERATIVE}
    assert kinds("chuyển đổi tổ hợp tác thành hợp tác xã") == {COOPERATIVE_GROUP, COOPERATIVE}
    assert kinds("ho kinh doanh ca the") == {HOUSEHOLD_BUSINESS}
    assert kinds("thành lập công ty TNHH") == kinds("doanh nghiệp") == {COMPANY}
    assert kinds("hợp tác với nhau kinh doanh") == frozenset()


def test_a_company_beside_another_kind_is_not_the_subject() -> None:
    title = folded_syllables("Thông báo về việc thành lập doanh nghiệp của hợp tác xã")
    assert subject_kinds(title) == {COOPERATIVE}
    assert subject_kinds(folded_syllables("thành lập công ty")) == {COMPANY}


def test_mismatch_needs_a_kind_on_both_sides() -> None:
    assert mismatched(frozenset({COOPERATIVE_GROUP}), frozenset({COOPERATIVE}))
    assert not mismatched(frozenset({COOPERATIVE_GROUP, COOPERATIVE}), frozenset({COOPERATIVE}))
    assert not mismatched(frozenset(), frozenset({COOPERATIVE}))
    assert not mismatched(frozenset({COOPERATIVE}), frozenset())


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("htx cua chung toi doi giam doc, dang ky thay doi noi dung", COOPERATIVE_CHANGE),
        ("hợp tác xã đổi giám đốc thì đăng ký thay đổi nội dung thế nào", COOPERATIVE_CHANGE),
        ("tổ hợp tác đổi tổ trưởng, đăng ký thay đổi nội dung", GROUP_CHANGE),
        ("hộ kinh doanh đổi địa chỉ, đăng ký thay đổi nội dung", HOUSEHOLD_BUSINESS_CHANGE),
    ],
)
def test_the_named_kind_gets_its_own_procedure(shipped: Knowledge, query: str, code: str) -> None:
    resolution = resolve(shipped, query)
    assert resolution.kind == "found" and resolution.code == code


@pytest.mark.parametrize(
    "query", ["đăng ký thành lập công ty TNHH", "thành lập doanh nghiệp tư nhân"]
)
def test_a_company_is_never_sure_to_be_a_commune_business(shipped: Knowledge, query: str) -> None:
    resolution = resolve(shipped, query)
    assert resolution.kind != "found"
    assert resolution.code is None
