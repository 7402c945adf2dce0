"""Staff edit the knowledge under the running assistant: edits show at once, broken files don't hurt."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bot.stack import REPO_ROOT, Stack
from tests.integration.helpers import ChatClient, texts

FEE_QUESTION = "lệ phí đăng ký khai sinh bao nhiêu"


def knowledge_dir(stack: Stack) -> Path:
    return Path(stack.config.extra_env["KNOWLEDGE_DIR"])


def ask_fee(stack: Stack) -> str:
    return texts(ChatClient(stack.config.gateway_url).send(FEE_QUESTION))


def test_fee_edit_shows_within_5_seconds_and_broken_file_is_reported(redis_stack: Stack) -> None:
    override = knowledge_dir(redis_stack) / "overrides" / "1.001193.yml"
    original = override.read_text()
    assert "1.001193" in ask_fee(redis_stack)
    new_fee = "Lệ phí thử nghiệm 12.345 đồng"
    try:
        override.write_text(
            original
            + f"channels:\n  - channel: Trực tiếp\n    time: 3 ngày làm việc\n    fee: {new_fee}\n"
        )
        edited = time.monotonic()
        answer = ""
        while time.monotonic() - edited < 5 and new_fee not in answer:
            answer = ask_fee(redis_stack)
        assert new_fee in answer, "the fee edit should show in an answer within 5 s"

        broken = knowledge_dir(redis_stack) / "overrides" / "1.000894.yml"
        broken_original = broken.read_text()
        try:
            broken.write_text(broken_original + "aliases: [unclosed\n")
            time.sleep(1)
            still = ask_fee(redis_stack)
            assert new_fee in still, "the last good knowledge keeps serving"

            check = subprocess.run(
                [sys.executable, "-m", "bot", "kb", "check"],
                cwd=REPO_ROOT,
                env={"KNOWLEDGE_DIR": str(knowledge_dir(redis_stack)), "PATH": "/usr/bin:/bin"},
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert check.returncode != 0
            assert "1.000894.yml:" in check.stdout + check.stderr
        finally:
            broken.write_text(broken_original)
    finally:
        override.write_text(original)
