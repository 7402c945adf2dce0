"""Staff overrides: knowledge/overrides/<code>.yml, merged over the imported procedure.

Imported files (knowledge/procedures/<code>.yml with a `source:` block) are rewritten by every
`kb import`; what staff add or correct lives in the override file and always wins:

- ``aliases`` and ``faq`` are ADDED to the imported ones (the portal has none of its own);
- ``review`` replaces the importer's review (staff say who checked the content and when);
- every other procedure field present (``title``, ``channels``, ``steps``, ...) is a
  CORRECTION: it replaces the imported value entirely.

For each correction the override keeps ``source_hashes``: the hash of the national value it
replaced. When a later import brings a different national value, `kb check` warns that the
record changed under the staff correction, so staff re-read the portal and update it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import ConfigDict, Field, create_model, field_validator

from bot.knowledge.schema import CODE_RE, Procedure, _require_quoted_code, _Strict

ADDITIVE_FIELDS: tuple[str, ...] = ("aliases", "faq")
NOT_OVERRIDABLE: tuple[str, ...] = ("code", "source")


def _override_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, info in Procedure.model_fields.items():
        if name in NOT_OVERRIDABLE:
            continue
        fields[name] = (info.annotation | None, Field(default=None, description=info.description))
    return fields


class _OverrideBase(_Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    code: str
    source_hashes: dict[str, str] = Field(default_factory=dict)

    @field_validator("code", mode="before")
    @classmethod
    def _code_before(cls, value: Any) -> Any:
        return _require_quoted_code(value)

    @field_validator("code")
    @classmethod
    def _code_shape(cls, value: str) -> str:
        if not CODE_RE.match(value):
            raise ValueError(f"procedure code must look like 1.001193, got {value!r}")
        return value


Override = create_model(  # type: ignore[call-overload]
    "Override",
    __base__=_OverrideBase,
    __doc__="A staff override file: additions and corrections for one procedure.",
    **_override_fields(),
)


def corrected_fields(override: Any) -> list[str]:
    """Fields the override replaces (not the additive ones, not review)."""
    skip = {"code", "source_hashes", "review", *ADDITIVE_FIELDS}
    return [
        name
        for name in Procedure.model_fields
        if name not in skip and name in override.model_fields_set
    ]


def field_hash(procedure: Procedure, name: str) -> str:
    """Short stable hash of one field's value (what a correction replaced)."""
    value = procedure.model_dump(mode="json")[name]
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def current_hashes(procedure: Procedure, override: Any) -> dict[str, str]:
    return {name: field_hash(procedure, name) for name in corrected_fields(override)}


def stale_corrections(procedure: Procedure, override: Any) -> list[tuple[str, str | None, str]]:
    """(field, recorded hash or None, current hash) for corrections whose recorded national value
    is missing or no longer matches the imported one."""
    out = []
    for name, now in current_hashes(procedure, override).items():
        recorded = override.source_hashes.get(name)
        if recorded != now:
            out.append((name, recorded, now))
    return out


def _dedupe(values: list[Any], key: Any) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for value in values:
        k = key(value)
        if k not in seen:
            seen.add(k)
            out.append(value)
    return out


def merge(procedure: Procedure, override: Any) -> Procedure:
    """The procedure as citizens see it: imported values, staff corrections winning.

    Raises pydantic.ValidationError when the result is invalid (reported against the override).
    """
    data = procedure.model_dump()
    staff = override.model_dump(exclude_unset=True)
    for name, value in staff.items():
        if name in ("code", "source_hashes") or value is None:
            continue
        if name == "aliases":
            data[name] = _dedupe([*value, *data[name]], lambda a: " ".join(a.lower().split()))
        elif name == "faq":
            data[name] = _dedupe([*value, *data[name]], lambda f: f["question"].lower())
        else:
            data[name] = value
    return Procedure.model_validate(data)
