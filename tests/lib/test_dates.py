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


@pytest.mark.parametrize(
    ("value", "day"),
    [
        (20140504, date(2014, 5, 4)),  # YYYYMMDD typed into a number cell
        (20140504.0, date(2014, 5, 4)),
        ("2013-01-17 00:00:00", date(2013, 1, 17)),
        ("2018/9/21 0:00", date(2018, 9, 21)),
        ("2018/9/21 00:00:00", date(2018, 9, 21)),
        ("2013-01-17T00:00:00", date(2013, 1, 17)),
    ],
)
def test_forms_office_files_use(value, day):
    assert parse_date(value) == day


@pytest.mark.parametrize("value", ["2018/9/21 8:30", 20141332, "2013-01-17 00:00:01"])
def test_a_time_other_than_midnight_or_a_false_compact_number_is_not_a_date(value):
    with pytest.raises(ValueError):
        parse_date(value)
