"""Request ids: returned in `X-Request-ID`, an incoming sane id kept, forwarded to Rasa."""

from __future__ import annotations

import json

from aiohttp import web


async def _recording_rasa(aiohttp_server, seen: list[str]) -> str:
    async def webhook(request: web.Request) -> web.Response:
        seen.append(request.headers.get("X-Request-ID", ""))
        body = await request.json()
        return web.json_response([{"recipient_id": body["sender"], "text": "ok"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


async def test_ids_are_returned_kept_and_forwarded(make_client, aiohttp_server) -> None:
    seen: list[str] = []
    client = await make_client(rasa_url=await _recording_rasa(aiohttp_server, seen))
    body = json.dumps({"text": "xin chào"})
    generated = await client.post("/api/chat", data=body)
    assert generated.status == 200
    new_id = generated.headers["X-Request-ID"]
    assert len(new_id) == 32
    kept = await client.post("/api/chat", data=body, headers={"X-Request-ID": "lb-7f3a"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a"
    replaced = await client.post("/api/chat", data=body, headers={"X-Request-ID": "a b\tc"})
    assert replaced.headers["X-Request-ID"] not in ("a b\tc", new_id)
    assert seen == [new_id, "lb-7f3a", replaced.headers["X-Request-ID"]]


async def test_errors_and_other_routes_carry_an_id_too(make_client) -> None:
    client = await make_client()
    bad = await client.post("/api/chat", data="{not json")
    assert bad.status == 400 and bad.headers["X-Request-ID"]
    missing = await client.get("/nothing-here")
    assert missing.status == 404 and missing.headers["X-Request-ID"]
