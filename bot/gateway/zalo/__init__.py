"""The Zalo Official Account channel (docs: zalo-platform-notes.md, issue 5).

Webhook in (`webhook.py`), durable per-user work queue (`queue.py`), OA send API and message
mapping (`sender.py`), access tokens (`tokens.py`), handoff pause and its admin API
(`handoff.py`, `admin.py`). `webhook.setup_zalo(app)` wires it into the gateway.

Nothing is imported here so that `bot.gateway.settings` can import `config` without cycles.
"""
