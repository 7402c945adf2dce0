"""Structured logs: request ids on every line, personal numbers masked, JSON format."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logging_setup import (
    REQUEST_ID,
    JsonFormatter,
    MaskingFilter,
    RequestIdFilter,
    accept_request_id,
    configure_logging,
)


@pytest.fixture
def captured() -> tuple[logging.Logger, io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(MaskingFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test.logging_setup")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream, handler
    logger.removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_request_id_on_each_line_of_the_request(captured) -> None:
    logger, stream, _ = captured
    logger.info("outside")
    token = REQUEST_ID.set("abc-123")
    try:
        logger.info("inside %s", "x")
    finally:
        REQUEST_ID.reset(token)
    outside, inside = _lines(stream)
    assert outside["request_id"] == "-"
    assert inside == {**inside, "request_id": "abc-123", "message": "inside x", "level": "INFO"}


def test_phone_and_id_numbers_are_masked_in_messages_and_tracebacks(captured) -> None:
    logger, stream, _ = captured
    logger.warning("citizen wrote %r", "gọi 0912 345 678 nhé, CCCD 001203004005")
    try:
        raise ValueError("bad phone 0987654321")
    except ValueError:
        logger.exception("failed")
    first, second = _lines(stream)
    assert "0912 345 678" not in first["message"] and "*** *** 678" in first["message"]
    assert "001203004005" not in first["message"] and "005" in first["message"]
    assert "0987654321" not in second["exc_info"] and "*******321" in second["exc_info"]


def test_procedure_codes_and_amounts_stay_readable(captured) -> None:
    logger, stream, _ = captured
    logger.info("thủ tục 1.001193, lệ phí 1.500.000.000 đồng")
    assert _lines(stream)[0]["message"] == "thủ tục 1.001193, lệ phí 1.500.000.000 đồng"


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [("req-42", True), ("a" * 64, True), ("a" * 65, False), ("x y", False), ("", False),
     (None, False), ("bad\nline", False)],
)  # fmt: skip
def test_incoming_request_ids_are_kept_only_when_sane(incoming, kept) -> None:
    result = accept_request_id(incoming)
    assert (result == incoming) is kept
    assert 1 <= len(result) <= 64 and "\n" not in result


def test_configure_logging_text_and_json(capsys) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("warning", "json")
        logging.getLogger("x").warning("call 0912345678")
        line = json.loads(capsys.readouterr().err.strip())
        assert line["level"] == "WARNING" and "0912345678" not in line["message"]
        configure_logging("INFO", "text")
        logging.getLogger("x").info("hello")
        assert "INFO x [-]: hello" in capsys.readouterr().err
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
