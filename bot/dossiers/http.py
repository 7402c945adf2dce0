"""HTTP provider for the dossier contract: `GET {base}/dossiers/{code}?verify=NNNN`."""

from __future__ import annotations

import logging
from urllib.parse import quote

import aiohttp
from pydantic import ValidationError

from bot.dossiers.provider import (
    Dossier,
    DossierNotFound,
    DossierProvider,
    ProviderUnavailable,
    VerificationFailed,
)

log = logging.getLogger(__name__)


class HttpProvider(DossierProvider):
    """One request per lookup (a lookup is rare; no pooled session to keep alive)."""

    def __init__(self, base_url: str, token: str = "", timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout, connect=min(timeout, 3.0))

    async def lookup(self, code: str, verify: str) -> Dossier:
        url = f"{self.base_url}/dossiers/{quote(code, safe='')}"
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as session,
                session.get(url, params={"verify": verify}, headers=headers) as response,
            ):
                if response.status == 404:
                    raise DossierNotFound(code)
                if response.status == 403:
                    raise VerificationFailed(code)
                if response.status != 200:
                    # The code is not secret, the verification digits never get logged.
                    log.warning("dossier API answered HTTP %s for %s", response.status, code)
                    raise ProviderUnavailable(f"HTTP {response.status}")
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            log.warning("dossier API unreachable: %s", type(err).__name__)
            raise ProviderUnavailable(str(err)) from err
        try:
            return Dossier.model_validate(body)
        except ValidationError as err:
            log.warning("dossier API sent an unexpected answer for %s", code)
            raise ProviderUnavailable("invalid answer") from err
