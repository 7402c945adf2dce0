"""Dossier codes and the verification digits, as citizens type them.

A receipt (Giấy tiếp nhận hồ sơ và hẹn trả kết quả) prints a code such as
`000.00.00.H26-250601-0001`: agency segments, the filing date (yymmdd) and a sequence number.
Provinces' one-stop systems differ, so the accepted format is deliberately broad: letters and
digits in segments joined by `.`, `-` or `/`, 10 to 40 characters, with at least 6 digits.
`DOSSIER_CODE_PATTERN` (a regular expression) narrows it for one province.
"""

from __future__ import annotations

import os
import re

CODE_EXAMPLE = "000.00.00.H26-250601-0001"
CODE_HINT = (
    "Dạ, mã hồ sơ chưa đúng định dạng ạ. Mã được in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả, "
    f"gồm chữ và số ngăn cách bởi dấu chấm hoặc gạch ngang, ví dụ: {CODE_EXAMPLE}. "
    'Anh/chị vui lòng nhập lại mã (hoặc gõ "hủy" để dừng).'
)
_DEFAULT_PATTERN = r"[A-Z0-9]+(?:[.\-/][A-Z0-9]+){1,8}"
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", "_": "-"})
_CANDIDATE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-/‐‑‒–—−_ ]{6,60}[A-Za-z0-9]")
MIN_DIGITS = 6
MIN_LEN, MAX_LEN = 10, 40  # procedure codes (1.001193) are shorter


def _pattern() -> re.Pattern[str]:
    return re.compile(os.environ.get("DOSSIER_CODE_PATTERN") or _DEFAULT_PATTERN)


def normalize_code(text: str) -> str | None:
    """The code in canonical form (upper case, no spaces, ASCII dashes), or None if malformed."""
    if not isinstance(text, str):
        return None
    code = re.sub(r"\s*([.\-/])\s*", r"\1", text.strip().translate(_DASHES)).upper()
    code = code.strip(".-/ ")
    if not MIN_LEN <= len(code) <= MAX_LEN or " " in code:
        return None
    if sum(c.isdigit() for c in code) < MIN_DIGITS:
        return None
    return code if _pattern().fullmatch(code) else None


def extract_code(text: str) -> str | None:
    """A dossier code anywhere in a message ("mã của tôi là 000.00.00.H26-250601-0001 ạ")."""
    if not isinstance(text, str):
        return None
    whole = normalize_code(text)
    if whole:
        return whole
    for token in text.split():
        code = normalize_code(token)
        if code:
            return code
    for match in _CANDIDATE.finditer(text):
        code = normalize_code(match.group(0))
        if code:
            return code
    return None


def extract_verification(text: str) -> str | None:
    """The last 4 digits of a phone or ID number in a message, or None.

    Exactly 4 digits are expected; a whole phone (10 digits) or ID number (12) is accepted too,
    and only its last 4 digits are kept (collect the minimum).
    """
    if not isinstance(text, str):
        return None
    runs = re.findall(r"\d(?:[ .]?\d)*", text)
    for run in runs:
        digits = re.sub(r"\D", "", run)
        if len(digits) in (4, 9, 10, 11, 12):
            return digits[-4:]
    return None
