"""Dossier status (tra cứu hồ sơ): code format, provider interface, plain-language answers.

The provider follows the dossier contract of the architecture doc. `get_provider()` picks the HTTP
provider when `DOSSIER_API_BASE` is set, else the bundled sample provider (clearly marked sample).
"""

from bot.dossiers.codes import (
    CODE_EXAMPLE,
    CODE_HINT,
    extract_code,
    extract_verification,
    normalize_code,
)
from bot.dossiers.describe import describe
from bot.dossiers.http import HttpProvider
from bot.dossiers.provider import (
    Dossier,
    DossierError,
    DossierNotFound,
    DossierProvider,
    ProviderUnavailable,
    VerificationFailed,
    get_provider,
)
from bot.dossiers.sample import SampleProvider

__all__ = [
    "CODE_EXAMPLE",
    "CODE_HINT",
    "Dossier",
    "DossierError",
    "DossierNotFound",
    "DossierProvider",
    "HttpProvider",
    "ProviderUnavailable",
    "SampleProvider",
    "VerificationFailed",
    "describe",
    "extract_code",
    "extract_verification",
    "get_provider",
    "normalize_code",
]
