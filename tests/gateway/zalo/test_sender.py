"""Rasa replies as Zalo CS messages: splitting, buttons, links and phone numbers."""

from __future__ import annotations

from bot.gateway.zalo.sender import (
    MAX_TEXT_CHARS,
    MORE_CHOICES_TEXT,
    build_outbox,
    split_text,
    zalo_button,
)


def test_short_text_is_one_piece() -> None:
    assert split_text("Dạ, xin chào") == ["Dạ, xin chào"]
    assert split_text("   ") == []


def test_long_text_splits_on_line_boundaries_in_order() -> None:
    lines = [f"{i}. Giấy tờ số {i}: bản chính hoặc bản sao có chứng thực." for i in range(120)]
    text = "\n".join(lines)
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(len(p) <= MAX_TEXT_CHARS for p in pieces)
    # Nothing lost, nothing reordered, and every cut is at a line end.
    assert "\n".join(pieces) == text
    for piece in pieces:
        assert piece.splitlines()[-1] in lines


def test_paragraph_breaks_are_preferred() -> None:
    first = "A" * 1200
    second = "B " * 600
    pieces = split_text(f"{first}\n\n{second.strip()}")
    assert pieces[0] == first


def test_text_without_breaks_is_cut_hard() -> None:
    text = "x" * 4500
    pieces = split_text(text)
    assert [len(p) for p in pieces] == [2000, 2000, 500]
    assert "".join(pieces) == text


def test_button_kinds() -> None:
    assert zalo_button("Xem thêm", "Lệ phí khai sinh") == {
        "title": "Xem thêm",
        "type": "oa.query.show",
        "payload": "Lệ phí khai sinh",
    }
    hidden = zalo_button("Khai sinh", '/ask_procedure{"procedure":"1.001193"}')
    assert hidden is not None and hidden["type"] == "oa.query.hide"
    link = zalo_button("Cổng DVC", "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc.html")
    assert link == {
        "title": "Cổng DVC",
        "type": "oa.open.url",
        "payload": {"url": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc.html"},
    }
    phone = zalo_button("Gọi xã", "tel:0225 3 123 456")
    assert phone == {
        "title": "Gọi xã",
        "type": "oa.open.phone",
        "payload": {"phone_code": "02253123456"},
    }
    bare = zalo_button("Gọi", "+84 912.345.678")
    assert bare is not None and bare["payload"] == {"phone_code": "+84912345678"}
    long_title = zalo_button("T" * 150, "p")
    assert long_title is not None and len(long_title["title"]) == 100
    assert zalo_button("  ", "p") is None
    assert zalo_button("x", "p" * 1001) is None


def test_outbox_maps_rasa_replies_in_order() -> None:
    buttons = [{"title": f"Mục {i}", "payload": f'/choose{{"i":{i}}}'} for i in range(7)]
    utterances = [
        {"recipient_id": "x", "text": "Câu trả lời một"},
        {"recipient_id": "x", "text": "Chọn một mục", "buttons": buttons},
        {"recipient_id": "x", "buttons": [{"title": "Thêm", "payload": "thêm"}]},
        {"recipient_id": "x", "image": "https://example.invalid/map.png"},
        {"recipient_id": "x", "custom": {"x": 1}},
        "garbage",
    ]
    out = build_outbox(utterances)
    assert out[0] == {"text": "Câu trả lời một"}
    assert out[1]["text"] == "Chọn một mục"
    first_group = out[1]["attachment"]["payload"]["buttons"]
    assert [b["title"] for b in first_group] == [f"Mục {i}" for i in range(5)]
    assert out[2]["text"] == MORE_CHOICES_TEXT
    assert [b["title"] for b in out[2]["attachment"]["payload"]["buttons"]] == [
        "Mục 5",
        "Mục 6",
        "Thêm",
    ]
    assert out[3] == {"text": "https://example.invalid/map.png"}
    assert len(out) == 4


def test_long_answer_with_buttons_puts_buttons_on_the_last_piece() -> None:
    text = "\n".join(f"Dòng {i} " + "x" * 80 for i in range(60))
    out = build_outbox([{"text": text, "buttons": [{"title": "Lệ phí", "payload": "lệ phí"}]}])
    assert len(out) >= 3
    assert all("attachment" not in m for m in out[:-1])
    assert out[-1]["attachment"]["payload"]["buttons"][0]["payload"] == "lệ phí"
    assert "\n".join(m["text"] for m in out) == text
