"""Structured logs: a request id on every line, personal numbers masked, optional JSON.

- `REQUEST_ID` (a context variable) holds the id of the HTTP request being served; the gateway's
  `request_ids` middleware sets it, so every log line written while serving the request carries
  it (`RequestIdFilter` puts it on the record as `request_id`, `-` outside a request).
- `MaskingFilter` masks phone and citizen-ID numbers in the formatted message (and in a logged
  exception's text), whatever code wrote the line: a citizen's message quoted in a warning must
  not put their phone number into the log files.
- `LOG_FORMAT=json` writes one JSON object per line (time, level, logger, request_id, message,
  exc_info) for log collectors; the default is the readable text line.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import datetime, timezone

from bot.text.masking import mask_personal_numbers

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept when it is short and plain (a proxy's or client's correlation id);
# anything else is replaced so a caller cannot inject text into the logs.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def accept_request_id(incoming: str | None) -> str:
    """`incoming` when it is a sane id, else a new random one."""
    if incoming and _SANE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class MaskingFilter(logging.Filter):
    """Replaces the record's message by its masked rendering (arguments merged in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_numbers(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_numbers(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc_info"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", fmt: str = "text") -> logging.Handler:
    """Log to stderr through the request-id and masking filters; returns the handler."""
    resolved = logging.getLevelName(level.strip().upper())
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.addFilter(MaskingFilter())
    handler.setFormatter(
        JsonFormatter() if fmt.strip().lower() == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(resolved if isinstance(resolved, int) else logging.INFO)
    return handler
