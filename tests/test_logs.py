"""Logs: JSON lines in production, one line per record whatever the client sent."""

from __future__ import annotations

import json
import logging

from kam.logs import JsonFormatter, PlainFormatter, clean


def _record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("kam.test", logging.WARNING, __file__, 1, message, args, None)


def test_json_lines_and_no_forged_lines() -> None:
    line = JsonFormatter().format(_record("path %s", "alias\r\n2026 INFO kam fake entry"))
    assert "\n" not in line and "\r" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "kam.test"
    assert entry["message"] == "path alias\\r\\n2026 INFO kam fake entry"


def test_plain_lines_escape_cr_lf() -> None:
    text = PlainFormatter("%(levelname)s %(message)s").format(_record("user %s", "x\ny"))
    assert text == "WARNING user x\\ny"
    assert clean("a\rb") == "a\\rb"
