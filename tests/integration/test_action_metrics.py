"""The real action server (rasa-sdk) exposes `/metrics` through the plugin hook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.stack import REPO_ROOT
from tests.integration.helpers import free_port

TOKEN = "metrics-test-token-42"


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()
    except (urllib.error.URLError, OSError):  # not listening yet
        return 0, ""


def test_action_runs_are_counted_and_served(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "METRICS_TOKEN": TOKEN,
           "VAR_DIR": str(tmp_path), "SANIC_HOST": "127.0.0.1"}  # fmt: skip
    env.pop("REDIS_URL", None)
    log = (tmp_path / "actions.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while _get(f"{base}/health")[0] != 200:
            assert proc.poll() is None, (tmp_path / "actions.log").read_text()
            assert time.monotonic() < deadline, "action server did not start"
            time.sleep(0.5)
        assert _get(f"{base}/metrics")[0] == 401
        call = {
            "next_action": "action_office_info",
            "sender_id": "metrics-test",
            "tracker": {"sender_id": "metrics-test", "slots": {}, "latest_message": {"text": "giờ làm việc", "intent": {"name": "ask_office_info"}, "entities": []}, "events": [], "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": None},
            "domain": {},
        }  # fmt: skip
        request = urllib.request.Request(
            f"{base}/webhook", data=json.dumps(call).encode(),
            headers={"Content-Type": "application/json"}, method="POST",
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as resp:
            assert resp.status == 200
        status, text = _get(f"{base}/metrics", TOKEN)
        assert status == 200
        assert 'actions_runs_total{action="action_office_info",outcome="ok"} 1.0' in text
        assert "actions_run_seconds_bucket" in text
        assert "metrics-test" not in text  # no sender id in any label
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(15)
