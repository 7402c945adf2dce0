import asyncio
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.feedback import submit_feedback
from bot.handoff_requests import request_handoff
from bot.ratings import record_rating
from bot.state.sqlite_store import SqliteStore

runner = CliRunner()


@pytest.fixture
async def var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    async with SqliteStore(tmp_path / "state.sqlite3") as store:
        await submit_feedback(store, "Cống xóm 2 bị tắc lâu rồi", "u1", phone="0912345678")
        await request_handoff(store, "zalo:42", "asked", "gặp cán bộ")
        await record_rating(store, 5, "1.001193")
    return tmp_path


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_feedback_commands(var: Path) -> None:
    assert "PA-000001" in invoke("feedback", "list")
    shown = invoke("feedback", "show", "PA-000001")
    assert "*******678" in shown and "0912345678" not in shown
    assert "PA-000001: done" in invoke(
        "feedback", "set-status", "PA-000001", "done", "--note", "Đã nạo vét"
    )
    assert "1 feedback" in invoke("feedback", "list", "--status", "done")
    out = var / "fb.csv"
    invoke("feedback", "export", "--out", str(out))
    text = out.read_text(encoding="utf-8-sig")
    assert text.startswith("reference,") and "Đã nạo vét" in text
    bad = runner.invoke(app, ["feedback", "set-status", "PA-000001", "finished"])
    assert bad.exit_code == 2


def test_handoff_and_stats_commands(var: Path) -> None:
    assert "zalo:42" in invoke("handoff", "list")
    assert "released" in invoke("handoff", "release", "zalo:42", "--by", "chị Lan")
    assert "0 request(s)" in invoke("handoff", "list")
    assert runner.invoke(app, ["handoff", "release", "zalo:42"]).exit_code == 1
    assert "Ratings: 1, average 5.00/5" in invoke("stats")
    assert "retention" in invoke("privacy", "purge")


def test_handoff_reply_delivers_on_the_citizens_channel(var: Path) -> None:
    from bot.gateway.rasa_client import ChatMessage
    from bot.gateway.staff import history_from_env
    from bot.gateway.zalo.queue import USERS_MAP, Job, jobs_map

    web_sender = "W" * 32

    async def start_conversation() -> None:
        async with SqliteStore(var / "state.sqlite3") as store:
            history = history_from_env(store)
            await history.append_turn(web_sender, "gặp cán bộ", [ChatMessage(text="Dạ")])

    asyncio.run(start_conversation())
    assert "added to the web conversation" in invoke(
        "handoff", "reply", web_sender, "Dạ, cán bộ Lan đây, anh/chị gọi 0912345678 ạ."
    )
    assert "queued for Zalo" in invoke("handoff", "reply", "zalo-oa:555", "Dạ, cán bộ đây ạ.")

    async def stored() -> tuple[Any, list[Job], dict[str, str]]:
        async with SqliteStore(var / "state.sqlite3") as store:
            entries = await history_from_env(store).read(web_sender)
            raw = await store.map_items(jobs_map("555"))
            return (
                entries,
                [Job.model_validate_json(v) for v in raw.values()],
                (await store.map_items(USERS_MAP)),
            )

    entries, jobs, users = asyncio.run(stored())
    assert (entries[-1].role, entries[-1].text) == (
        "staff",
        "Dạ, cán bộ Lan đây, anh/chị gọi *******678 ạ.",  # masked like the rest
    )
    assert [(j.kind, j.bot, j.outbox) for j in jobs] == [
        ("staff", False, [{"text": "Dạ, cán bộ đây ạ."}])
    ]
    assert "555" in users  # the running gateway's sweeper finds it

    unknown = runner.invoke(app, ["handoff", "reply", "X" * 32, "alo"])
    assert unknown.exit_code == 1 and "no stored web conversation" in unknown.output
    bad = runner.invoke(app, ["handoff", "reply", "not-a-sender", "alo"])
    assert bad.exit_code == 1 and "not a conversation id" in bad.output
