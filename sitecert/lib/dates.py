"""The date forms registry files use (docs/rules.md, "Reading registry files", issue date)."""

import re
from datetime import date, datetime, timedelta

# Tianjin's time, the notice's and every date sitecert states: settings.TIME_ZONE, and gunicorn's log lines.
LOCAL_ZONE = "Asia/Shanghai"

_SEPARATED = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"(\d{1,5})(?:\.0+)?")
# A date written with a midnight time, as a date-time column prints it: "2013-01-17 00:00:00", "2018/9/21 0:00".
_MIDNIGHT = re.compile(r"(.+?)(?:\s+|T)0?0:00(?::00(?:\.0+)?)?")
_COMPACT_NUMBER = (19000101, 29991231)  # a YYYYMMDD typed into a number cell, not a serial
_EXCEL_EPOCH = date(1899, 12, 30)  # the 1900 system, with Lotus's phantom 1900-02-29 absorbed
_SERIAL_MIN = 61  # serials below 1900-03-01 are ambiguous (the phantom leap day); none are real issue dates


def from_excel_serial(serial: float) -> date:
    if not _SERIAL_MIN <= serial < 2958466:
        raise ValueError("serial out of range")
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def parse_date(value: object) -> date:
    """A date from a cell: a date/datetime, an Excel serial number, a YYYYMMDD number, or text in an
    accepted form (with a midnight time after it or not).

    Raises ValueError when the value is not a real date in one of those forms.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _COMPACT_NUMBER[0] <= value <= _COMPACT_NUMBER[1] and float(value).is_integer():
            value = str(int(value))
        else:
            return from_excel_serial(value)
    text = str(value)
    if m := _MIDNIGHT.fullmatch(text):
        text = m[1]
    if m := _SEPARATED.fullmatch(text) or _COMPACT.fullmatch(text):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := _SERIAL.fullmatch(text):
        return from_excel_serial(int(m[1]))
    raise ValueError("unrecognised date")
