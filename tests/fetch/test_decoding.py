"""Content-Encoding decoding: correct in any chunking, and bounded against bombs."""

from __future__ import annotations

import gzip
import zlib
from functools import partial

import brotli
import pytest

from incoming.errors import FetchError
from incoming.fetch.decoding import PIECE, BodyDecoder

TEXT = "机器学习 notes with $\\LaTeX$ and code\n".encode() * 2000


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


ENCODED = {
    "gzip": gzip.compress(TEXT),
    "x-gzip": gzip.compress(TEXT),
    "deflate": zlib.compress(TEXT),
    "br": brotli.compress(TEXT),
    "identity": TEXT,
    "": TEXT,
    "gzip, br": brotli.compress(gzip.compress(TEXT)),
    "Deflate, GZIP": gzip.compress(zlib.compress(TEXT)),
}


def decode_in_chunks(encoding: str, data: bytes, size: int) -> list[bytes]:
    decoder = BodyDecoder(encoding)
    return [
        piece for i in range(0, len(data), size) for piece in decoder.decode(data[i : i + size])
    ]


@pytest.mark.parametrize("encoding", list(ENCODED))
@pytest.mark.parametrize("chunk_size", [1, 7, 4096, 10**6])
def test_decodes_whatever_the_chunking(encoding: str, chunk_size: int) -> None:
    assert b"".join(decode_in_chunks(encoding, ENCODED[encoding], chunk_size)) == TEXT


@pytest.mark.parametrize("chunk_size", [1, 4096])
def test_raw_deflate_is_recognised(chunk_size: int) -> None:
    pieces = decode_in_chunks("deflate", raw_deflate(TEXT), chunk_size)
    assert b"".join(pieces) == TEXT


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("br", partial(brotli.compress, quality=5)),
    ],
)
def test_bomb_comes_out_in_bounded_pieces(encoding: str, compress) -> None:
    bomb = compress(bytes(20 * 1024 * 1024))
    decoder = BodyDecoder(encoding)
    pieces = decoder.decode(bomb)  # the whole bomb in one network chunk
    sizes = [len(next(pieces)) for _ in range(50)]
    assert max(sizes) <= 2 * PIECE


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(FetchError, match="unsupported Content-Encoding 'compress'"):
        BodyDecoder("compress")


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_corrupt_data_is_a_fetch_error(encoding: str) -> None:
    with pytest.raises(FetchError, match=f"cannot decode the {encoding} body"):
        b"".join(BodyDecoder(encoding).decode(b"\x1f\x8b this is not compressed at all" * 10))
