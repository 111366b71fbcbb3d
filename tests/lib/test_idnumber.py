from datetime import date

import pytest

from sitecert.lib import idnumber
from sitecert.lib.idnumber import InvalidIdNumber, build, check_character, parse, parse_cell

# Published examples of GB 11643 numbers with their check characters.
KNOWN = ["11010519491231002X", "440524188001010014", "120101199003071233"]


@pytest.mark.parametrize("number", KNOWN[:2])
def test_the_check_character_of_known_numbers(number):
    assert idnumber.check_character(number[:17]) == number[17]


def test_every_check_character_is_reachable_and_detects_a_changed_digit():
    seen = set()
    for seq in range(200):
        number = idnumber.build("120104", date(1988, 8, 8), seq)
        seen.add(number[-1])
        assert idnumber.parse(number).value == number
        tampered = number[:16] + str((int(number[16]) + 1) % 10) + number[17]
        with pytest.raises(idnumber.InvalidIdNumber) as exc:
            idnumber.parse(tampered)
        assert exc.value.code == "check" and exc.value.expected != number[17]
    assert seen == set("0123456789X")


def test_a_lower_case_x_is_accepted():
    assert idnumber.parse("11010519491231002x").value == "11010519491231002X"


@pytest.mark.parametrize(
    "text", ["", "1101051949123100", "11010519491231002Y", "1101051949123100211", "A1010519491231002X"]
)
def test_malformed_numbers(text):
    with pytest.raises(idnumber.InvalidIdNumber) as exc:
        idnumber.parse(text)
    assert exc.value.code == "format"


def test_a_birth_date_that_does_not_exist():
    first17 = "12010119890229001"  # 1989 is not a leap year
    with pytest.raises(idnumber.InvalidIdNumber) as exc:
        idnumber.parse(first17 + idnumber.check_character(first17))
    assert exc.value.code == "birth_date"


def test_fifteen_digits_become_eighteen_in_the_twentieth_century():
    parsed = idnumber.parse("110105491231002")
    assert parsed.value == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31) and parsed.area_code == "110105"


def test_age_counts_whole_years_birthday_included():
    p = idnumber.parse(idnumber.build("120101", date(2000, 2, 29), 1))
    assert p.age_on(date(2016, 2, 28)) == 15
    assert p.age_on(date(2016, 2, 29)) == 16
    assert p.age_on(date(2017, 2, 28)) == 16


def test_masking_keeps_first_six_and_last_four():
    assert idnumber.mask("11010519491231002X") == "110105********002X"
    assert idnumber.mask("12345") == "*****"


def _rounded_passes(rounding):
    """An ID number that still passes its check after a spreadsheet rounded it (about one in eleven)."""
    for sequence in range(1000):
        number = build("120104", date(1980, 1, 1), sequence)
        if number.endswith("X"):
            continue
        damaged = rounding(int(number))
        if damaged != number and check_character(damaged[:17]) == damaged[17]:
            return number, damaged
    raise AssertionError("none found")


@pytest.mark.parametrize(
    "rounding",
    [lambda n: f"{float(f'{n:.15g}'):.0f}", lambda n: str(int(float(n)))],
    ids=["excel-15-digits", "nearest-double"],
)
def test_a_number_a_spreadsheet_rounded_is_refused_even_when_its_check_passes(rounding):
    number, damaged = _rounded_passes(rounding)
    assert parse(damaged).value == damaged  # as text it would pass: only the cell's type tells
    with pytest.raises(InvalidIdNumber) as exc:
        parse_cell(float(number), damaged)
    assert exc.value.code == "excel_number"


@pytest.mark.parametrize("text", ["1.20104198001011E+17", "1.20111196810233E+017", "1.2E17"])
def test_scientific_notation_is_what_excel_left_of_a_number(text):
    with pytest.raises(InvalidIdNumber) as exc:
        parse_cell(text, text)
    assert exc.value.code == "excel_number"


def test_a_zero_tailed_number_with_a_wrong_check_is_not_given_a_check_character_hint():
    number = next(n for s in range(1000) if (n := build("120104", date(1980, 1, 1), s))[-1] != "0")
    zeroed = number[:15] + "000"
    with pytest.raises(InvalidIdNumber) as exc:
        parse_cell(zeroed, zeroed)
    assert exc.value.code == "excel_number" and exc.value.expected == ""


def test_a_fifteen_digit_number_cell_is_exact_and_read():
    number = build("120104", date(1980, 1, 1), 123)
    old = number[:6] + number[8:17]
    assert parse_cell(int(old), old).value == number
    assert parse_cell(number, number).value == number
