"""Once against the embedded default: SQLite tracker store and SQLite shared state, no Redis."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.stack import Stack
from tests.integration.helpers import ChatClient, stack_config, texts


@pytest.fixture(scope="module")
def sqlite_stack(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(stack_config(tmp_path_factory.mktemp("sqlite-stack"), redis_url=None))
    stack.start(model)
    yield stack
    stack.stop()


def test_conversation_and_feedback_are_stored_in_sqlite(sqlite_stack: Stack) -> None:
    chat = ChatClient(sqlite_stack.config.gateway_url)
    assert "1.001193" in texts(chat.send("Làm giấy khai sinh cần gì?"))
    chat.send("tôi muốn phản ánh")
    chat.send("Rác thải tập kết sai chỗ ở đầu ngõ 5 nhiều ngày")
    chat.send("đầu ngõ 5 thôn Đông")  # where (optional)
    done = texts(chat.send("bỏ qua"))  # no contact phone
    assert "PA-" in done

    var = sqlite_stack.config.var_dir
    with sqlite3.connect(var / "rasa-tracker.sqlite3") as db:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM events WHERE type_name = 'user' AND data LIKE '%khai sinh%'"
        ).fetchone()
    assert count >= 1
    with sqlite3.connect(var / "state.sqlite3") as db:
        rows = db.execute("SELECT data FROM records WHERE kind = 'feedback'").fetchall()
    assert any("Rác thải" in r[0] for r in rows)
