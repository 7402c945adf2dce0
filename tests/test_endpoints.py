from pathlib import Path

import pytest
import yaml

from bot.endpoints import main, redis_password, render_endpoints, write_endpoints


def test_sqlite_when_no_redis(tmp_path: Path) -> None:
    e = render_endpoints(
        action_url="http://127.0.0.1:5055/webhook", redis_url=None, var_dir=tmp_path
    )
    assert e["action_endpoint"] == {"url": "http://127.0.0.1:5055/webhook"}
    assert e["tracker_store"]["type"] == "SQL"
    assert e["tracker_store"]["dialect"] == "sqlite"
    assert e["tracker_store"]["db"] == str((tmp_path / "rasa-tracker.sqlite3").resolve())
    assert "lock_store" not in e  # one Rasa process: in-memory lock store


def test_redis_stores_have_own_prefixes_and_expiry(tmp_path: Path) -> None:
    e = render_endpoints(
        action_url="http://a/webhook",
        redis_url="redis://:s3cret@redis.example:6380/2",
        var_dir=tmp_path,
        key_prefix="xa",
        retention_days=7,
    )
    t, lock = e["tracker_store"], e["lock_store"]
    assert (t["type"], t["url"], t["port"], t["db"]) == ("redis", "redis.example", 6380, 2)
    assert t["key_prefix"] == lock["key_prefix"] == "xa"  # Rasa adds ":tracker:" / ":lock:"
    # Our atomic lock store (the stock one lets two processes serve one conversation at once).
    assert lock["type"] == "bot.rasa_lock_store.AtomicRedisLockStore"
    assert (lock["url"], lock["port"], lock["db"]) == ("redis.example", 6380, 2)
    assert t["record_exp"] == 7 * 86400
    # The secret stays in the environment, never in the file.
    assert t["password"] == lock["password"] == "${REDIS_PASSWORD}"
    assert "s3cret" not in yaml.safe_dump(e)
    assert redis_password("redis://:s3cret@h:1/0") == "s3cret"
    assert redis_password("redis://h:1/0") is None


def test_rejects_a_prefix_rasa_would_ignore(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="STATE_PREFIX"):
        render_endpoints(
            action_url="x", redis_url="redis://h:1/0", var_dir=tmp_path, key_prefix="xa_1"
        )


def test_rejects_non_redis_url(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="redis://"):
        render_endpoints(action_url="x", redis_url="http://h", var_dir=tmp_path)


def test_written_file_is_yaml(tmp_path: Path) -> None:
    path = write_endpoints(tmp_path / "endpoints.yml", {"action_endpoint": {"url": "u"}})
    assert yaml.safe_load(path.read_text()) == {"action_endpoint": {"url": "u"}}


def test_renders_a_containers_file_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    monkeypatch.setenv("ACTION_SERVER_URL", "http://actions:5055/")
    monkeypatch.setenv("STATE_PREFIX", "hp")
    main([str(tmp_path / "endpoints.yml")])
    e = yaml.safe_load((tmp_path / "endpoints.yml").read_text())
    assert e["action_endpoint"]["url"] == "http://actions:5055/webhook"
    assert e["tracker_store"]["url"] == e["lock_store"]["url"] == "redis"
    assert e["lock_store"]["key_prefix"] == "hp"
