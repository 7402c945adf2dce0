"""A country named by where the citizen was or goes ("ở Úc", "sang Mỹ"), derived from the
synonym group that names nationalities ("người X" and "quốc tịch X")."""

from __future__ import annotations

from bot.knowledge import Knowledge, lexical, resolve
from bot.knowledge.schema import SynonymGroup

FOREIGN_BIRTH, FOREIGN_MARRIAGE = "2.000528", "2.000806"


def test_place_phrases_need_both_nationality_forms_and_a_word_no_text_has() -> None:
    group = SynonymGroup(
        term="có yếu tố nước ngoài",
        everyday=["người Úc", "quốc tịch Úc", "người Nhật", "quốc tịch Nhật", "người Lạ"],
    )
    phrases = lexical.place_phrases(group, vocab={"nhat"})  # "nhật" of "cập nhật"
    assert "o uc" in phrases and "sang uc" in phrases and "ben uc" in phrases
    assert not any(p.endswith("nhat") for p in phrases)  # a word of the texts
    assert not any(p.endswith("la") for p in phrases)  # no "quốc tịch Lạ"


def test_born_or_living_abroad_names_the_foreign_variant(shipped: Knowledge) -> None:
    assert resolve(shipped, "con sinh ở Úc giờ về làm khai sinh ở xã").code == FOREIGN_BIRTH
    query = "chồng em ở Mỹ về, muốn đăng ký kết hôn ở xã"
    assert resolve(shipped, query).code == FOREIGN_MARRIAGE


def test_a_place_word_alone_names_nothing(shipped: Knowledge) -> None:
    # "ở" + a word of the texts is no country ("ở Nhật Tân", "sang tên")
    assert resolve(shipped, "con sinh ở nhà hộ sinh giờ làm khai sinh").code == "1.001193"
