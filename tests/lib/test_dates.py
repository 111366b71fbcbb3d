from datetime import date, datetime

import pytest

from sitecert.lib.dates import from_excel_serial, parse_date

D = date(2012, 1, 5)


@pytest.mark.parametrize(
    "value",
    [
        "2012-01-05",
        "2012-1-5",
        "2012/1/5",
        "2012/01/05",
        "2012.1.5",
        "2012年1月5日",
        "2012年01月05日",
        "20120105",
        "40913",
        "40913.0",
        40913,
        40913.0,
        D,
        datetime(2012, 1, 5, 8, 30),
    ],
)
def test_every_accepted_form(value):
    assert parse_date(value) == D


@pytest.mark.parametrize(
    "value",
    ["2012-02-30", "2012-13-01", "20121301", "2012年1月", "一月五日", "", "12/1/5", "5", 0, 59, 3_000_000],
)
def test_rejected_forms(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_excel_serials_follow_the_1900_system():
    assert from_excel_serial(61) == date(1900, 3, 1)
    assert from_excel_serial(44197) == date(2021, 1, 1)
