"""Logging: JSON lines in production, plain text in development; never a forged line.

Messages can carry values a client chose (an alias in a path, an id): CR and LF are replaced
in every message, so one request cannot write a second, fake log line."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

_ESCAPES = str.maketrans({"\r": "\\r", "\n": "\\n"})


def clean(text: str) -> str:
    """A value safe to put on one log line."""
    return text.translate(_ESCAPES)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": clean(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        saved = record.msg, record.args
        record.msg, record.args = clean(record.getMessage()), None
        try:
            return super().format(record)
        finally:
            record.msg, record.args = saved


def configure_logging(json_lines: bool, level: int = logging.INFO) -> None:
    """Route every logger (ours, uvicorn's) through one handler with the chosen format."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else PlainFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
