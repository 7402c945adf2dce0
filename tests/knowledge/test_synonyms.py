"""Everyday words -> title wording (knowledge/synonyms.yml) in search."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import Knowledge, KnowledgeError, load_knowledge, resolve
from bot.knowledge.lexical import expand, synonym_rules
from bot.knowledge.schema import SynonymGroup

RULES = synonym_rules(
    [
        SynonymGroup(term="khai sinh", everyday=["đẻ", "mới sinh con"]),
        SynonymGroup(term="giấy chứng nhận quyền sử dụng đất", everyday=["sổ đỏ"]),
        SynonymGroup(term="thường trú", everyday=["hộ khẩu", "chuyển hộ khẩu"]),
    ]
)


def test_phrases_are_replaced_with_or_without_diacritics() -> None:
    assert expand(RULES, "Sổ đỏ bị mất") == "giấy chứng nhận quyền sử dụng đất bị mất"
    assert expand(RULES, "so do bi mat") == "giấy chứng nhận quyền sử dụng đất bi mat"


def test_longest_phrase_wins() -> None:
    assert expand(RULES, "chuyển hộ khẩu cho con") == "thường trú cho con"


def test_a_single_marked_syllable_needs_its_marks() -> None:
    # folded, "đẻ" would be "để" (in order to): "làm sao để xin trợ cấp"
    assert expand(RULES, "vợ em mới đẻ") == "vợ em mới khai sinh"
    assert expand(RULES, "lam sao de xin tro cap") is None
    assert expand(RULES, "làm sao để xin trợ cấp") is None


def test_no_rule_no_expansion() -> None:
    assert expand((), "sổ đỏ") is None
    assert expand(RULES, "") is None


def test_shipped_synonyms_reach_search(shipped: Knowledge) -> None:
    assert shipped.synonyms, "knowledge/synonyms.yml should ship with the assistant"
    assert resolve(shipped, "nha em co khach o qua dem co phai bao khong").code == "2.001159"
    # "bìa hồng" is in no title or alias: found through the synonym only
    query = "muốn làm bìa hồng cho mảnh đất nhà em"
    assert resolve(shipped, query).code == "1.013978"
    assert resolve(shipped.model_copy(update={"synonyms": []}), query).code != "1.013978"


MARITAL_STATUS, DOMESTIC_ADOPTION = "1.004873", "2.001263"


@pytest.mark.parametrize(
    "query",
    [
        "nguoi doc than co duoc nhan con nuoi ko, phai hon con bao nhieu tuoi",
        "tôi độc thân 40 tuổi muốn nhận con nuôi thì cần gì",
    ],
)
def test_a_situation_word_does_not_name_the_certificate(shipped: Knowledge, query: str) -> None:
    # "độc thân" alone is the asker's situation, not the marital-status certificate
    assert "tình trạng hôn nhân" not in (expand(synonym_rules(shipped.synonyms), query) or "")
    resolution = resolve(shipped, query)
    assert resolution.code == DOMESTIC_ADOPTION


@pytest.mark.parametrize(
    "query", ["xin giay doc than", "làm độc thân ở đâu", "giấy xác nhận chưa kết hôn xin ở đâu"]
)
def test_asking_for_the_paper_still_gets_the_certificate(shipped: Knowledge, query: str) -> None:
    assert resolve(shipped, query).code == MARITAL_STATUS


def test_a_staff_synonym_works_without_retraining(kdir: Path) -> None:
    query = "xin giấy phép mở karaoke gia đình"
    before = resolve(load_knowledge(kdir), query)
    assert before.code != "1.001612"
    path = kdir / "synonyms.yml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - term: đăng ký thành lập hộ kinh doanh\n    everyday: [mở karaoke]\n",
        encoding="utf-8",
    )
    assert resolve(load_knowledge(kdir), query).code == "1.001612"


def test_a_broken_synonym_file_names_file_line_and_field(kdir: Path) -> None:
    (kdir / "synonyms.yml").write_text(
        "synonyms:\n  - term: khai sinh\n    everyday: []\n", encoding="utf-8"
    )
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(kdir)
    assert "synonyms.yml:3" in str(err.value) and "everyday" in str(err.value)
