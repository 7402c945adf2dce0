"""The bundled sample provider: invented dossiers (sample_dossiers.yml), the default without
`DOSSIER_API_BASE`, so the flow can be tried and tested with no one-stop system connected."""

from __future__ import annotations

import hmac
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.dossiers.provider import Dossier, DossierNotFound, DossierProvider, VerificationFailed

SAMPLE_FILE = Path(__file__).with_name("sample_dossiers.yml")


def _day(today: datetime, offset: Any, hour: int) -> datetime | None:
    if offset is None:
        return None
    return datetime.combine((today + timedelta(days=int(offset))).date(), time(hour, 0))


class SampleProvider(DossierProvider):
    def __init__(self, path: Path = SAMPLE_FILE, now: datetime | None = None) -> None:
        self.path = path
        self.now = now
        self._entries: dict[str, dict[str, Any]] | None = None

    def entries(self) -> dict[str, dict[str, Any]]:
        if self._entries is None:
            raw = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
            self._entries = {str(e["code"]).upper(): e for e in raw.get("dossiers", [])}
        return self._entries

    async def lookup(self, code: str, verify: str) -> Dossier:
        entry = self.entries().get(code.upper())
        if entry is None:
            raise DossierNotFound(code)
        if not hmac.compare_digest(str(entry.get("verify", "")), str(verify)):
            raise VerificationFailed(code)
        now = self.now or datetime.now()
        return Dossier(
            code=entry["code"],
            procedure_code=entry.get("procedure_code"),
            procedure_name=entry["procedure_name"],
            status=entry["status"],
            received_at=_day(now, entry.get("received_days"), 8),
            due_at=_day(now, entry.get("due_days"), 16),
            new_due_at=_day(now, entry.get("new_due_days"), 16),
            missing_documents=entry.get("missing_documents") or [],
            pickup_place=entry.get("pickup_place"),
            updated_at=_day(now, min(0, int(entry.get("received_days") or 0) + 1), 9),
            sample=True,
        )
