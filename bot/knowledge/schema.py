"""Typed shape of the staff-edited knowledge files (pydantic 2).

Every model forbids unknown keys, so a typo in a YAML key is reported instead of silently
ignored. Values copied from the national portal stay as given; where the source is unclear the
entry carries `unclear: true` so answers can tell the citizen to check the portal.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CODE_RE = re.compile(r"^\d\.\d{6}$")
SESSION_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

NonEmpty = Annotated[str, Field(min_length=1)]
ChannelName = Literal["Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _is_url(value: str) -> bool:
    return value.startswith(("https://", "http://"))


class Document(_Strict):
    """One paper to bring, as the portal names it."""

    name: NonEmpty
    quantity: str | None = None  # as given, e.g. "1 bản chính"
    form: str | None = None  # the form's name/code when the portal gives one
    form_url: str | None = None

    @field_validator("form_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not _is_url(value):
            raise ValueError("must be a link starting with https://")
        return value


class DocumentGroup(_Strict):
    """Documents for one case ("Giấy tờ phải nộp", "Trường hợp thuê nhà"...); case None = all."""

    case: str | None = None
    items: list[Document] = Field(min_length=1)
    notes: list[str] = []
    unclear: bool = False  # the source's grouping looks wrong; staff must check


class Channel(_Strict):
    """One way of filing, with its processing time and fee exactly as the portal gives them."""

    channel: ChannelName
    time: str | None = None
    fee: str | None = None
    note: str | None = None
    unclear: bool = False  # e.g. a time of "1" with no unit: shown as given, never guessed


class LegalDoc(_Strict):
    code: NonEmpty
    title: NonEmpty


class FaqEntry(_Strict):
    question: NonEmpty
    alternates: list[str] = []
    answer: NonEmpty


class Review(_Strict):
    by: NonEmpty
    at: dt.date
    note: str | None = None


def _require_quoted_code(value: Any) -> Any:
    # YAML reads an unquoted 1.001193 as a float, and 1.000110 would lose its last zero.
    if isinstance(value, float | int):
        raise ValueError(f'write the code in quotes, e.g. code: "{value}" (unquoted it is a number)')
    return value


class Procedure(_Strict):
    code: NonEmpty
    title: NonEmpty
    aliases: list[NonEmpty] = []
    field: str | None = None
    levels: list[str] = []
    portal_url: NonEmpty
    documents: list[DocumentGroup] = []
    channels: list[Channel] = []
    where_to_file: str | None = None
    online_links: list[str] = []
    steps: list[NonEmpty] = []
    conditions: list[NonEmpty] = []
    result: str | None = None
    legal_basis: list[LegalDoc] = []
    faq: list[FaqEntry] = []
    review: Review

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

    @field_validator("portal_url")
    @classmethod
    def _portal(cls, value: str) -> str:
        if not _is_url(value):
            raise ValueError("must be a link starting with https://")
        return value

    @field_validator("online_links")
    @classmethod
    def _links(cls, value: list[str]) -> list[str]:
        for link in value:
            if not _is_url(link):
                raise ValueError(f"{link!r} is not a link starting with https://")
        return value

    @property
    def citation(self) -> str:
        """The mandatory way to name a procedure to a citizen: title and official code."""
        return f"{self.title} (mã {self.code})"


class ReceivingPoint(_Strict):
    """A place where dossiers are received, with its weekly opening hours.

    `hours` maps a weekday key (mon..sun) to sessions "HH:MM-HH:MM"; the gap between two
    sessions is the lunch break; a missing or empty day is closed.
    """

    name: NonEmpty
    address: NonEmpty
    hours: dict[str, list[str]]
    map_url: str | None = None
    note: str | None = None

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for day, sessions in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown day {day!r}; use one of {', '.join(WEEKDAYS)}")
            previous_end = ""
            for session in sessions:
                match = SESSION_RE.match(str(session))
                if not match:
                    raise ValueError(f"{day}: {session!r} must look like 07:30-11:30")
                start, end = session.split("-")
                if start >= end or start < previous_end:
                    raise ValueError(f"{day}: sessions must be in order and not overlap")
                previous_end = end
        return value

    @field_validator("map_url")
    @classmethod
    def _map(cls, value: str | None) -> str | None:
        if value is not None and not _is_url(value):
            raise ValueError("must be a link starting with https://")
        return value


class CommuneProfile(_Strict):
    name: NonEmpty
    province: NonEmpty
    sample: bool  # required on purpose: the shipped profile is invented and must say so
    receiving_points: list[ReceivingPoint] = Field(min_length=1)
    hotline: str | None = None
    email: str | None = None
    portal_url: str | None = None
    notices: list[str] = []

    @field_validator("portal_url")
    @classmethod
    def _portal(cls, value: str | None) -> str | None:
        if value is not None and not _is_url(value):
            raise ValueError("must be a link starting with https://")
        return value


class FaqFile(_Strict):
    """A knowledge/faq/*.yml file: general questions not tied to one procedure."""

    faq: list[FaqEntry] = []


class Knowledge(_Strict):
    """Everything the action server knows, loaded and validated as one snapshot."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    procedures: dict[str, Procedure]
    profile: CommuneProfile | None = None
    faq: list[FaqEntry] = []

    @model_validator(mode="after")
    def _keys_match(self) -> Knowledge:
        for code, procedure in self.procedures.items():
            if code != procedure.code:
                raise ValueError(f"procedure stored under {code!r} has code {procedure.code!r}")
        return self
