"""The web chat: the citizen-facing page, its history API, rate limits and browser security.

Kept import-light on purpose: `bot.gateway.settings` imports `bot.gateway.web.config`, and the
route modules import `bot.gateway.app`; `create_app` wires the routes in with `setup_web`
(`bot.gateway.web.routes`).
"""
