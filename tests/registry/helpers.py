from pathlib import Path

from sitecert.registry.importing import registry_import
from tests.conftest import NOW, TODAY, write_table

HEADER = ("证书编号", "姓名", "身份证号", "岗位", "专业", "发证日期", "发证机关", "证书状态")
ISSUER = "天津市住房和城乡建设委员会"


def row(number, person, post="安全员", issued="2015-03-06", status="有效", specialty="", issuer=ISSUER):
    name, id_number = person
    return (number, name, id_number, post, specialty, issued, issuer, status)


def import_rows(tmp_path: Path, rows, kind="csv-utf8", header=HEADER, name="registry", **kw):
    path = write_table(tmp_path / name, header, rows, kind)
    kw.setdefault("today", TODAY)
    kw.setdefault("now", NOW)
    return registry_import(path=path, **kw)
