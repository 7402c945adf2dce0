import pytest

from bot.dossiers import extract_code, extract_verification, normalize_code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("000.00.00.H26-250601-0001", "000.00.00.H26-250601-0001"),
        ("  000.00.00.h26 - 250601 – 0001 ", "000.00.00.H26-250601-0001"),
        ("H26.22-240517-0012", "H26.22-240517-0012"),
        ("mã hồ sơ của tôi là 000.00.00.H26-250601-0003 ạ", "000.00.00.H26-250601-0003"),
    ],
)
def test_codes_are_found_and_normalised(text: str, code: str) -> None:
    assert extract_code(text) == code


@pytest.mark.parametrize(
    "text", ["", "abc", "12345", "mã hồ sơ là 12345", "tôi không nhớ mã", "1.001193", "x" * 300]
)
def test_malformed_codes_are_rejected(text: str) -> None:
    assert extract_code(text) is None


def test_pattern_can_be_narrowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIER_CODE_PATTERN", r"\d{3}\.\d{2}\.\d{2}\.H26-\d{6}-\d{4}")
    assert normalize_code("000.00.00.H26-250601-0001") == "000.00.00.H26-250601-0001"
    assert normalize_code("H26.22-240517-0012") is None


@pytest.mark.parametrize(
    ("text", "digits"),
    [("5678", "5678"), ("4 số cuối là 1234", "1234"), ("0912 345 678", "5678"),
     ("CCCD 001203004567", "4567"), ("12", None), ("năm sáu bảy tám", None), ("123456", None)],
)  # fmt: skip
def test_verification_keeps_only_four_digits(text: str, digits: str | None) -> None:
    assert extract_verification(text) == digits
