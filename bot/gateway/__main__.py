"""`python -m bot.gateway`: run the gateway on GATEWAY_HOST:GATEWAY_PORT."""

from __future__ import annotations

import logging
import os
import sys

from aiohttp import web

from bot.gateway.app import create_app
from bot.gateway.settings import GatewaySettings, SettingsError
from bot.logging_setup import configure_logging

# One line per request with its id; bodies (which may carry personal data) are never logged.
ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tfs rid=%{X-Request-ID}o'


def main() -> None:
    configure_logging(os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "text"))
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
