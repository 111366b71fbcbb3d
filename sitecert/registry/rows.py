"""Validating one row of a registry file (DOMAIN.md, "Reading registry files").

Pure and fast: the importer calls it a million times. A row becomes a staged record, or a list of
problems (column key, reason code, message in Chinese); several problems of one row are all reported.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from sitecert.lib import idnumber
from sitecert.lib.dates import parse_date
from sitecert.lib.textnorm import clean, clean_name, name_problem
from sitecert.registry.models import LegacyStatus
from sitecert.registry.posts import PostResolver

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

STATUS_WORDS = {
    "有效": LegacyStatus.VALID,
    "无效": LegacyStatus.INVALID,
    "失效": LegacyStatus.INVALID,
    "过期": LegacyStatus.INVALID,
    "注销": LegacyStatus.CANCELLED,
    "已注销": LegacyStatus.CANCELLED,
    "作废": LegacyStatus.CANCELLED,
}
MIN_AGE = 16
MAX_LENGTH = {"certificate_no": 64, "issuer": 100}


class MissingColumns(ValueError):
    def __init__(self, missing: list[str]):
        super().__init__(missing)
        self.missing = missing


@dataclass
class Layout:
    """Where each field stands in the file's rows, and what the file calls it."""

    index: dict[str, int]
    label: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_header(cls, header: list[object]) -> "Layout":
        names = [clean(h).lower() for h in header]
        index, label = {}, {}
        for key, accepted in COLUMNS.items():
            for position, name in enumerate(names):
                if name in accepted:
                    index[key], label[key] = position, clean(header[position])
                    break
        missing = [COLUMNS[k][0] for k in COLUMNS if k not in index and k not in OPTIONAL]
        if missing:
            raise MissingColumns(missing)
        return cls(index, label)

    def column(self, key: str) -> str:
        return self.label.get(key, COLUMNS[key][0])


Problem = tuple[str, str, str]  # (field key, reason code, message)


class RowValidator:
    """Turns raw cells into (certificate_no, id_number, name, post_id, issued_on, issuer, status)."""

    def __init__(self, layout: Layout, today: date):
        self.layout = layout
        self.today = today
        self.posts = PostResolver()
        self._dates: dict[object, date | str] = {}

    def cell(self, row: tuple, key: str) -> object:
        i = self.layout.index.get(key)
        if i is None or i >= len(row):
            return None
        return row[i]

    def text(self, row: tuple, key: str) -> str:
        value = self.cell(row, key)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a number typed into Excel comes back as 123.0
        return clean(value)

    def validate(self, row: tuple) -> tuple[tuple, list[Problem]]:
        problems: list[Problem] = []
        for key in ("certificate_no", "name", "id_number", "post", "issued_on", "issuer", "status"):
            if self.cell(row, key) in (None, "") or not self.text(row, key):
                problems.append((key, "required", _("%(column)s为空") % {"column": self.layout.column(key)}))
        if problems:
            return (), problems
        number = self.text(row, "certificate_no")
        issuer = self.text(row, "issuer")
        for key, value in (("certificate_no", number), ("issuer", issuer)):
            if len(value) > MAX_LENGTH[key]:
                problems.append((key, "too_long", _("超过%(n)d个字符") % {"n": MAX_LENGTH[key]}))
        name = clean_name(self.cell(row, "name"))
        problems += self._name(name)
        issued_on = self._issued_on(row, problems)
        id_number = self._id_number(row, issued_on, problems)
        post_id = self._post(row, problems)
        status = self._status(row, problems)
        if problems:
            return (), problems
        return (number, id_number, name, post_id, issued_on, issuer, status), problems

    def _name(self, name: str) -> list[Problem]:
        problem = name_problem(name)
        if problem == "length":
            return [("name", "name_length", _("姓名应为2至40个字符"))]
        if problem == "digits":
            return [("name", "name_digits", _("姓名不能包含数字"))]
        return []

    def _issued_on(self, row: tuple, problems: list[Problem]) -> date | None:
        raw = self.cell(row, "issued_on")
        key = raw if not isinstance(raw, str) else clean(raw)
        if key not in self._dates:
            try:
                day = parse_date(key)
                self._dates[key] = day if day <= self.today else "date_future"
            except ValueError:
                self._dates[key] = "date_format"
        result = self._dates[key]
        if result == "date_format":
            problems.append(("issued_on", "date_format", _("发证日期“%(value)s”无法识别") % {"value": key}))
        elif result == "date_future":
            problems.append(("issued_on", "date_future", _("发证日期晚于导入当日")))
        return result if isinstance(result, date) else None

    def _id_number(self, row: tuple, issued_on: date | None, problems: list[Problem]) -> str:
        try:
            parsed = idnumber.parse(self.text(row, "id_number"))
        except idnumber.InvalidIdNumber as exc:
            problems.append(("id_number", f"id_{exc.code}", _id_message(exc)))
            return ""
        if issued_on and parsed.age_on(issued_on) < MIN_AGE:
            problems.append(
                ("id_number", "id_too_young", _("发证日持证人未满%(age)d周岁") % {"age": MIN_AGE})
            )
        return parsed.value

    def _post(self, row: tuple, problems: list[Problem]) -> int | None:
        post, specialty = self.text(row, "post"), self.text(row, "specialty")
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

    def _status(self, row: tuple, problems: list[Problem]) -> str:
        word = self.text(row, "status")
        status = STATUS_WORDS.get(word)
        if status is None:
            problems.append(
                (
                    "status",
                    "status_unknown",
                    _("证书状态“%(value)s”无法识别（应为有效、无效、失效、过期、注销、已注销或作废）")
                    % {"value": word},
                )
            )
            return ""
        return status.value


def _id_message(exc: idnumber.InvalidIdNumber) -> str:
    if exc.code == "check":
        return _("身份证号校验位错误，应为%(expected)s") % {"expected": exc.expected}
    if exc.code == "birth_date":
        return _("身份证号中的出生日期不是真实日期")
    return _("身份证号应为18位（17位数字和1位校验位）或15位数字")
