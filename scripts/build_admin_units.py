"""Build bot/data/admin-units-<province>-2025.json: which current (post-1 July 2025) commune each
former commune-level unit of one province became.

Source: the data files of the `vietnamadminunits` package (MIT licence, PyPI, v1.0.4), which
compile the 2025 resolutions of the National Assembly Standing Committee on arranging
commune-level units. Run it by hand when the list changes:

    pip download --no-deps vietnamadminunits==1.0.4 && unzip vietnamadminunits-*.whl -d /tmp/vau
    python scripts/build_admin_units.py /tmp/vau/vietnamadminunits/data thanhphohaiphong
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parents[1] / "bot" / "data"


def build(data_dir: Path, province: str) -> dict[str, object]:
    converter = json.loads((data_dir / "converter_2025.json").read_text())
    new = json.loads((data_dir / "parser_from_2025.json").read_text())
    legacy = json.loads((data_dir / "parser_legacy.json").read_text())
    new_units = {
        key: {"name": v["ward"], "code": v["wardCode"]}
        for key, v in new["DICT_PROVINCE_WARD_NO_ACCENTED"][province].items()
    }
    targets: dict[str, list[str]] = {}
    for new_key, olds in converter["DICT_PROVINCE_WARD_NO_DIVIDED"][province].items():
        for old in olds:
            targets.setdefault(old, []).append(new_key)
    for old, options in converter["DICT_PROVINCE_WARD_DIVIDED"].get(province, {}).items():
        ordered = sorted(options, key=lambda o: not o["isDefaultNewWard"])
        targets[old] = [o["newWardKey"] for o in ordered]
    old_units = []
    for old_key, new_keys in sorted(targets.items()):
        p_key, d_key, w_key = old_key.split("_", 2)
        if not w_key:
            continue
        district = legacy["DICT_PROVINCE_DISTRICT"][p_key][d_key]
        ward = legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"][p_key][d_key][w_key]
        old_units.append(
            {
                "name": ward["ward"],
                "district": district["district"],
                "province": legacy["DICT_PROVINCE"][p_key]["province"],
                "new": [k for k in new_keys if k in new_units],
            }
        )
    return {
        "province": new["DICT_PROVINCE"][province]["province"],
        "source": (
            "vietnamadminunits 1.0.4 (MIT, PyPI): converter_2025.json, parser_from_2025.json, "
            "parser_legacy.json, compiled from the 2025 resolutions of the National Assembly "
            "Standing Committee on arranging commune-level administrative units (effective "
            "1 July 2025). Staff should check entries against the province's resolution."
        ),
        "new_units": new_units,
        "old_units": old_units,
    }


if __name__ == "__main__":
    data_dir, province = Path(sys.argv[1]), sys.argv[2]
    slug = {"thanhphohaiphong": "hai-phong"}.get(province, province)
    out = OUT_DIR / f"admin-units-{slug}-2025.json"
    out.write_text(json.dumps(build(data_dir, province), ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {out}")
