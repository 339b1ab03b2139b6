"""Content-Encoding decoding in bounded pieces, so a compression bomb is caught early.

httpx decompresses each network chunk whole: 64 KiB of brotli can expand to gigabytes before
any size check runs. These decoders hand out at most about `PIECE` bytes at a time instead,
letting the caller stop as soon as the body passes its cap.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from typing import Protocol

import brotli

from incoming.errors import FetchError

PIECE = 64 * 1024


class _Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...


class _ZlibDecoder:
    def __init__(self, wbits: int) -> None:
        self._inflater = zlib.decompressobj(wbits)

    def decode(self, data: bytes) -> Iterator[bytes]:
        while data:
            yield self._inflater.decompress(data, PIECE)
            data = self._inflater.unconsumed_tail


class _DeflateDecoder:
    """'deflate' should be zlib-wrapped, but some servers send raw deflate; the header tells."""

    def __init__(self) -> None:
        self._head = b""
        self._inner: _ZlibDecoder | None = None

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._inner is None:
            self._head += data
            if len(self._head) < 2:
                return
            zlib_wrapped = self._head[0] & 0x0F == 8 and int.from_bytes(self._head[:2]) % 31 == 0
            self._inner = _ZlibDecoder(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
            data, self._head = self._head, b""
        yield from self._inner.decode(data)


class _BrotliDecoder:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        # Output left after the input is consumed only comes out of further empty calls.
        piece = self._decompressor.process(data, output_buffer_limit=PIECE)
        while piece:
            yield piece
            piece = self._decompressor.process(b"", output_buffer_limit=PIECE)


def _decoder_for(encoding: str) -> _Decoder:
    if encoding in ("gzip", "x-gzip"):
        return _ZlibDecoder(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _DeflateDecoder()
    if encoding == "br":
        return _BrotliDecoder()
    raise FetchError(f"unsupported Content-Encoding {encoding!r}")


class BodyDecoder:
    """Undoes a response's Content-Encoding (several codings allowed), piece by piece."""

    def __init__(self, content_encoding: str | None) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        self._names = [c for c in codings if c and c != "identity"]
        # Codings are listed in the order applied, so they are undone last first.
        self._decoders = [_decoder_for(name) for name in reversed(self._names)]

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Decoded bytes of the next raw chunk, in pieces of at most about PIECE bytes."""
        try:
            yield from _through(self._decoders, data)
        except (zlib.error, brotli.error) as exc:
            raise FetchError(f"cannot decode the {', '.join(self._names)} body ({exc})") from exc


def _through(decoders: Sequence[_Decoder], data: bytes) -> Iterator[bytes]:
    if not decoders:
        yield data
        return
    first, rest = decoders[0], decoders[1:]
    for piece in first.decode(data):
        yield from _through(rest, piece)
