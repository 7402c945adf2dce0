"""Masking of personal numbers (phone and citizen ID numbers) in text for logs and storage."""

from __future__ import annotations

import re

# A run of 10-12 digits (phone numbers, 12-digit citizen ID numbers), also when written in groups
# such as "0912 345 678", "0912.345.678" or "+84 912 345 678". Shorter numbers (procedure codes
# like 1.001193, dates, fees) and hyphenated codes (dossier numbers) are left alone.
NUMBER_RUN = re.compile(r"(?<![\w./-])\+?\d(?:[ .]?\d){9,11}(?![\w/-]|\.\d)")
# "1.500.000.000" is an amount of money (dots group thousands), not a phone number.
_MONEY = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")
_MASK_KEEP = 3  # the last digits stay readable so the citizen still recognises the number


def digits_of(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def mask_personal_numbers(text: str, public: frozenset[str] = frozenset()) -> str:
    """`text` with every 10-12 digit run (phone, ID number) masked except its last 3 digits.

    `public` holds digit strings that are published and stay readable (the commune's hotline).
    """

    def mask(match: re.Match[str]) -> str:
        run = match.group(0)
        digits = digits_of(run)
        if not 10 <= len(digits) <= 12 or digits in public or _MONEY.fullmatch(run):
            return run
        seen = 0
        out: list[str] = []
        for char in run:
            if char.isdigit():
                seen += 1
                out.append(char if seen > len(digits) - _MASK_KEEP else "*")
            else:
                out.append(char)
        return "".join(out)

    return NUMBER_RUN.sub(mask, text)
