from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeCache, KnowledgeError, get_knowledge, load_knowledge
from bot.knowledge.loader import knowledge_dir


def _touch_later(path: Path, text: str) -> None:
    """Rewrite a file and make sure its mtime differs from before (coarse filesystems)."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def test_loads_shipped_copy(kdir: Path) -> None:
    knowledge = load_knowledge(kdir)
    assert "1.001193" in knowledge.procedures
    assert knowledge.profile is not None


def test_broken_yaml_reports_file_and_line(kdir: Path) -> None:
    path = kdir / "procedures" / "1.001193.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(5, "\tfield: Hộ tịch")  # line 6: a tab cannot indent YAML
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kdir)
    [problem] = info.value.problems
    assert problem.startswith(f"{path}:6: invalid YAML")


def test_invalid_field_reports_line_and_field(kdir: Path) -> None:
    path = kdir / "procedures" / "1.000894.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  - channel: Trực tuyến", "  - channel: Bằng fax", 1)
    path.write_text(text, encoding="utf-8")
    expected = next(i for i, line in enumerate(text.splitlines(), 1) if "Bằng fax" in line)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kdir)
    [problem] = info.value.problems
    assert problem.startswith(f"{path}:{expected}: channels.")
    assert ".channel:" in problem


def test_every_problem_is_listed(kdir: Path) -> None:
    (kdir / "procedures" / "1.001193.yml").write_text("code: 1.001193\n", encoding="utf-8")
    (kdir / "commune.yml").write_text("name: X\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kdir)
    text = str(info.value)
    assert "1.001193.yml:1: code: write the code in quotes" in text
    assert "commune.yml" in text and "sample" in text


def test_file_name_must_match_code(kdir: Path) -> None:
    src = kdir / "procedures" / "1.001193.yml"
    src.rename(kdir / "procedures" / "khai-sinh.yml")
    with pytest.raises(KnowledgeError, match="file name must be the procedure code"):
        load_knowledge(kdir)


def test_faq_files_are_loaded(kdir: Path) -> None:
    (kdir / "faq").mkdir()
    (kdir / "faq" / "chung.yml").write_text(
        "faq:\n  - question: Xã làm việc thứ bảy không?\n    answer: Sáng thứ bảy.\n",
        encoding="utf-8",
    )
    assert [e.question for e in load_knowledge(kdir).faq] == ["Xã làm việc thứ bảy không?"]


def test_missing_dir_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="not found"):
        load_knowledge(tmp_path / "nope")


def test_env_overrides_dir(kdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kdir))
    assert knowledge_dir() == kdir
    (kdir / "procedures" / "1.000656.yml").unlink()
    (kdir / "overrides" / "1.000656.yml").unlink()  # staff additions for it go too
    assert "1.000656" not in get_knowledge().procedures


def test_cache_reloads_on_change_and_keeps_last_good(
    kdir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = KnowledgeCache(check_interval=0)
    first = cache.get(kdir)
    assert cache.get(kdir) is first  # unchanged files: same snapshot, no reload

    path = kdir / "overrides" / "1.001193.yml"  # the staff title correction lives here
    good = path.read_text(encoding="utf-8")
    _touch_later(path, good.replace("title: Đăng ký khai sinh", "title: Khai sinh (sửa)"))
    second = cache.get(kdir)
    assert second is not first
    assert second.procedures["1.001193"].title == "Khai sinh (sửa)"

    with caplog.at_level(logging.ERROR):
        _touch_later(path, good + "\n  bad: [\n")
        third = cache.get(kdir)
    assert third is second  # broken edit: last good knowledge keeps serving
    assert "1.001193.yml" in caplog.text

    _touch_later(path, good)
    assert cache.get(kdir).procedures["1.001193"].title == "Đăng ký khai sinh"


def test_cache_sees_new_files(kdir: Path) -> None:
    cache = KnowledgeCache(check_interval=0)
    assert "1.000656" in cache.get(kdir).procedures
    (kdir / "procedures" / "1.000656.yml").unlink()
    (kdir / "overrides" / "1.000656.yml").unlink()
    time.sleep(0.01)
    assert "1.000656" not in cache.get(kdir).procedures


def test_first_load_failure_raises(kdir: Path) -> None:
    (kdir / "commune.yml").write_text("sample: [", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        KnowledgeCache().get(kdir)


def test_cache_looks_at_the_files_at_most_once_per_interval(kdir: Path) -> None:
    cache = KnowledgeCache(check_interval=60)
    first = cache.get(kdir)
    (kdir / "overrides" / "1.000656.yml").unlink()
    (kdir / "procedures" / "1.000656.yml").unlink()
    assert cache.get(kdir) is first  # within the interval: no look at the files
    cache.check_interval = 0
    assert "1.000656" not in cache.get(kdir).procedures
