from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from bot.knowledge.schema import CommuneProfile, Knowledge, Procedure


def minimal_procedure(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "1.001193",
        "title": "Đăng ký khai sinh",
        "portal_url": "https://dichvucong.gov.vn/x",
        "review": {"by": "test", "at": "2026-11-27"},
    }
    data.update(overrides)
    return data


def test_minimal_procedure_and_citation() -> None:
    procedure = Procedure.model_validate(minimal_procedure())
    assert procedure.citation == "Đăng ký khai sinh (mã 1.001193)"
    assert procedure.review.at == dt.date(2026, 11, 27)


@pytest.mark.parametrize("code", [1.001193, "1001193", "1.00119", "x.001193"])
def test_bad_codes_are_rejected(code: object) -> None:
    with pytest.raises(ValidationError) as info:
        Procedure.model_validate(minimal_procedure(code=code))
    assert info.value.errors()[0]["loc"] == ("code",)


def test_unquoted_code_error_explains_quotes() -> None:
    with pytest.raises(ValidationError, match="quotes"):
        Procedure.model_validate(minimal_procedure(code=1.001193))


def test_unknown_key_is_an_error_not_ignored() -> None:
    with pytest.raises(ValidationError) as info:
        Procedure.model_validate(minimal_procedure(aliasses=["typo"]))
    assert info.value.errors()[0]["loc"] == ("aliasses",)


def test_channel_name_and_links_are_checked() -> None:
    with pytest.raises(ValidationError):
        Procedure.model_validate(minimal_procedure(channels=[{"channel": "Bằng fax"}]))
    with pytest.raises(ValidationError):
        Procedure.model_validate(minimal_procedure(portal_url="dichvucong.gov.vn"))
    with pytest.raises(ValidationError):
        Procedure.model_validate(minimal_procedure(documents=[{"case": "x", "items": []}]))


def profile_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Xã A",
        "province": "Tỉnh B",
        "sample": True,
        "receiving_points": [
            {"name": "Một cửa", "address": "mẫu", "hours": {"mon": ["07:30-11:30"]}}
        ],
    }
    data.update(overrides)
    return data


def test_profile_requires_sample_flag() -> None:
    data = profile_data()
    del data["sample"]
    with pytest.raises(ValidationError) as info:
        CommuneProfile.model_validate(data)
    assert info.value.errors()[0]["loc"] == ("sample",)


@pytest.mark.parametrize(
    "hours",
    [
        {"monday": ["07:30-11:30"]},
        {"mon": ["7h30-11h30"]},
        {"mon": ["11:30-07:30"]},
        {"mon": ["07:30-11:30", "11:00-17:00"]},
    ],
)
def test_bad_hours_are_rejected(hours: dict[str, list[str]]) -> None:
    data = profile_data()
    data["receiving_points"][0]["hours"] = hours
    with pytest.raises(ValidationError):
        CommuneProfile.model_validate(data)


def test_knowledge_keys_must_match_codes() -> None:
    procedure = Procedure.model_validate(minimal_procedure())
    with pytest.raises(ValidationError):
        Knowledge(procedures={"1.000894": procedure})


def test_shipped_knowledge_is_valid_and_marked(shipped: Knowledge) -> None:
    assert {"1.001193", "1.000894", "1.000656", "1.004222", "2.000815"} <= set(shipped.procedures)
    birth = shipped.procedures["1.001193"]
    # the portal gives the time as a bare "1": kept as given and flagged
    assert all(c.time == "1" and c.unclear for c in birth.channels)
    assert shipped.profile is not None and shipped.profile.sample
    assert "mẫu" in (shipped.profile.hotline or "")
