"""The provider interface and the dossier record of the architecture's dossier contract."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Dossier(BaseModel):
    """`GET /dossiers/{code}` answer (architecture: dossier provider). Extra fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    code: str
    procedure_code: str | None = None
    procedure_name: str
    status: str
    received_at: datetime | None = None
    due_at: datetime | None = None
    missing_documents: list[str] = Field(default_factory=list)
    pickup_place: str | None = None
    updated_at: datetime | None = None
    # Not in the contract; an adapter may send it for an overdue dossier (the new appointment).
    new_due_at: datetime | None = None
    # Set by the sample provider only: the answer says it is sample data.
    sample: bool = False


class DossierError(Exception):
    """Base of the lookup failures the citizen is told about."""


class DossierNotFound(DossierError):
    """No dossier with this code (HTTP 404)."""


class VerificationFailed(DossierError):
    """The verification digits do not match (HTTP 403)."""


class ProviderUnavailable(DossierError):
    """The one-stop system cannot be reached or answered nonsense."""


class DossierProvider(ABC):
    @abstractmethod
    async def lookup(self, code: str, verify: str) -> Dossier:
        """The dossier `code`, once `verify` (last 4 digits of the applicant's phone or ID)
        matches; raises DossierNotFound, VerificationFailed or ProviderUnavailable."""

    async def close(self) -> None:  # noqa: B027 - optional hook, most providers hold nothing
        """Release connections (nothing by default)."""


def get_provider() -> DossierProvider:
    """HTTP provider when `DOSSIER_API_BASE` is set, else the bundled sample provider."""
    base = os.environ.get("DOSSIER_API_BASE", "").strip()
    if base:
        from bot.dossiers.http import HttpProvider

        return HttpProvider(
            base,
            token=os.environ.get("DOSSIER_API_TOKEN", ""),
            timeout=float(os.environ.get("DOSSIER_API_TIMEOUT", "5")),
        )
    from bot.dossiers.sample import SampleProvider

    return SampleProvider()
