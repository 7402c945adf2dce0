"""Masking phone and ID numbers in stored transcripts."""

from __future__ import annotations

import pytest

from bot.text.masking import mask_personal_numbers


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("sdt 0912345678 nhé", "sdt *******678 nhé"),
        ("0912 345 678", "**** *** 678"),
        ("0912.345.678", "****.***.678"),
        ("+84 912 345 678", "+** *** *** 678"),
        ("CCCD: 001099012345.", "CCCD: *********345."),
        ("số cũ 12345678901", "số cũ ********901"),
    ],
)
def test_personal_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_personal_numbers(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Đăng ký khai sinh (mã 1.001193)",
        "hồ sơ H31.39-241015-0001",
        "ngày 12/03/2024",
        "lệ phí 1.500.000.000 đồng",
        "mã số 012345678",  # 9 digits
        "1234567890123",  # 13 digits: not a phone or ID number
        "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193",
    ],
)
def test_other_numbers_are_kept(text: str) -> None:
    assert mask_personal_numbers(text) == text


def test_published_numbers_stay_readable() -> None:
    text = "Gọi 0225.3123.456 hoặc 0912345678"
    assert (
        mask_personal_numbers(text, frozenset({"02253123456"}))
        == "Gọi 0225.3123.456 hoặc *******678"
    )
