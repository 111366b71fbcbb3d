"""`sitecert import-registry` as the authority runs it: a real process, exit codes, a kill mid-way."""

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connection

from sitecert.registry import demo
from sitecert.registry.models import ImportBatch, LegacyCertificate
from tests.conftest import write_table
from tests.registry.helpers import HEADER, import_rows, row

SITECERT = [sys.executable, "-m", "sitecert.cli"]


def database_url() -> str:
    """The URL of the database the tests use, for a subprocess to work on the same one."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


def run_cli(*args, **kw):
    env = {**os.environ, "DATABASE_URL": database_url()}
    return subprocess.Popen(
        [*SITECERT, *map(str, args)], env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw
    )


def fingerprint() -> str:
    """Everything the registry and people tables hold, hashed."""
    digest = hashlib.sha256()
    tables = [
        "registry_person",
        "registry_legacycertificate",
        "registry_legacycertificatechange",
        "registry_importbatch",
        "registry_importrejection",
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")
            digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


@pytest.mark.django_db
def test_the_last_line_of_output_is_the_json_counts(tmp_path, person, capsys):
    path = write_table(
        tmp_path / "r", HEADER, [row("TJ01", person()), row("TJ02", person(), status="?")], "csv-gb18030"
    )
    report = tmp_path / "report.csv"
    call_command("import_registry", str(path), "--report", str(report), "--as-of", "2020-08-01")
    lines = capsys.readouterr().out.strip().splitlines()
    assert json.loads(lines[-1]) == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "duplicate": 0,
        "rejected": 1,
    }
    assert report.read_bytes().startswith(b"\xef\xbb\xbf") and "3,证书状态" in report.read_text("utf-8-sig")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "证书编号,姓名,身份证号\nTJ01,张伟,x\n".encode("gb18030"),
            "缺少必需的列：岗位、发证日期、发证机关、证书状态",
        ),
        ("证书编号,姓名\n".encode("utf-32"), "无法识别文件编码"),
        (b"\x00\x01binary\x00", "二进制内容"),
        (
            (",".join(HEADER) + "\n" + '"TJ01,' + "x" * 200_000 + "\n").encode(),
            "CSV 格式错误：第 2 行附近有未闭合的引号或超长字段",
        ),
        ("证书编号,姓名\n".encode("gb18030") + b"\x81\x20\xff", "无法识别文件编码"),
        (b"PK\x03\x04 not really a workbook", "无法读取 Excel 文件"),
        (b"", "文件为空"),
    ],
)
def test_a_refused_file_exits_2_with_a_clear_message_and_writes_nothing(
    tmp_path, content, message, person, post_catalogue
):
    import_rows(tmp_path, [row("TJ01", person())])
    before = fingerprint()
    name = "bad.xlsx" if content.startswith(b"PK") else "bad.csv"
    (tmp_path / name).write_bytes(content)
    proc = run_cli("import-registry", tmp_path / name)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err
    assert message in err
    assert fingerprint() == before


@pytest.mark.django_db(transaction=True)
def test_a_report_that_cannot_be_written_is_refused_before_anything_is_read(tmp_path, person, post_catalogue):
    """The command runs as the service user: a report path it cannot write was a traceback, not a refusal."""
    good = write_table(tmp_path / "good", HEADER, [row("TJ02", person())], "csv-utf8")
    before = fingerprint()
    proc = run_cli("import-registry", good, "--report", tmp_path / "no-such-folder" / "rejected.csv")
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "cannot open" in err and "rejected.csv" in err and "Traceback" not in err
    assert fingerprint() == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("phase", ["已读取", "正在写入"])
def test_a_process_killed_mid_import_leaves_the_database_exactly_as_before(tmp_path, phase, post_catalogue):
    import_rows(tmp_path, list(demo.registry_rows(300, seed=1)), name="earlier")
    before = fingerprint()
    big = write_table(tmp_path / "big", demo.HEADER, demo.registry_rows(120_000, seed=2), "csv-utf8")
    proc = run_cli("import-registry", big)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith(phase):
            break
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL and "{" not in out, (
        "".join(seen) + err
    )  # killed before it finished
    connection.close()  # a fresh connection, as the next process would have
    assert fingerprint() == before
    assert LegacyCertificate.objects.count() == ImportBatch.objects.get().created


def test_the_console_script_runs_django_commands():
    script = Path(sys.executable).parent / "sitecert"  # installed by `pip install -e .`
    result = subprocess.run([script, "help", "import-registry"], capture_output=True, text=True, check=True)
    assert "--dry-run" in result.stdout and "--report" in result.stdout
