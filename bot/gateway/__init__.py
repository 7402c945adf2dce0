"""The aiohttp gateway: web chat API, health, and (later) the Zalo OA webhook.

Use `create_app()` to build the application; `python -m bot.gateway` runs it.
"""

from bot.gateway.app import create_app
from bot.gateway.settings import GatewaySettings

__all__ = ["GatewaySettings", "create_app"]
