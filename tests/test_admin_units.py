import json
from pathlib import Path

from bot.admin_units import admin_units, load, short_key

DATA = Path(__file__).resolve().parents[1] / "bot" / "data" / "admin-units-hai-phong-2025.json"


def test_data_file_states_its_source_and_is_consistent() -> None:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    assert "vietnamadminunits" in raw["source"] and raw["province"] == "Thành phố Hải Phòng"
    assert len(raw["new_units"]) > 100 and len(raw["old_units"]) > 300
    units = load(DATA)
    assert all(u.new for u in units.units)


def test_former_commune_with_and_without_marks() -> None:
    units = admin_units()
    for text in ("xã Cấp Tiến cũ giờ thuộc đâu", "xa cap tien gio thuoc xa nao"):
        found = units.lookup(text)
        assert [(u.name, u.new) for u in found.units] == [("Xã Cấp Tiến", ("Xã Tân Minh",))]


def test_former_district() -> None:
    found = admin_units().lookup("trước nộp ở huyện Tiên Lãng, giờ nộp ở đâu")
    assert [d.name for d in found.districts] == ["Huyện Tiên Lãng"]
    assert "Xã Tân Minh" in found.districts[0].new
    assert found.units == ()  # "Tiên Lãng" names the district here, not the old town


def test_divided_commune_lists_every_successor() -> None:
    found = admin_units().lookup("xã Tân Minh huyện Tiên Lãng cũ")
    assert found.units[0].new == ("Xã Tiên Minh", "Xã Tân Minh")


def test_nothing_recognised() -> None:
    found = admin_units().lookup("xã gì đó tôi quên tên rồi")
    assert (found.units, found.districts) == ((), ())


def test_short_key() -> None:
    assert short_key("Thị trấn Tiên Lãng") == "tien lang"
    assert short_key("Phường Hồng Bàng") == "hong bang"
