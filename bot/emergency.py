"""Emergency safety net: spot fire, accident, medical and crime messages by keywords, for the
paths where the NLU did not say `emergency` (low confidence, text typed into a form).

Marked keywords are matched on the text as typed (with diacritics); folded phrases only where
the unmarked form is unambiguous ("chay" alone is also "chảy", "lua" is also "lúa").
"""

from __future__ import annotations

from bot.text import folded_syllables, syllables

EMERGENCY_TEXT = (
    "Dạ, nếu đang có nguy hiểm, anh/chị gọi ngay (miễn phí, 24/7):\n"
    "• 114 — Cứu hỏa, cứu nạn cứu hộ (cháy, nổ, sập nhà, đuối nước)\n"
    "• 115 — Cấp cứu y tế (tai nạn, người bị thương, ngất, khó thở)\n"
    "• 113 — Công an (trộm cướp, đánh nhau, gây rối)\n"
    "Trợ lý ảo không điều phối được lực lượng cứu hộ; anh/chị hãy gọi điện trực tiếp. "
    "Giữ an toàn cho mình trước ạ."
)

MARKED = (
    "cháy", "hỏa hoạn", "hoả hoạn", "đám cháy", "tai nạn", "cấp cứu", "đột quỵ", "ngất",
    "bất tỉnh", "co giật", "khó thở", "chảy máu", "ngộ độc", "đuối nước", "chết đuối",
    "điện giật", "nổ", "cướp", "ăn trộm", "kẻ trộm", "có trộm", "bị trộm", "đánh nhau", "đâm chém", "giết", "bắt cóc", "sập nhà",
    "hiếp", "truy sát",
)  # fmt: skip
FOLDED = (
    "chay nha", "dam chay", "dang chay", "bi chay", "chay rung", "hoa hoan", "tai nan",
    "cap cuu", "dot quy", "bat tinh", "co giat", "kho tho", "chay mau", "ngo doc", "duoi nuoc",
    "chet duoi", "dien giat", "bi cuop", "an cuop", "cuop giat", "an trom", "danh nhau",
    "dam chem", "giet nguoi", "bat coc", "sap nha", "chay no", "co trom", "bi trom",
    "ke trom", "trom vao",
)  # fmt: skip


def _contains(words: list[str], phrases: tuple[str, ...]) -> bool:
    padded = f" {' '.join(words)} "
    return any(f" {phrase} " in padded for phrase in phrases)


def is_emergency(text: str) -> bool:
    """True when `text` reads like an emergency (fire, accident, medical, crime)."""
    if not isinstance(text, str) or not text.strip():
        return False
    return _contains(syllables(text), MARKED) or _contains(folded_syllables(text), FOLDED)
