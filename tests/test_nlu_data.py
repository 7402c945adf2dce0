"""The lookup generator turns knowledge titles and aliases into a Rasa lookup table."""

from pathlib import Path

import yaml

from bot.knowledge import get_knowledge
from bot.nlu_data import clean_names, lookup_entries, render_lookup, write_lookups


def test_title_prefix_and_qualifiers_are_trimmed() -> None:
    names = clean_names("Thủ tục đăng ký kết hôn có yếu tố nước ngoài tại khu vực biên giới")
    assert names == ["đăng ký kết hôn có yếu tố nước ngoài"]
    assert clean_names("Thủ tục đăng ký khai sinh") == ["đăng ký khai sinh"]


def test_too_short_or_unsafe_names_are_dropped() -> None:
    assert clean_names("Khai") == []
    assert clean_names("[x](procedure) abc") == []


def test_entries_have_marked_and_unmarked_forms_sorted_and_unique() -> None:
    entries = lookup_entries(["Đăng ký khai tử", "đăng ký khai tử", "Tách hộ"])
    assert entries == sorted(entries)
    assert {"đăng ký khai tử", "dang ky khai tu", "tách hộ", "tach ho"} == set(entries)


def test_rendered_file_is_a_rasa_lookup_table() -> None:
    data = yaml.safe_load(render_lookup(["tách hộ", "tach ho"]))
    assert data["nlu"][0]["lookup"] == "procedure"
    assert data["nlu"][0]["examples"].splitlines() == ["- tách hộ", "- tach ho"]


def test_generated_from_knowledge_includes_titles_and_aliases(tmp_path: Path) -> None:
    out = tmp_path / "lookups" / "procedure.yml"
    count = write_lookups(get_knowledge(), out)
    lines = yaml.safe_load(out.read_text(encoding="utf-8"))["nlu"][0]["examples"].splitlines()
    assert count == len(lines) > 100
    assert "- đăng ký khai sinh" in lines and "- dang ky khai sinh" in lines
    # an alias from the knowledge files, not only titles
    aliases = [a for p in get_knowledge().procedures.values() for a in p.aliases]
    assert any(f"- {a.lower()}" in lines for a in aliases)
