"""`setup_web(app, store_key)`: adds the chat page, its files, the history API and middlewares."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from bot.gateway.web.api import (
    POLL_PATH,
    WEB_KEY,
    WebChat,
    clear_history,
    history,
    idle_rating,
    limit_addresses,
    updates,
)
from bot.gateway.web.config import WebSettings
from bot.gateway.web.history import ChatHistory
from bot.gateway.web.page import STATIC_DIR, load_page_profile, logo, make_page_handler
from bot.gateway.web.ratelimit import RateLimiter
from bot.gateway.web.rating import IdleRating
from bot.gateway.web.security import make_security_middleware
from bot.state.base import StateStore


def setup_web(
    app: web.Application,
    settings: WebSettings,
    store_key: web.AppKey[StateStore],
    max_text_chars: int,
) -> None:
    """Call from `create_app` after its own resources (the store must exist at startup)."""
    # Outermost, so that error answers made by inner middlewares get the headers too.
    app.middlewares.insert(0, make_security_middleware(settings))
    app.middlewares.append(limit_addresses)

    async def web_chat(app: web.Application) -> AsyncIterator[None]:
        store = app[store_key]
        profile = load_page_profile()
        app[WEB_KEY] = WebChat(
            settings=settings,
            history=ChatHistory(
                store,
                ttl=settings.history_ttl_seconds,
                max_entries=settings.history_max_messages,
                public_numbers=profile.public_numbers,
            ),
            per_session=RateLimiter(settings.rate_limit_session_per_minute),
            per_address=RateLimiter(settings.rate_limit_address_per_minute),
            store=store,
            rating=IdleRating(store, ttl=settings.history_ttl_seconds),
        )
        yield

    app.cleanup_ctx.append(web_chat)
    app.router.add_get("/", make_page_handler(max_text_chars, settings))
    app.router.add_get("/logo", logo)
    app.router.add_static("/static/", STATIC_DIR)
    app.router.add_post("/api/history", history)
    app.router.add_post("/api/history/clear", clear_history)
    app.router.add_post(POLL_PATH, updates)
    app.router.add_post("/api/rating/idle", idle_rating)
