"""Validating one row of a registry file (docs/rules.md, "Reading registry files").

Pure and fast: the importer calls it a million times. A row becomes a staged record, or a list of
problems (column key, reason code, message in Chinese); several problems of one row are all reported.
"""

from datetime import date
from operator import itemgetter

from django.utils.translation import gettext as _

from sitecert.lib import idnumber
from sitecert.lib.dates import parse_date
from sitecert.lib.tabular import Layout
from sitecert.lib.textnorm import clean, clean_name, lost_digits, name_problem
from sitecert.registry.models import LegacyStatus
from sitecert.registry.posts import PostResolver
from sitecert.uploads import id_excel_message

# Accepted header names for each field; the first is the one reports use when the file has none.
COLUMNS: dict[str, tuple[str, ...]] = {
    "certificate_no": ("证书编号", "certificate_no"),
    "name": ("姓名", "name"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "id_number"),
    "post": ("岗位", "post"),
    "specialty": ("专业", "specialty"),
    "issued_on": ("发证日期", "issued_on"),
    "issuer": ("发证机关", "发证单位", "issuer"),
    "status": ("证书状态", "状态", "status"),
}
OPTIONAL = {"specialty"}
REQUIRED = tuple(k for k in COLUMNS if k not in OPTIONAL)
_ISSUED = REQUIRED.index("issued_on")
_ID = REQUIRED.index("id_number")

STATUS_WORDS = {
    "有效": LegacyStatus.VALID.value,
    "无效": LegacyStatus.INVALID.value,
    "失效": LegacyStatus.INVALID.value,
    "过期": LegacyStatus.INVALID.value,
    "注销": LegacyStatus.CANCELLED.value,
    "已注销": LegacyStatus.CANCELLED.value,
    "作废": LegacyStatus.CANCELLED.value,
}
MIN_AGE = 16
MAX_LENGTH = {"certificate_no": 64, "issuer": 100}


def registry_layout(header: list[object]) -> Layout:
    return Layout.from_header(header, COLUMNS, OPTIONAL)


Problem = tuple[str, str, str]  # (field key, reason code, message)


class RowValidator:
    """Turns raw cells into (certificate_no, id_number, name, post_id, issued_on, issuer, status).

    Written for speed: one pass over the cells, and caches for the columns that repeat (dates, posts,
    issuers, statuses), since a registry file has a million rows but only thousands of distinct values.
    """

    def __init__(self, layout: Layout, today: date):
        self.layout = layout
        self.today = today
        self.posts = PostResolver()
        self.width = max(layout.index.values()) + 1
        self._pick = itemgetter(*(layout.index[k] for k in REQUIRED))
        self._specialty = layout.index.get("specialty")
        self._dates: dict[object, date | str] = {}

    def validate(self, row) -> tuple[tuple, list[Problem]]:
        if len(row) < self.width:
            row = (*row, *[None] * (self.width - len(row)))
        raw = self._pick(row)
        number, name, id_text, post, issued, issuer, status = cells = tuple(map(clean, raw))
        if not all(cells):
            return (), [
                (k, "required", self._empty(k)) for k, v in zip(REQUIRED, cells, strict=True) if not v
            ]
        problems: list[Problem] = []
        if len(number) > MAX_LENGTH["certificate_no"] or len(issuer) > MAX_LENGTH["issuer"]:
            problems += self._too_long(number, issuer)
        if type(raw[0]) is not str and lost_digits(raw[0]):
            problems.append(("certificate_no", "number_lost_digits", _number_message()))
        name = clean_name(name)
        if problem := name_problem(name):
            problems.append(_NAME_PROBLEMS[problem]())
        raw_issued = raw[_ISSUED]
        issued_on = self._issued_on(issued if type(raw_issued) is str else raw_issued, problems)
        id_number = self._id_number(raw[_ID], id_text, issued_on, problems)
        specialty = clean(row[self._specialty]) if self._specialty is not None else ""
        post_id = self._post(post, specialty, problems)
        status_value = STATUS_WORDS.get(status)
        if status_value is None:
            problems.append(("status", "status_unknown", _status_message(status)))
        if problems:
            return (), problems
        return (number, id_number, name, post_id, issued_on, issuer, status_value), problems

    def _too_long(self, number: str, issuer: str) -> list[Problem]:
        return [
            (key, "too_long", _("超过%(n)d个字符") % {"n": MAX_LENGTH[key]})
            for key, value in (("certificate_no", number), ("issuer", issuer))
            if len(value) > MAX_LENGTH[key]
        ]

    def _empty(self, key: str) -> str:
        return _("%(column)s为空") % {"column": self.layout.column(key)}

    def _issued_on(self, key: object, problems: list[Problem]) -> date | None:
        result = self._dates.get(key)
        if result is None:
            try:
                day = parse_date(key)
                result = day if day <= self.today else "date_future"
            except ValueError:
                result = "date_format"
            self._dates[key] = result
        if result == "date_format":
            problems.append(("issued_on", "date_format", _("发证日期“%(value)s”无法识别") % {"value": key}))
        elif result == "date_future":
            problems.append(("issued_on", "date_future", _("发证日期晚于导入当日")))
        return result if isinstance(result, date) else None

    def _id_number(self, value: object, text: str, issued_on: date | None, problems: list[Problem]) -> str:
        try:
            parsed = idnumber.parse_cell(value, text)
        except idnumber.InvalidIdNumber as exc:
            problems.append(("id_number", f"id_{exc.code}", _id_message(exc)))
            return ""
        if issued_on and parsed.age_on(issued_on) < MIN_AGE:
            problems.append(
                ("id_number", "id_too_young", _("发证日持证人未满%(age)d周岁") % {"age": MIN_AGE})
            )
        return parsed.value

    def _post(self, post: str, specialty: str, problems: list[Problem]) -> int | None:
        result = self.posts.resolve(post, specialty)
        if isinstance(result, int):
            return result
        messages = {
            "post_unknown": _("未知岗位“%(post)s”"),
            "post_specialty_missing": _("%(post)s须注明专业（土建、装饰、安装或市政）"),
            "post_specialty_unknown": _("%(post)s的专业“%(specialty)s”无法识别"),
        }
        problems.append(("post", result, messages[result] % {"post": post, "specialty": specialty}))
        return None


_NAME_PROBLEMS = {
    "length": lambda: ("name", "name_length", _("姓名应为2至40个字符")),
    "digits": lambda: ("name", "name_digits", _("姓名不能包含数字")),
}


def _status_message(word: str) -> str:
    return _("证书状态“%(value)s”无法识别（应为有效、无效、失效、过期、注销、已注销或作废）") % {
        "value": word
    }


def _number_message() -> str:
    return _("证书编号被 Excel 存成了数字，后几位已丢失，请把该列设为文本后重新导出")


def _id_message(exc: idnumber.InvalidIdNumber) -> str:
    if exc.code == "excel_number":
        return id_excel_message()
    if exc.code == "check":
        return _("身份证号校验位错误，应为%(expected)s") % {"expected": exc.expected}
    if exc.code == "birth_date":
        return _("身份证号中的出生日期不是真实日期")
    return _("身份证号应为18位（17位数字和1位校验位）或15位数字")
