"""docs/performance.md: the bench-load section is replaced, everything else kept."""

from __future__ import annotations

from pathlib import Path

from bench.load import BEGIN, END, server_kind, write_doc


def test_section_created_then_replaced_keeping_other_sections(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    write_doc("first table\n", doc)
    assert doc.read_text().startswith("# Performance")
    doc.write_text(doc.read_text() + "\n## Scale-out\n\nother helper's numbers\n")
    write_doc("second table\n", doc)
    text = doc.read_text()
    assert "second table" in text and "first table" not in text
    assert "other helper's numbers" in text and text.count(BEGIN) == 1 and text.count(END) == 1


def test_section_appended_to_a_doc_without_markers(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nscale-out figures\n")
    write_doc("table\n", doc)
    text = doc.read_text()
    assert (
        text.startswith("# Performance\n\nscale-out figures") and f"{BEGIN}\ntable\n{END}" in text
    )


def test_processes_add_up_per_server_kind() -> None:
    assert [server_kind(n) for n in ("rasa", "rasa-2", "actions1", "gateway")] == [
        "rasa", "rasa", "actions", "gateway",
    ]  # fmt: skip
