"""Ranking mechanisms that decide between close procedures: families and their variants."""

from __future__ import annotations

import importlib

import pytest

from bot.knowledge import Knowledge, resolve
from bot.knowledge.families import _qualifier, families_for, query_terms, terms, title_syllables

search_module = importlib.import_module("bot.knowledge.search")

BIRTH, PARENT, BIRTH_WITH_PARENT = "1.001193", "1.001022", "1.000689"
FOREIGN_BIRTH, BIRTH_WITH_PAPERS, FOREIGN_BIRTH_WITH_PAPERS = "2.000528", "1.004772", "1.000893"
IRRIGATION_PERMIT, IRRIGATION_PERMIT_RENEWAL = "1.014850", "1.014863"
LINKED_BIRTH_INSURANCE, LINKED_BIRTH_RESIDENCE_INSURANCE = "2.001023", "2.000986"
TEMPORARY, RESIDENCE_DECLARATION = "1.004194", "1.010040"


def test_alignment_tries_every_split() -> None:
    main = title_syllables("Đăng ký nhận cha, mẹ, con")
    variant = title_syllables("Đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con")
    # greedy matching would take the first "đăng ký" and find the rest too far away
    assert _qualifier(main, variant) == (("dang", "ki", "khai", "sinh", "ket", "hop"),)


def test_alignment_limits() -> None:
    main = title_syllables("Đăng ký tạm trú")
    long_lead = title_syllables(
        "Khai báo thông tin về cư trú đối với người chưa đủ điều kiện đăng ký thường trú, "
        "đăng ký tạm trú"
    )
    assert _qualifier(main, long_lead) is None
    assert _qualifier(main, title_syllables("Xóa đăng ký tạm trú")) == (("xoa",),)


def test_families_ignore_title_fillers_and_allow_longer_interruptions(shipped: Knowledge) -> None:
    families = families_for(shipped)
    # "Liên thông [các] thủ tục ...": the one with residence adds "đăng ký thường trú"
    assert families.main_of[LINKED_BIRTH_RESIDENCE_INSURANCE] == LINKED_BIRTH_INSURANCE
    # "Cấp [gia hạn, điều chỉnh nội dung] giấy phép ..." (6 syllables inside)
    assert families.main_of[IRRIGATION_PERMIT_RENEWAL] == IRRIGATION_PERMIT
    assert families.main_of[BIRTH_WITH_PARENT] == PARENT
    assert RESIDENCE_DECLARATION not in families.main_of


def test_a_qualifier_is_named_by_words_not_by_stray_syllables() -> None:
    names = terms((("gia", "han", "dieu", "chinh", "noi", "dung"),))
    assert "noi dung" in names and "noi" not in names
    assert terms((("lai",),)) == {"lai"}
    # "nội" of "thủy nội địa" does not name "điều chỉnh nội dung"
    assert not names & query_terms(["phuong", "tien", "thuy", "noi", "dia"])


def test_negation_rules_out_a_special_case(shipped: Knowledge) -> None:
    index = search_module.index_for(shipped)
    sylls = search_module._query_syllables("khai sinh kèm thẻ bảo hiểm, không cần nhập khẩu")
    assert not index.families.names_variant(LINKED_BIRTH_RESIDENCE_INSURANCE, sylls)
    sylls = search_module._query_syllables("khai sinh kèm thẻ bảo hiểm và đăng ký thường trú")
    assert index.families.names_variant(LINKED_BIRTH_RESIDENCE_INSURANCE, sylls)


def test_two_named_special_cases_get_the_variant_that_is_both(shipped: Knowledge) -> None:
    hits = [
        search_module.Hit(
            BIRTH_WITH_PAPERS, 0.5, "đã có căn cước mà chưa có khai sinh", kind="alias"
        ),
        search_module.Hit(FOREIGN_BIRTH, 0.4, "khai sinh có yếu tố nước ngoài", kind="title"),
        search_module.Hit(FOREIGN_BIRTH_WITH_PAPERS, 0.3, kind="title"),
    ]
    families = families_for(shipped)
    sylls = search_module._query_syllables("sinh ở nước ngoài, có căn cước, chưa có khai sinh")
    ranked = search_module._prefer_combined(hits, families, sylls)
    assert ranked[0].code == FOREIGN_BIRTH_WITH_PAPERS
    # a variant alone is not enough when the runner-up of the family is not named
    sylls = search_module._query_syllables("có căn cước mà chưa có khai sinh")
    assert search_module._prefer_combined(hits, families, sylls)[0].code == BIRTH_WITH_PAPERS


def test_an_alias_in_citizens_words_names_its_variant(shipped: Knowledge) -> None:
    index = search_module.index_for(shipped)
    words = index.main_words[BIRTH]
    alias = search_module.Hit(BIRTH_WITH_PAPERS, 0.5, "chưa từng có khai sinh", kind="alias")
    assert search_module._says_variant(alias, words, {"chua", "tung", "khai", "sinh"})
    # only words the main procedure's own texts also have: not evidence for the variant
    plain = search_module.Hit(FOREIGN_BIRTH, 0.5, "khai sinh cho con", kind="alias")
    assert not search_module._says_variant(plain, words, {"khai", "sinh", "con"})


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("xin cấp giấy phép chèo thuyền du lịch trên hồ thủy lợi", IRRIGATION_PERMIT),
        ("gia hạn giấy phép du lịch trên hồ thủy lợi", IRRIGATION_PERMIT_RENEWAL),
    ],
)
def test_main_or_named_variant_beyond_short_interruptions(
    shipped: Knowledge, query: str, code: str
) -> None:
    resolution = resolve(shipped, query)
    assert resolution.kind == "found" and resolution.code == code


# -- close titles outside families ---------------------------------------------------------------


def _contrast(a: str, b: str, query: str) -> int:
    return search_module._contrast(
        title_syllables(a), title_syllables(b), search_module._query_syllables(query)
    )


def test_close_titles_are_told_apart_by_their_own_words() -> None:
    first = "Đăng ký phương tiện hoạt động vui chơi, giải trí dưới nước lần đầu"
    again = "Đăng ký lại phương tiện hoạt động vui chơi, giải trí dưới nước"
    assert _contrast(first, again, "mua mô tô nước mới, đăng ký lần đầu") == 1
    assert _contrast(first, again, "đăng ký lại mô tô nước") == -1
    assert _contrast(first, again, "đăng ký mô tô nước") == 0  # names neither
    birth = "Thủ tục đăng ký khai sinh lưu động"
    death = "Thủ tục đăng ký khai tử lưu động"
    assert _contrast(death, birth, "cán bộ xuống nhà làm khai tử") == 1


def test_a_common_word_next_to_a_shared_one_names_nothing() -> None:
    renew = "Cấp lại chứng nhận đăng ký xe, biển số xe"
    revoke = "Thu hồi giấy chứng nhận đăng ký, biển số xe"
    assert _contrast(renew, revoke, "nộp lại biển số xe") <= 0  # "nộp lại" is not "cấp lại"
    become = "Thủ tục công nhận hòa giải viên"
    stop = "Thủ tục thôi làm hòa giải viên"
    assert _contrast(stop, become, "muốn làm hòa giải viên") == 0
    assert _contrast(renew, revoke, "xin cấp lại đăng ký xe") == 1


def test_titles_far_apart_are_not_contrasted() -> None:
    assert _contrast("Đăng ký khai sinh", "Cấp giấy phép xây dựng", "khai sinh") == 0


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("đăng ký lần đầu cho mô tô nước mới mua", "2.001215"),
        ("đăng ký lại mô tô nước", "2.001214"),
    ],
)
def test_close_siblings_resolve_by_their_own_words(
    shipped: Knowledge, query: str, code: str
) -> None:
    resolution = resolve(shipped, query)
    assert resolution.kind == "found" and resolution.code == code


# -- marks -----------------------------------------------------------------------------------------


def _best(shipped: Knowledge, query: str, code: str) -> float:
    hits = search_module.search(shipped, query, k=300)
    return next((h.score for h in hits if h.code == code), 0.0)


LAND_LEASE = "1.013950"  # "Chuyển hình thức giao đất, cho thuê đất": thuê (lease), not thuế (tax)


def test_marked_query_prefers_the_same_marks(shipped: Knowledge) -> None:
    # typed with marks, "thuế" (tax) is not "thuê" (lease); typed without, it may be either
    tax = _best(shipped, "đóng thuế đất hằng năm ở đâu", LAND_LEASE)
    assert tax < 0.9 * _best(shipped, "đóng thuê đất hằng năm ở đâu", LAND_LEASE)
    assert tax < 0.9 * _best(shipped, "dong thue dat hang nam o dau", LAND_LEASE)


def test_half_marked_typing_is_read_as_unmarked(shipped: Knowledge) -> None:
    # "cươc" lacks its tone: a query with marks on few syllables asserts none of them
    assert _best(shipped, "lam can cươc cho con", "1.014061") == pytest.approx(
        _best(shipped, "lam can cuoc cho con", "1.014061")
    )


def test_marked_canon_reads_ky_as_ki() -> None:
    from bot.knowledge.lexical import marked_canon

    assert marked_canon("ký") == marked_canon("kí") == "kí"
    assert marked_canon("quý") == "quý"  # "uy" is a vowel pair, not a final y


# -- titles that differ by function words only ----------------------------------------------------

TRANSLATOR_COLLABORATOR, TRANSLATOR_NOT_COLLABORATOR = "2.000992", "2.001008"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # naming neither: the plain (positive) title, the negated one comes along as a variant
        ("chứng thực chữ ký người dịch", TRANSLATOR_COLLABORATOR),
        ("chứng thực chữ ký người dịch không phải cộng tác viên", TRANSLATOR_NOT_COLLABORATOR),
    ],
)
def test_a_negation_is_what_tells_two_titles_apart(
    shipped: Knowledge, query: str, code: str
) -> None:
    families = families_for(shipped)
    assert families.main_of[TRANSLATOR_NOT_COLLABORATOR] == TRANSLATOR_COLLABORATOR
    assert families.qualifier(TRANSLATOR_NOT_COLLABORATOR) == {"khong phai"}
    resolution = resolve(shipped, query)
    assert resolution.kind == "found" and resolution.code == code


PERMANENT, HOUSEHOLD_HEAD_CHANGE = "1.004222", "1.010039"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # "đổi chủ hộ" (an alias, said whole) against "sang tên đổi chủ xe" (said in part)
        ("mẹ tôi mất, muốn đổi chủ hộ sang tên tôi thì mang gì", HOUSEHOLD_HEAD_CHANGE),
        # the title "đăng ký thường trú" (said whole, through "nhập khẩu") against "xác nhận
        # diện tích nhà thuê để nhập khẩu" (said in part)
        ("ở nhà thuê thì nhập khẩu được không", PERMANENT),
    ],
)
def test_a_text_said_whole_beats_a_close_one_said_in_part(
    shipped: Knowledge, query: str, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolution = resolve(shipped, query)
    assert resolution.kind == "found" and resolution.code == code
    # without the rule the partly said text is a rival and the assistant asks
    monkeypatch.setattr(search_module, "COVER_GAP", 2.0)
    assert resolve(shipped, query).kind == "ambiguous"
