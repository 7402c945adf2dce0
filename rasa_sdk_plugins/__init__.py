"""rasa-sdk's plugin entry point: `rasa_sdk.plugin` imports a package of exactly this name.

It registers `actions.metrics`, which adds `GET /metrics` and per-action timing to the action
server's Sanic app (see that module).
"""

from __future__ import annotations

from typing import Any


def init_hooks(manager: Any) -> None:
    from actions import metrics

    manager.register(metrics)
