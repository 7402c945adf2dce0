from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.knowledge.check import check

runner = CliRunner()


def _errors(root: Path) -> list[str]:
    return [f.message for f in check(root) if f.level == "error"]


def test_shipped_knowledge_is_clean(kdir: Path) -> None:
    assert check(kdir) == []
    result = runner.invoke(app, ["kb", "check", "--knowledge", str(kdir)])
    assert result.exit_code == 0 and result.output.startswith("OK:")


def test_broken_yaml_gives_file_line_and_exit_code(kdir: Path) -> None:
    path = kdir / "overrides" / "1.001193.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(6, "\taliases: [x]")
    path.write_text("\n".join(lines), encoding="utf-8")
    result = runner.invoke(app, ["kb", "check", "--knowledge", str(kdir)])
    assert result.exit_code == 1
    assert f"{path}:7: invalid YAML" in result.output


def test_duplicate_alias_empty_section_and_bad_url(kdir: Path) -> None:
    marriage = kdir / "overrides" / "1.000894.yml"
    text = marriage.read_text(encoding="utf-8")
    marriage.write_text(text.replace("  - lấy vợ\n", "  - lấy vợ\n  - khai tử\n"), encoding="utf-8")
    birth = kdir / "overrides" / "1.001193.yml"
    birth.write_text(birth.read_text(encoding="utf-8") + "steps: []\n", encoding="utf-8")
    generated = kdir / "procedures" / "1.000080.yml"
    text = generated.read_text(encoding="utf-8")
    url_line = next(i for i, line in enumerate(text.splitlines(), 1) if "portal_url:" in line)
    generated.write_text(text.replace("portal_url: https://", "portal_url: https//"), "utf-8")
    errors = _errors(kdir)
    alias_line = next(
        i for i, line in enumerate(marriage.read_text("utf-8").splitlines(), 1) if "khai tử" in line
    )
    assert any(e.startswith(f"{marriage}:{alias_line}: alias 'khai tử'") for e in errors), errors
    assert any(e.startswith(f"{birth}:") and "steps: section is empty" in e for e in errors)
    assert any(e.startswith(f"{generated}:{url_line}: portal_url") for e in errors), errors


def test_override_without_procedure_is_an_error(kdir: Path) -> None:
    (kdir / "overrides" / "9.999999.yml").write_text('code: "9.999999"\naliases: [x]\n', "utf-8")
    assert any("no procedure 9.999999" in e for e in _errors(kdir))


def test_changed_national_record_warns_under_staff_correction(kdir: Path) -> None:
    path = kdir / "procedures" / "1.004194.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("time: 3 Ngày làm việc", "time: 5 Ngày làm việc", 1), "utf-8")
    [warning] = check(kdir)
    assert warning.level == "warning" and "changed under this staff correction" in warning.message
    assert warning.message.startswith(f"{kdir / 'overrides' / '1.004194.yml'}:")
    result = runner.invoke(app, ["kb", "pin", "1.004194", "--knowledge", str(kdir)])
    assert result.exit_code == 0
    assert check(kdir) == []
    assert "aliases:" in (kdir / "overrides" / "1.004194.yml").read_text("utf-8")  # kept
