"""Parsers of the flattened portal tables: unit cases, and the hand-read sample (>= 30 records).

The hand-read test prints its counts; run with `-s` to see them:
    .venv/app/bin/python -m pytest tests/knowledge/test_parsing.py -s -k hand
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.knowledge import parsing as p
from bot.knowledge.importer import convert

DATA = Path(__file__).parent / "data" / "raw"
HAND = Path(__file__).parent / "hand_read.yml"
H = p.CHANNEL_HEADER


def test_channels_split_on_time_and_fee() -> None:
    rows, problems = p.parse_channels(
        f"{H}Trực tuyến7 Ngày làm việc10,000 Việt Nam Đồng(10.000 đồng/lần)"
        "Trực tiếp7 Ngày làm việc20,000 Việt Nam Đồng- Trực tiếp tại trụ sở Công an xã."
    )
    assert problems == []
    assert [(r.channel, r.time, r.fee, r.unclear) for r in rows] == [
        ("Trực tuyến", "7 Ngày làm việc", "10,000 Việt Nam Đồng", False),
        ("Trực tiếp", "7 Ngày làm việc", "20,000 Việt Nam Đồng", False),
    ]
    assert rows[0].note == "10.000 đồng/lần"
    assert rows[1].description == "- Trực tiếp tại trụ sở Công an xã."  # not a new row


def test_time_without_unit_is_kept_and_flagged() -> None:
    [row], _ = p.parse_channels(f"{H}Trực tuyến1Miễn phí")
    assert (row.time, row.fee, row.unclear) == ("1", "Miễn phí", True)
    assert "không có đơn vị" in row.reasons[0]


def test_time_glued_to_amount_is_not_split() -> None:
    [row], _ = p.parse_channels(f"{H}Trực tuyến1200 VNĐ")
    assert row.time is None and row.fee is None and row.unclear
    assert "1200 VNĐ" in (row.note or "")


def test_free_fee_contradicted_by_note_is_flagged() -> None:
    [row], _ = p.parse_channels(
        f"{H}Trực tiếp5 Ngày làm việcMiễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định.)"
    )
    assert row.fee == "Miễn phí" and row.unclear
    [row], _ = p.parse_channels(f"{H}Trực tiếp5 Ngày làm việcMiễn phí(Không quy định.)")
    assert not row.unclear


def test_amount_contradicted_by_note_is_flagged() -> None:
    [row], _ = p.parse_channels(f"{H}Trực tiếp2 Ngày70,000 VNĐ(50.000 đồng/Giấy chứng nhận)")
    assert row.fee == "70,000 VNĐ" and row.unclear


def test_no_info_cells_are_empty() -> None:
    [row], _ = p.parse_channels(f"{H}Trực tiếpKhông có thông tinKhông có thông tin")
    assert (row.time, row.fee, row.unclear) == (None, None, False)


def test_documents_by_case_with_quantity_form_and_notes() -> None:
    d = p.DOCUMENT_HEADER
    groups, problems = p.parse_documents(
        f"* Giấy tờ phải nộp:{d}- Tờ khai theo mẫu;Mau01.docx1 bản chính"
        f"Giải thích, không phải giấy tờ.0 bản chính- Bản sao sổ đỏ0 bản chính,1 bản sao"
        f"* Giấy tờ phải xuất trình:{d}- Căn cước1 bản chính"
    )
    assert problems == []
    assert [g.case for g in groups] == ["Giấy tờ phải nộp", "Giấy tờ phải xuất trình"]
    first = groups[0].items
    assert (first[0].name, first[0].form, first[0].quantity) == (
        "Tờ khai theo mẫu",
        "Mau01.docx",
        "1 bản chính",
    )
    assert first[1].quantity == "0 bản chính, 1 bản sao"  # a copy is still a paper
    assert groups[0].notes == ["Giải thích, không phải giấy tờ."]


def test_quantity_words_inside_a_name_do_not_split_it() -> None:
    [group], _ = p.parse_documents(
        f"--{p.DOCUMENT_HEADER}Nộp 01 bản sao giấy phép xây dựng1 bản chính"
    )
    assert [i.name for i in group.items] == ["Nộp 01 bản sao giấy phép xây dựng"]


def test_documents_without_table_are_reported() -> None:
    groups, problems = p.parse_documents("); nộp hồ sơ cho cơ quan BHXH.")
    assert groups == [] and problems


def test_legal_pairs() -> None:
    pairs, problems = p.parse_legal(
        f"{p.LEGAL_HEADER}Thông tư hướng dẫn về phí85/2019/TT-BTCNghị định số 123/2015/NĐ-CP ngày "
        "15/11/2015 của Chính phủ123/2015/NĐ-CP Luật 60/2014/QH1360/2014/QH13Quyết định x613/QĐ-TTg"
    )
    assert problems == []
    assert pairs == [
        ("85/2019/TT-BTC", "Thông tư hướng dẫn về phí"),
        ("123/2015/NĐ-CP", "Nghị định số 123/2015/NĐ-CP ngày 15/11/2015 của Chính phủ"),
        ("60/2014/QH13", "Luật 60/2014/QH13"),
        ("613/QĐ-TTg", "Quyết định x"),
    ]


def test_result_drops_portal_ui_text() -> None:
    text = "Giấy khai sinhMã: KQ.G15.000031Từ khóaKhông có thông tinChọn cơ quan thực hiệnNộp hồ sơ"
    assert p.parse_result(text) == "Giấy khai sinh (Mã: KQ.G15.000031)"


@pytest.mark.parametrize(
    "junk", ["", None, "Không có thông tin", "Trực tuyến", "(((", "1 bản chính"]
)
def test_bad_input_never_crashes(junk: str | None) -> None:
    p.parse_channels(junk)
    p.parse_documents(junk)
    p.parse_legal(junk)
    p.parse_lines(junk)
    p.parse_result(junk)


# -- the hand-read sample --------------------------------------------------------------------------


@dataclass
class Counts:
    values: int = 0  # values compared (time, fee per channel; name+quantity per paper)
    correct: int = 0
    flagged: int = 0  # differs from the hand reading (or is self-contradictory) and is flagged
    silent: list[str] | None = None  # differs and is NOT flagged: must stay empty
    missed_flags: list[str] | None = None  # the record contradicts itself, importer did not flag

    def __post_init__(self) -> None:
        self.silent, self.missed_flags = [], []


def _norm(text: str) -> str:
    return " ".join(text.split()).rstrip(" .;,")


def _compare_channels(code: str, expected: list[list], channels: list, counts: Counts) -> None:
    for i in range(max(len(expected), len(channels))):
        counts.values += 2
        if i >= len(expected) or i >= len(channels):
            counts.silent.append(f"{code}: channel row {i} missing on one side")
            continue
        name, time, fee, unclear = expected[i]
        got = channels[i]
        same = (got.channel, got.time, got.fee) == (name, time, fee)
        if same and unclear and not got.unclear:
            counts.missed_flags.append(f"{code}: {name}: {time}/{fee} should be flagged")
        elif same and unclear:
            counts.flagged += 2
        elif same:
            counts.correct += 2
        elif got.unclear:
            counts.flagged += 2
        else:
            counts.silent.append(f"{code}: {name}: got {got.time}/{got.fee}, read {time}/{fee}")


def _compare_documents(code: str, expected: list[list] | str, groups: list, counts: Counts) -> None:
    parsed = [doc for group in groups for doc in group.items]
    if expected == "none":
        counts.values += 1
        if parsed:
            counts.silent.append(f"{code}: papers parsed from a field without a table")
        else:
            counts.correct += 1
        return
    j = 0
    for name, quantity in expected:
        counts.values += 1
        if j < len(parsed) and _norm(parsed[j].name).startswith(_norm(name)):
            if parsed[j].quantity == quantity:
                counts.correct += 1
            elif parsed[j].unclear:
                counts.flagged += 1
            else:
                counts.silent.append(f"{code}: {name[:40]}: quantity {parsed[j].quantity}")
            j += 1
            continue
        holder = next(
            (k for k in range(max(0, j - 1), len(parsed))
             if parsed[k].unclear and _norm(name) in _norm(parsed[k].name)),
            None,
        )  # fmt: skip
        if holder is not None:
            counts.flagged += 1
            j = max(j, holder + 1)
        else:
            got = parsed[j].name[:60] if j < len(parsed) else "nothing"
            counts.silent.append(f"{code}: read {name[:50]!r}, got {got!r}")
            j += 1
    for extra in parsed[j:]:
        if not extra.unclear:
            counts.silent.append(f"{code}: extra paper {extra.name[:50]!r}")


def test_hand_read_sample_has_no_silently_wrong_values() -> None:
    records = yaml.safe_load(HAND.read_text(encoding="utf-8"))["records"]
    assert len(records) >= 30
    counts = Counts()
    for entry in records:
        code = entry["code"]
        raw = json.loads((DATA / f"{code}.json").read_text(encoding="utf-8"))
        procedure = convert(raw, dt.date(2026, 1, 1)).procedure
        _compare_channels(code, entry["channels"], procedure.channels, counts)
        if "documents" in entry:
            _compare_documents(code, entry["documents"], procedure.documents, counts)
    print(
        f"\nhand-read sample: {len(records)} records, {counts.values} values: "
        f"{counts.correct} correct, {counts.flagged} flagged unclear, "
        f"{len(counts.silent)} silently wrong, {len(counts.missed_flags)} contradictions missed"
    )
    for line in counts.silent + counts.missed_flags:
        print("  ", line)
    assert counts.silent == []
    assert counts.missed_flags == []
