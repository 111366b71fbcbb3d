import pytest

from sitecert.lib import uscc

# The standard's own example, and a code printed on a real business licence.
KNOWN = ["91350100M000100Y43", "91110108551385082Q"]


@pytest.mark.parametrize("code", KNOWN)
def test_known_codes_pass(code):
    assert uscc.parse(code.lower()) == code


def test_a_changed_character_is_caught_with_the_expected_check():
    code = KNOWN[1]
    tampered = code[:10] + ("0" if code[10] != "0" else "1") + code[11:]
    with pytest.raises(uscc.InvalidUscc) as exc:
        uscc.parse(tampered)
    assert exc.value.code == "check" and exc.value.expected == uscc.check_character(tampered[:17])


@pytest.mark.parametrize(
    "text", ["", "9111010855138508", "91110108551385082QX", "9111010855138508IQ", "0111010855138508Q2"]
)
def test_malformed_codes(text):
    with pytest.raises(uscc.InvalidUscc) as exc:
        uscc.parse(text)
    assert exc.value.code == "format"


def test_every_check_character_is_reachable():
    seen = {uscc.build(f"91120104MA0{n:06d}")[-1] for n in range(2000)}
    assert seen == set(uscc.CHARSET)
