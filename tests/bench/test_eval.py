"""`make eval`'s report: what it scores and what it shows."""

from __future__ import annotations

from bench.eval import Example, Outcome, Report, read_reply


def _outcome(source: str, text: str, got: str | None) -> Outcome:
    example = Example(text, "1.001193", "fee", True, source)
    return Outcome(example, got, (got,) if got else (), "fee" if got else None)


def test_held_out_misses_are_scored_but_never_shown() -> None:
    report = Report(
        [
            _outcome("dev2", "lam khai sinh het bao nhieu", None),
            _outcome("heldout", "câu hỏi không ai được đọc", None),
            _outcome("heldout", "câu đúng", "1.001193"),
        ]
    )
    text = report.text(with_intent=False, show=10)
    assert "lam khai sinh het bao nhieu" in text
    assert "không ai được đọc" not in text
    assert "heldout: 2 messages" in text and "50.0% (1/2)" in text


def test_an_answer_is_read_from_its_citation_and_heading() -> None:
    from bot.knowledge.answer import HEADINGS

    heading = HEADINGS["fee"].split("{c}")[0]
    messages = [
        {"text": f"{heading} Đăng ký khai sinh (mã 1.001193)"},
        {"text": "Hoặc:", "buttons": [{"payload": '/ask_procedure{"procedure":"1.004884"}'}]},
    ]
    assert read_reply(messages) == ("1.001193", ("1.001193", "1.004884"), "fee")
