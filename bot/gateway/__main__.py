"""`python -m bot.gateway`: run the gateway on GATEWAY_HOST:GATEWAY_PORT."""

from __future__ import annotations

import logging
import os
import sys

from aiohttp import web

from bot.gateway.app import create_app
from bot.gateway.settings import GatewaySettings, SettingsError

# One line per request; bodies (which may carry personal data) are never logged.
ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tfs'


def main() -> None:
    level = logging.getLevelName(os.environ.get("LOG_LEVEL", "INFO").strip().upper())
    logging.basicConfig(
        level=level if isinstance(level, int) else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = GatewaySettings.from_env()
    except SettingsError as exc:
        logging.getLogger("bot.gateway").error("%s", exc)
        sys.exit(2)
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log_format=ACCESS_LOG_FORMAT,
        print=logging.getLogger("bot.gateway").info,
    )


if __name__ == "__main__":
    main()
