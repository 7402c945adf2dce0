from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app
from bot.knowledge import load_knowledge
from bot.knowledge.importer import (
    Selection,
    convert,
    is_generated,
    leave_out_reason,
    load_selection,
    run_import,
)

RAW = Path(__file__).parent / "data" / "raw"
TODAY = dt.date(2026, 1, 2)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    target = tmp_path / "raw" / "bo-x"
    shutil.copytree(RAW, target)
    return tmp_path / "raw"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "knowledge"


def _record(code: str) -> dict:
    return json.loads((RAW / f"{code}.json").read_text(encoding="utf-8"))


def test_default_selection_leaves_out_with_reasons() -> None:
    selection = load_selection()
    assert leave_out_reason(_record("1.001193"), selection, set()) is None
    customs = leave_out_reason(_record("1.000005"), selection, set())
    assert customs and "hải quan" in customs.lower()
    local = leave_out_reason(_record("3.000224"), selection, set())
    assert local and "tỉnh khác" in local
    shared = leave_out_reason(_record("1.001193"), selection, {_record("1.001193")["detail_url"]})
    assert shared and "dùng chung" in shared
    province_only = dict(_record("1.001193"), cap_thuc_hien="Cấp tỉnh")
    assert "Cấp xã" in (leave_out_reason(province_only, selection, set()) or "")


def test_convert_keeps_link_drops_ui_text_and_flags() -> None:
    converted = convert(_record("1.001193"), TODAY)
    procedure = converted.procedure
    assert procedure.portal_url.startswith("https://dichvucong.gov.vn/")
    assert procedure.result == "Giấy khai sinh (Mã: KQ.G15.000031)"
    assert all(c.unclear and c.reason for c in procedure.channels)  # bare "1" as time
    assert procedure.source and procedure.source.generated
    assert converted.unclear


def test_import_writes_generated_files_and_report(source: Path, root: Path) -> None:
    report = run_import(source, root, load_selection(), today=TODAY)
    assert len(report.imported) >= 30
    assert "1.000005" in [c for codes in report.left_out.values() for c in codes]
    path = root / "procedures" / "1.001193.yml"
    assert is_generated(path)
    assert path.read_text(encoding="utf-8").startswith("# TỆP SINH TỰ ĐỘNG")
    knowledge = load_knowledge(root)
    assert set(report.imported) == set(knowledge.procedures)
    text = report.text()
    assert "Không nhập" in text and "hải quan" in text.lower()


def test_reimport_is_stable_and_never_touches_staff_files(source: Path, root: Path) -> None:
    run_import(source, root, load_selection(), today=TODAY)
    staff = root / "procedures" / "1.013123.yml"
    staff.write_text(staff.read_text(encoding="utf-8").split("source:")[0], encoding="utf-8")
    override = root / "overrides" / "1.001193.yml"
    override.parent.mkdir()
    override.write_text('code: "1.001193"\naliases: [làm giấy khai sinh]\n', encoding="utf-8")
    before = {p.name: p.read_text(encoding="utf-8") for p in (root / "procedures").glob("*.yml")}
    again = run_import(source, root, load_selection(), today=TODAY + dt.timedelta(days=30))
    after = {p.name: p.read_text(encoding="utf-8") for p in (root / "procedures").glob("*.yml")}
    assert again.written == [] and before == after  # unchanged records: byte-identical files
    assert again.kept_staff_files == ["1.013123"]
    assert override.read_text(encoding="utf-8").endswith("[làm giấy khai sinh]\n")
    assert "làm giấy khai sinh" in load_knowledge(root).procedures["1.001193"].aliases


def test_prune_only_when_asked(source: Path, root: Path) -> None:
    run_import(source, root, load_selection(), today=TODAY)
    narrow = Selection(fields=["Hộ tịch"])
    report = run_import(source, root, narrow, today=TODAY)
    assert report.stale and (root / "procedures" / f"{report.stale[0]}.yml").exists()
    report = run_import(source, root, narrow, today=TODAY, prune=True)
    assert report.removed and not (root / "procedures" / f"{report.removed[0]}.yml").exists()


def test_cli_import_check_stats(source: Path, root: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["kb", "import", str(source), "--knowledge", str(root)])
    assert result.exit_code == 0, result.output
    assert "Đã nhập" in result.output
    assert (root / "import" / "last-report.txt").is_file()
    result = runner.invoke(app, ["kb", "check", "--knowledge", str(root)])
    assert result.exit_code == 0 and result.output.startswith("OK:"), result.output
    result = runner.invoke(app, ["kb", "stats", "--knowledge", str(root), "--days", "30"])
    assert result.exit_code == 0 and "Hộ tịch" in result.output


def test_generated_yaml_is_readable(source: Path, root: Path) -> None:
    run_import(source, root, load_selection(), today=TODAY)
    data = yaml.safe_load((root / "procedures" / "1.004002.yml").read_text(encoding="utf-8"))
    assert data["code"] == "1.004002" and "aliases" not in data
    assert data["channels"][0] == {
        "channel": "Trực tuyến", "time": "2 Ngày làm việc", "fee": "70,000 VNĐ",
        "note": "70.000 đồng/Giấy chứng nhận",
    }  # fmt: skip
