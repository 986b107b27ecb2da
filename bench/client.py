"""A lean HTTP/1.1 client for measuring: one keep-alive connection per caller, the request
encoded once, the response read by its length. The app and its database share this
machine's two cores with the client, so a client that spends 2 ms of CPU per request (a
general-purpose one, measured in docs/PERFORMANCE.md) would be measured instead of the app."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

import orjson


def post_request(url: str, path: str, body: object, headers: dict[str, str]) -> bytes:
    """The bytes of one `POST path` with a JSON body, ready to be sent again and again."""
    payload = orjson.dumps(body)
    host = urlsplit(url).netloc
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


@dataclass
class Response:
    status: int
    body: bytes

    def json(self) -> object:
        return orjson.loads(self.body)


class Connection:
    """One keep-alive connection; `send` returns the whole response."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer

    @classmethod
    async def open(cls, url: str) -> Connection:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
        return cls(reader, writer)

    async def send(self, request: bytes) -> Response:
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].split(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        length: int | None = None
        chunked = False
        for line in header_lines:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            return Response(status, await self._chunks())
        if length is None:
            raise ValueError("a response without Content-Length or chunked encoding")
        return Response(status, await self._reader.readexactly(length))

    async def _chunks(self) -> bytes:
        body = bytearray()
        while True:  # each chunk: its size in hex, CRLF, the data, CRLF; the last is empty
            size = int((await self._reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16)
            body += (await self._reader.readexactly(size + 2))[:-2]
            if size == 0:
                return bytes(body)

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()
