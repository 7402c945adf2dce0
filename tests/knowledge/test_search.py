from __future__ import annotations

import pytest

from bot.knowledge import Knowledge, resolve, search

BIRTH, MARRIAGE, DEATH, PERMANENT, TEMPORARY, COPY = (
    "1.001193", "1.000894", "1.000656", "1.004222", "1.004194", "2.000815"
)  # fmt: skip


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("lam giay khai sinh cho con", BIRTH),
        ("Làm giấy khai sinh cho con cần gì?", BIRTH),
        ("LÀM GKS CHO BÉ", BIRTH),
        ("ĐKKS", BIRTH),
        ("dang ky ket hon", MARRIAGE),
        ("đk kết hôn cần giấy tờ gì", MARRIAGE),
        ("đk thường trú", PERMANENT),
        ("đăng kí thường trú", PERMANENT),
        ("lam ho khau", PERMANENT),
        ("dang ky tam tru cho nguoi thue tro", TEMPORARY),
        ("người nhà mất thì làm giấy gì", DEATH),
        ("khai tu", DEATH),
        ("photo công chứng", COPY),
        ("chung thuc ban sao", COPY),
    ],
)
def test_finds_the_procedure(shipped: Knowledge, query: str, code: str) -> None:
    hits = search(shipped, query)
    assert hits and hits[0].code == code
    resolution = resolve(shipped, query)
    assert resolution.kind == "found" and resolution.code == code


def test_marked_and_unmarked_score_alike(shipped: Knowledge) -> None:
    marked = search(shipped, "đăng ký kết hôn")[0]
    unmarked = search(shipped, "dang ky ket hon")[0]
    assert marked.code == unmarked.code == MARRIAGE
    assert marked.score == pytest.approx(unmarked.score)


def test_exact_code(shipped: Knowledge) -> None:
    [hit] = search(shipped, "1.004222")
    assert hit.code == PERMANENT and hit.exact
    assert resolve(shipped, "thủ tục 2.000815 nộp ở đâu").code == COPY


def test_unknown_code_is_not_exact(shipped: Knowledge) -> None:
    assert all(not hit.exact for hit in search(shipped, "9.999999"))


@pytest.mark.parametrize("query", ["đăng ký", "dang ky"])
def test_vague_query_is_ambiguous(shipped: Knowledge, query: str) -> None:
    resolution = resolve(shipped, query)
    assert resolution.kind == "ambiguous"
    assert len(resolution.hits) >= 2


@pytest.mark.parametrize(
    # Topics the imported commune-level procedures do not cover ("ly hôn" and "cấp lại căn
    # cước" used to be here; the national import brought procedures for both).
    "query",
    ["mất bao lâu?", "lệ phí bao nhiêu", "xin chào", "xin visa đi Mỹ", "nộp phạt nguội", ""],
)
def test_nothing_fits(shipped: Knowledge, query: str) -> None:
    assert resolve(shipped, query).kind == "none"


def test_k_limits_hits(shipped: Knowledge) -> None:
    assert len(search(shipped, "đăng ký", k=2)) == 2
    assert search(shipped, "đăng ký", k=0) == []
    scores = [hit.score for hit in search(shipped, "đăng ký khai sinh", k=5)]
    assert scores == sorted(scores, reverse=True)
