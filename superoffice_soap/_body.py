"""Bounded response bodies (no I/O): raw bytes in, decoded bytes out, never more than the cap.

The drivers read the body as a stream of raw (still content-encoded) chunks and feed them here.
gzip and deflate are decompressed in bounded steps, so a small compressed "bomb" stops at the cap
too, without ever holding more than the cap plus one step in memory.
"""

from __future__ import annotations

import zlib
from typing import Optional

from .errors import HTTPStatusError, ResponseParseError, ResponseTooLargeError

__all__ = ["ACCEPT_ENCODING", "BodyReader"]

#: What the agents ask for: the encodings this module decodes.
ACCEPT_ENCODING = "gzip, deflate"
_STEP = 64 * 1024


class BodyReader:
    """Accumulates one response body up to ``limit`` decoded bytes."""

    def __init__(self, limit: int, content_encoding: Optional[str], status_code: int) -> None:
        self.limit = limit
        self._parts: list[bytes] = []
        self._size = 0
        encoding = (content_encoding or "identity").strip().lower()
        self._inflate: Optional[zlib._Decompress] = None
        self._deflate_raw_fallback = False
        if encoding in ("gzip", "x-gzip"):
            self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._inflate = zlib.decompressobj()
            self._deflate_raw_fallback = True
        elif encoding != "identity":
            raise HTTPStatusError(
                f"HTTP {status_code} with an unsupported Content-Encoding {encoding!r}",
                status_code=status_code,
                content_type=None,
                excerpt="",
            )
        self._first = True

    def feed(self, chunk: bytes) -> None:
        """Take the next raw chunk; ResponseTooLargeError past the limit."""
        if self._inflate is None:
            self._add(chunk)
            return
        data = chunk
        while data:
            room = self.limit - self._size + 1
            try:
                out = self._inflate.decompress(data, min(room, _STEP))
            except zlib.error:
                if self._first and self._deflate_raw_fallback:
                    # Some servers send raw deflate without the zlib header.
                    self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._deflate_raw_fallback = False
                    continue
                raise _corrupt() from None
            self._first = False
            self._add(out)
            data = self._inflate.unconsumed_tail

    def finish(self) -> bytes:
        """The whole decoded body."""
        if self._inflate is not None:
            try:
                self._add(self._inflate.flush())
            except zlib.error:
                raise _corrupt() from None
        return b"".join(self._parts)

    def _add(self, data: bytes) -> None:
        if not data:
            return
        self._size += len(data)
        if self._size > self.limit:
            raise ResponseTooLargeError(
                f"the response body is larger than max_response_bytes={self.limit}"
            )
        self._parts.append(data)


def _corrupt() -> ResponseParseError:
    return ResponseParseError("the compressed response body is corrupt")
