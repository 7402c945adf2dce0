"""After the 2025 reorganisation: which current commune a former commune or district became.

Since 1 July 2025 districts no longer exist and many communes were merged. The mapping for the
sample province ships as a data file built from an official-list compilation (see its `source`
and scripts/build_admin_units.py); `ADMIN_UNITS_FILE` points to another province's file.
Names are matched diacritics-insensitively on whole syllables.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.text import folded_syllables

DEFAULT_FILE = Path(__file__).parent / "data" / "admin-units-hai-phong-2025.json"
_UNIT_TYPES = ("thi tran", "thi xa", "thanh pho", "phuong", "xa", "huyen", "quan", "dac khu")
_MAX_MATCHES = 4


@dataclass(frozen=True)
class OldUnit:
    name: str  # "Xã Cấp Tiến"
    district: str  # "Huyện Tiên Lãng"
    province: str
    new: tuple[str, ...]  # current unit names, the main one first


@dataclass(frozen=True)
class OldDistrict:
    name: str
    province: str
    new: tuple[str, ...]


@dataclass(frozen=True)
class Lookup:
    units: tuple[OldUnit, ...]
    districts: tuple[OldDistrict, ...]
    current: tuple[str, ...]  # names that are already current communes


def short_key(name: str) -> str:
    """Folded name without its unit type: "Thị trấn Tiên Lãng" -> "tien lang"."""
    key = " ".join(folded_syllables(name))
    for prefix in _UNIT_TYPES:
        if key.startswith(prefix + " "):
            return key[len(prefix) + 1 :]
    return key


@dataclass(frozen=True)
class AdminUnits:
    province: str
    source: str
    units: tuple[OldUnit, ...]
    current_names: tuple[str, ...]

    def districts(self) -> tuple[OldDistrict, ...]:
        grouped: dict[tuple[str, str], list[str]] = {}
        for unit in self.units:
            targets = grouped.setdefault((unit.district, unit.province), [])
            targets += [n for n in unit.new if n not in targets]
        return tuple(OldDistrict(d, p, tuple(n)) for (d, p), n in grouped.items())

    def lookup(self, text: str) -> Lookup:
        """Former units, former districts and current names mentioned in `text`."""
        padded = f" {' '.join(folded_syllables(text))} "
        typed = {
            m.group(1) for m in re.finditer(r" (?:xa|phuong|thi tran) ((?:\w+ ){1,3})", padded)
        }

        def said(name: str) -> bool:
            return f" {short_key(name)} " in padded

        districts = tuple(d for d in self.districts() if said(d.name))
        units = [u for u in self.units if said(u.name)]
        if districts:  # "xã X huyện Y": keep the X of district Y when there is one
            in_district = [u for u in units if any(u.district == d.name for d in districts)]
            units = in_district or units
        # Prefer names typed right after "xã/phường" over other syllables that happen to match.
        if typed and len(units) > 1:
            exact = [u for u in units if any(t.strip() == short_key(u.name) for t in typed)]
            units = exact or units
        # A district's own name ("Tiên Lãng") also names its old town: keep the district answer.
        units = [u for u in units if not any(short_key(u.name) == short_key(d.name)
                                             and not _typed_as_unit(u, typed) for d in districts)]  # fmt: skip
        units.sort(key=lambda u: -len(short_key(u.name)))
        current = tuple(n for n in self.current_names if said(n))
        return Lookup(tuple(units[:_MAX_MATCHES]), districts[:2], current)


def _typed_as_unit(unit: OldUnit, typed: set[str]) -> bool:
    return any(t.strip() == short_key(unit.name) for t in typed)


def load(path: Path | None = None) -> AdminUnits:
    path = path or Path(os.environ.get("ADMIN_UNITS_FILE") or DEFAULT_FILE)
    raw = json.loads(path.read_text(encoding="utf-8"))
    new_names = {key: v["name"] for key, v in raw["new_units"].items()}
    units = tuple(
        OldUnit(
            name=u["name"],
            district=u["district"],
            province=u["province"],
            new=tuple(new_names[k] for k in u["new"] if k in new_names),
        )
        for u in raw["old_units"]
        if u.get("new")
    )
    return AdminUnits(raw["province"], raw["source"], units, tuple(new_names.values()))


@cache
def admin_units() -> AdminUnits:
    # A cache of a read-only file shipped with the code; rebuilt on restart.
    return load()


def same_unit(a: str, b: str) -> bool:
    """ "Xã Tân Minh" and "xa tan minh" name the same unit."""
    return " ".join(folded_syllables(a)) == " ".join(folded_syllables(b))
