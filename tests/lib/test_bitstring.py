import base64
import gzip

import pytest

from sitecert.lib.bitstring import MINIMUM_ENTRIES, bit, bits_with, decode, encode, slot_permute


def test_the_encoded_list_is_gzip_base64url_multibase_with_index_zero_leftmost():
    bits = bits_with([0, 9, MINIMUM_ENTRIES - 1], MINIMUM_ENTRIES)
    text = encode(bits)
    assert text.startswith("u") and "=" not in text and "+" not in text and "/" not in text
    raw = gzip.decompress(base64.urlsafe_b64decode(text[1:] + "=" * (-len(text[1:]) % 4)))
    assert raw[0] == 0b1000_0000 and raw[1] == 0b0100_0000 and raw[-1] == 0b0000_0001
    assert decode(text) == bytes(bits) and len(raw) * 8 == MINIMUM_ENTRIES
    assert [i for i in (0, 1, 9, MINIMUM_ENTRIES - 1) if bit(raw, i)] == [0, 9, MINIMUM_ENTRIES - 1]


@pytest.mark.parametrize("size", [16, 2**17, 2**18])
def test_slots_are_a_permutation_that_depends_on_the_seed(size):
    slots = [slot_permute("seed-a", n, size) for n in range(size)]
    assert sorted(slots) == list(range(size))
    assert slots[:8] != [slot_permute("seed-b", n, size) for n in range(8)]


def test_a_slot_beyond_the_list_is_refused():
    with pytest.raises(ValueError):
        slot_permute("s", 16, 16)
    with pytest.raises(ValueError):
        slot_permute("s", 0, 100)
