"""Bitstrings of the W3C Bitstring Status List v1.0 and where a credential's slot falls in one.

- The encoded list: GZIP (RFC 1952) of the bitstring, base64url without padding, multibase prefix 'u'.
  Index 0 is the left-most (most significant) bit of the first byte.
- Slots: the n-th credential of a list gets `slot_permute(seed, n, size)`, a keyed pseudo-random
  permutation of 0..size-1, so that a position tells nothing of when a credential was issued or of how many
  a list holds (the spec's advice), while allocation stays a counter (no read of the slots taken)."""

import base64
import gzip
import hashlib
from functools import lru_cache

MINIMUM_ENTRIES = 131_072  # 16 KiB of one-bit entries: the spec's minimum, its group-privacy floor


def encode(bits: bytes) -> str:
    packed = gzip.compress(bytes(bits), mtime=0)  # mtime 0: the same list always encodes the same
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def decode(text: str) -> bytes:
    if not text.startswith("u"):
        raise ValueError("encodedList must be multibase base64url ('u' prefix)")
    body = text[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bits_with(indexes, size: int) -> bytearray:
    """A bitstring of `size` entries with these set."""
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return bits


def bit(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


ROUNDS = 4


@lru_cache(maxsize=64)
def _rounds(seed: str, half: int) -> tuple[tuple[int, ...], ...]:
    """The Feistel round functions as tables (each half is at most ~9 bits: 512 entries a round)."""
    mask = (1 << half) - 1
    return tuple(
        tuple(
            int.from_bytes(hashlib.blake2b(f"{r}:{x}".encode(), key=seed.encode(), digest_size=4).digest())
            & mask
            for x in range(1 << half)
        )
        for r in range(ROUNDS)
    )


def slot_permute(seed: str, n: int, size: int) -> int:
    """The n-th slot of a list of `size` (a power of two) entries: a balanced Feistel network on the next
    even bit width, cycle-walking past `size` (a bijection on 0..size-1)."""
    if not 0 <= n < size or size & (size - 1):
        raise ValueError("n must be below size, and size a power of two")
    half = size.bit_length() // 2  # size = 2**k: halves of ceil(k / 2) bits
    tables, mask = _rounds(seed, half), (1 << half) - 1
    x = n
    while True:
        left, right = x >> half, x & mask
        for table in tables:
            left, right = right, left ^ table[right]
        x = (left << half) | right
        if x < size:
            return x
