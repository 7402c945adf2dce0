"""`GET /`: the chat page, with the commune's name from the profile; `GET /logo`: its logo.

The page is a static template filled with HTML-escaped profile values; all behaviour is in
`static/app.js` (no inline script, so the CSP can forbid it). Staff set the logo by putting
`logo.svg`, `logo.png` or `logo.webp` in the knowledge directory; otherwise a neutral one is shown.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from aiohttp import web

from bot.gateway.web.config import WebSettings
from bot.text.masking import NUMBER_RUN, digits_of

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATE_PATH = WEB_DIR / "page.html"
DEFAULT_LOGO = STATIC_DIR / "logo.svg"
LOGO_NAMES = ("logo.svg", "logo.png", "logo.webp")

FALLBACK_NAME = "UBND xã"


@dataclass(frozen=True)
class PageProfile:
    """What the page shows about the commune."""

    name: str = FALLBACK_NAME
    province: str = ""
    sample: bool = False
    public_numbers: frozenset[str] = frozenset()


def load_page_profile() -> PageProfile:
    """The commune profile from the knowledge base; a neutral one when it cannot be read."""
    try:
        from bot.knowledge.loader import get_knowledge  # the page must work without knowledge

        profile = get_knowledge().profile
    except Exception:
        log.warning("the commune profile could not be read; the page uses a neutral title")
        return PageProfile()
    if profile is None:
        return PageProfile()
    return PageProfile(
        name=profile.name,
        province=profile.province,
        sample=profile.sample,
        public_numbers=_published_numbers([profile.hotline or ""]),
    )


def _published_numbers(texts: list[str]) -> frozenset[str]:
    """Digit strings of the commune's own published numbers (they stay readable in history)."""
    return frozenset(digits_of(m.group(0)) for t in texts for m in NUMBER_RUN.finditer(t))


_UNIT_WORDS = ("Xã ", "Phường ", "Thị trấn ", "Đặc khu ")


def after_ubnd(name: str) -> str:
    """ "Xã Tân Minh" as written after "UBND": "UBND xã Tân Minh"."""
    if name.startswith(_UNIT_WORDS):
        return name[0].lower() + name[1:]
    return name


def render_page(profile: PageProfile, max_chars: int, settings: WebSettings | None = None) -> str:
    settings = settings if settings is not None else WebSettings()
    template = Template(TEMPLATE_PATH.read_text(encoding="utf-8"))
    return template.substitute(
        name=html.escape(profile.name),
        ubnd_name=html.escape(after_ubnd(profile.name)),
        province=html.escape(profile.province),
        sample_hidden="" if profile.sample else "hidden",
        max_chars=str(int(max_chars)),
        # Numbers only: what the page's timers need (web/rating.py, staff messages).
        rating_idle_ms=str(int(settings.rating_idle_minutes * 60_000)),
        poll_ms=str(int(settings.poll_seconds * 1000)),
    )


def make_page_handler(
    max_chars: int, settings: WebSettings | None = None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def page(request: web.Request) -> web.Response:
        body = render_page(load_page_profile(), max_chars, settings)
        return web.Response(text=body, content_type="text/html", charset="utf-8")

    return page


def logo_path(knowledge_dir: Path | None) -> Path:
    if knowledge_dir is not None:
        for name in LOGO_NAMES:
            candidate = knowledge_dir / name
            if candidate.is_file():
                return candidate
    return DEFAULT_LOGO


async def logo(request: web.Request) -> web.FileResponse:
    from bot.knowledge.loader import knowledge_dir

    return web.FileResponse(logo_path(knowledge_dir()))
