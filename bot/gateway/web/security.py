"""Browser security for everything the gateway serves: CSP and friends, and CORS for `/api/*`.

Embedding in the Zalo Mini App: the page may be framed only by the origins in `frame_ancestors`
(CSP `frame-ancestors`; default `'self'` plus Zalo's `*.zalo.me` and `*.zdn.vn` hosts, which serve
mini apps; set `FRAME_ANCESTORS` to the exact origin shown in the Mini App console). A mini app
whose own code calls the API from Zalo's origin needs that origin in `CORS_ORIGINS`.
No `X-Frame-Options`: it cannot list several origins and would override `frame-ancestors` in
older webviews.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping

from aiohttp import web

from bot.gateway.web.config import WebSettings

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Content-Type"
CORS_MAX_AGE = "600"


def content_security_policy(frame_ancestors: tuple[str, ...]) -> str:
    """Scripts and styles from our own files only: no inline script, no eval, no plugins."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {' '.join(frame_ancestors)}",
        ]
    )


def security_headers(settings: WebSettings) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings.frame_ancestors),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Cross-Origin-Resource-Policy": "same-site",
    }


def _cors_headers(origin: str) -> dict[str, str]:
    # No credentials: the session travels in the JSON body, never in a cookie.
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def _apply(headers: MutableMapping[str, str], extra: dict[str, str]) -> None:
    for name, value in extra.items():
        if name == "Vary" and "Vary" in headers:
            headers["Vary"] = f"{headers['Vary']}, {value}"
        else:
            headers[name] = value


def make_security_middleware(settings: WebSettings) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Adds the headers to every response (errors too) and answers CORS preflights."""
    base = security_headers(settings)
    allowed = frozenset(settings.cors_origins)

    @web.middleware
    async def secure(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        is_api = request.path.startswith("/api/")
        cors = _cors_headers(origin) if is_api and origin and origin in allowed else {}
        if is_api and request.method == "OPTIONS":
            # A preflight: allowed origins get the CORS answer, others none (the browser stops).
            headers = dict(base)
            if cors:
                headers.update(cors)
                headers["Access-Control-Allow-Methods"] = CORS_METHODS
                headers["Access-Control-Allow-Headers"] = CORS_HEADERS
                headers["Access-Control-Max-Age"] = CORS_MAX_AGE
            return web.Response(status=204 if cors else 403, headers=headers)
        # API answers are personal: never cached. The page and its files change with
        # deployments: always revalidated (Last-Modified/304 keeps that cheap).
        extra = {**base, **cors, "Cache-Control": "no-store" if is_api else "no-cache"}
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            _apply(exc.headers, extra)
            raise
        _apply(response.headers, extra)
        return response

    return secure
