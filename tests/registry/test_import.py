"""The registry import (docs/rules.md, "Reading registry files"), in every file kind."""

import io
from datetime import date, datetime

import pytest

from sitecert.lib.idnumber import build, check_character
from sitecert.registry import demo
from sitecert.registry.importing import batch_rejections
from sitecert.registry.models import ImportBatch, LegacyCertificate, LegacyCertificateChange, Person
from sitecert.uploads import FileRefused, report_write
from tests.registry.helpers import HEADER, ISSUER, import_rows, row

pytestmark = pytest.mark.django_db


def rejections(result):
    return [(r, col, code) for r, col, code, _ in batch_rejections(result.batch)]


def test_it_imports_a_realistic_registry_in_every_file_kind(tmp_path, file_kind):
    rows = list(demo.registry_rows(200, seed=7))
    result = import_rows(tmp_path, rows, file_kind)
    assert result.counts == {
        "created": len(rows),
        "updated": 0,
        "unchanged": 0,
        "duplicate": 0,
        "rejected": 0,
    }
    assert LegacyCertificate.objects.count() == len(rows)
    assert Person.objects.count() == len({r[2] for r in rows})
    sample = LegacyCertificate.objects.select_related("holder", "post").get(certificate_no=rows[0][0])
    assert (sample.holder.name, sample.holder.id_number) == (rows[0][1], rows[0][2])
    assert sample.issuer == rows[0][6]


def test_it_reads_cells_through_nfkc_and_trims_ideographic_spaces(tmp_path, person, file_kind):
    name, id_number = person()
    wide_id = id_number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    rows = [
        (
            "\u3000ＴＪ２０１５０００１ ",
            f" {name[0]} {name[1:]}\u3000",
            wide_id,
            "安全员",
            "",
            "２０１５－０３－０６",
            ISSUER,
            " 有效 ",
        )
    ]
    result = import_rows(tmp_path, rows, file_kind)
    assert result.counts["created"] == 1
    cert = LegacyCertificate.objects.select_related("holder").get()
    assert (cert.certificate_no, cert.holder.name, cert.holder.id_number) == ("TJ20150001", name, id_number)
    assert cert.issued_on == date(2015, 3, 6) and cert.status == "valid"


@pytest.mark.parametrize(
    "header",
    [
        ("证书编号", "姓名", "身份证号码", "岗位", "专业", "发证日期", "发证单位", "状态"),
        ("证书编号", "姓名", "证件号码", "岗位", "专业", "发证日期", "发证机关", "证书状态"),
        ("certificate_no", "name", "id_number", "post", "specialty", "issued_on", "issuer", "status"),
    ],
)
def test_it_accepts_every_header_spelling_and_ignores_other_columns(tmp_path, person, header):
    rows = [(*row("TJ01", person()), "备注不相关")]
    result = import_rows(tmp_path, rows, header=(*header, "备注"))
    assert result.counts["created"] == 1


@pytest.mark.parametrize("drop", ["证书编号", "姓名", "身份证号", "岗位", "发证日期", "发证机关", "证书状态"])
def test_a_missing_required_column_refuses_the_whole_file(tmp_path, person, drop):
    keep = [i for i, h in enumerate(HEADER) if h != drop]
    rows = [tuple(row("TJ01", person())[i] for i in keep)]
    with pytest.raises(FileRefused) as refused:
        import_rows(tmp_path, rows, header=[HEADER[i] for i in keep])
    assert refused.value.code == "columns" and drop in refused.value.message
    assert not ImportBatch.objects.exists() and not LegacyCertificate.objects.exists()


def test_the_specialty_column_is_optional(tmp_path, person):
    header = [h for h in HEADER if h != "专业"]
    rows = [tuple(c for i, c in enumerate(row("TJ01", person(), post="施工员(土建)")) if i != 4)]
    assert import_rows(tmp_path, rows, header=header).counts["created"] == 1


@pytest.mark.parametrize(
    ("post", "specialty", "code"),
    [
        ("施工员（土建施工）", "", "builder-civil"),
        ("施工员(土建)", "", "builder-civil"),
        ("施工员-土建", "", "builder-civil"),
        ("土建施工员", "", "builder-civil"),
        ("施工员", "装饰", "builder-decoration"),
        ("施工员", "设备", "builder-mep"),
        ("质量员", "安装", "quality-mep"),
        ("质量员（市政工程）", "", "quality-municipal"),
        ("市政质量员", "", "quality-municipal"),
        ("安全员", "土建", "safety"),  # a specialty for a post without specialties is ignored
        ("资料员", "", "records"),
    ],
)
def test_it_recognises_posts_and_specialties_in_their_short_forms(tmp_path, person, post, specialty, code):
    result = import_rows(tmp_path, [row("TJ01", person(), post=post, specialty=specialty)])
    assert result.counts["created"] == 1
    assert LegacyCertificate.objects.get().post.code == code


@pytest.mark.parametrize(
    ("post", "specialty", "code"),
    [
        ("施工员", "", "post_specialty_missing"),
        ("质量员", "消防", "post_specialty_unknown"),
        ("测量员", "", "post_unknown"),
    ],
)
def test_a_post_without_its_specialty_or_unknown_is_rejected(tmp_path, person, post, specialty, code):
    result = import_rows(tmp_path, [row("TJ01", person(), post=post, specialty=specialty)])
    assert rejections(result) == [(2, "岗位", code)]
    assert not LegacyCertificate.objects.exists()


@pytest.mark.parametrize(
    "text",
    ["2015-03-06", "2015/3/6", "2015.3.6", "2015年3月6日", "2015年03月06日", "20150306", "42069", "42069.0"],
)
def test_it_reads_every_date_form(tmp_path, person, text):
    import_rows(tmp_path, [row("TJ01", person(), issued=text)])
    assert LegacyCertificate.objects.get().issued_on == date(2015, 3, 6)


@pytest.mark.parametrize("cell", [datetime(2015, 3, 6), date(2015, 3, 6), 42069, 42069.0])
def test_it_reads_excel_date_cells_and_serial_numbers(tmp_path, person, cell):
    import_rows(tmp_path, [row("TJ01", person(), issued=cell)], "xlsx")
    assert LegacyCertificate.objects.get().issued_on == date(2015, 3, 6)


def test_a_certificate_number_typed_as_an_excel_number_loses_nothing(tmp_path, person):
    import_rows(tmp_path, [row(1220150100001, person())], "xlsx")
    assert LegacyCertificate.objects.get().certificate_no == "1220150100001"


@pytest.mark.parametrize(
    ("issued", "code"),
    [
        ("2015-02-30", "date_format"),
        ("去年", "date_format"),
        ("2015-13-01", "date_format"),
        ("2020-08-02", "date_future"),
    ],
)
def test_an_unreal_or_future_issue_date_is_rejected(tmp_path, person, issued, code):
    result = import_rows(tmp_path, [row("TJ01", person(), issued=issued)])
    assert rejections(result) == [(2, "发证日期", code)]


def test_the_rejection_names_the_column_as_the_file_spells_it(tmp_path, person):
    header = ("证书编号", "姓名", "证件号码", "岗位", "专业", "发证日期", "发证单位", "状态")
    name, number = person()
    result = import_rows(tmp_path, [row("TJ01", (name, number[:-1] + "Z"), status="待定")], header=header)
    assert sorted(rejections(result)) == [(2, "状态", "status_unknown"), (2, "证件号码", "id_format")]


def test_id_numbers_are_checked_by_gb11643(tmp_path, person):
    name, good = person(born=date(1990, 5, 17))
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    first17 = "12010119900230123"  # 30 February
    rows = [
        row("TJ01", (name, good)),
        row("TJ02", ("李四", wrong_check)),
        row("TJ03", ("王五", build("120101", date(1990, 1, 1), 7)[:-1])),
        row("TJ04", ("赵六", first17 + check_character(first17))),  # check right, date not
    ]
    result = import_rows(tmp_path, rows)
    assert rejections(result) == [
        (3, "身份证号", "id_check"),
        (4, "身份证号", "id_format"),
        (5, "身份证号", "id_birth_date"),
    ]
    assert result.counts["created"] == 1


def test_a_lower_case_x_is_read_as_upper_case(tmp_path, rng):
    number = next(n for n in (demo.id_number(rng) for _ in range(200)) if n.endswith("X"))
    import_rows(tmp_path, [row("TJ01", ("张伟", number.lower()))])
    assert Person.objects.get().id_number == number


def test_a_15_digit_number_is_converted_to_18_digits(tmp_path):
    old = "120104850317123"
    import_rows(tmp_path, [row("TJ01", ("刘洋", old))])
    stored = Person.objects.get().id_number
    assert stored[:17] == "12010419850317123" and stored == build("120104", date(1985, 3, 17), 123)


def test_the_holder_must_be_sixteen_on_the_issue_date(tmp_path, person):
    name, number = person(born=date(1999, 3, 7))
    result = import_rows(
        tmp_path,
        [row("TJ01", (name, number), issued="2015-03-06"), row("TJ02", (name, number), issued="2015-03-07")],
    )
    assert rejections(result) == [(2, "身份证号", "id_too_young")]
    assert LegacyCertificate.objects.get().certificate_no == "TJ02"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("阿卜杜拉•艾买提", "阿卜杜拉·艾买提"),
        ("买买提・吐尔逊", "买买提·吐尔逊"),
        ("古丽･热合曼", "古丽·热合曼"),
        ("艾尔肯‧阿不都", "艾尔肯·阿不都"),
        ("热依拉．买买提", "热依拉·买买提"),
        ("欧阳 娜 娜", "欧阳娜娜"),
    ],
)
def test_names_lose_inner_spaces_and_use_one_middle_dot(tmp_path, person, raw, stored):
    import_rows(tmp_path, [row("TJ01", (raw, person()[1]))])
    assert Person.objects.get().name == stored


@pytest.mark.parametrize(
    ("name", "code"),
    [("张", "name_length"), ("张" * 41, "name_length"), ("王5", "name_digits"), ("李伟３", "name_digits")],
)
def test_names_need_two_to_forty_characters_and_no_digits(tmp_path, person, name, code):
    result = import_rows(tmp_path, [row("TJ01", (name, person()[1]))])
    assert rejections(result) == [(2, "姓名", code)]


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("有效", "valid"),
        ("无效", "invalid"),
        ("失效", "invalid"),
        ("过期", "invalid"),
        ("注销", "cancelled"),
        ("已注销", "cancelled"),
        ("作废", "cancelled"),
    ],
)
def test_status_words(tmp_path, person, word, status):
    import_rows(tmp_path, [row("TJ01", person(), status=word)])
    assert LegacyCertificate.objects.get().status == status


def test_empty_required_cells_are_each_reported(tmp_path, person):
    name, number = person()
    result = import_rows(tmp_path, [("TJ01", name, number, "", "", "", ISSUER, "有效")])
    assert sorted(rejections(result)) == [(2, "发证日期", "required"), (2, "岗位", "required")]
    assert result.counts["rejected"] == 1


def test_blank_lines_are_skipped_and_row_numbers_stay_those_of_the_file(tmp_path, person, file_kind):
    rows = [row("TJ01", person()), ("",) * 8, row("TJ03", person(), status="?")]
    result = import_rows(tmp_path, rows, file_kind)
    assert rejections(result) == [(4, "证书状态", "status_unknown")]


def test_identical_repeats_count_once_and_differing_repeats_are_all_rejected(tmp_path, person):
    a, b = person(), person()
    rows = [
        row("TJ01", a),
        row("TJ01", a),
        row("TJ01", (a[0], a[1].lower())),  # the same after normalisation
        row("TJ02", b, status="有效"),
        row("TJ02", b, status="注销"),
    ]
    result = import_rows(tmp_path, rows)
    assert result.counts == {"created": 1, "updated": 0, "unchanged": 0, "duplicate": 2, "rejected": 2}
    assert rejections(result) == [(5, "证书编号", "conflict"), (6, "证书编号", "conflict")]
    assert list(LegacyCertificate.objects.values_list("certificate_no", flat=True)) == ["TJ01"]


def test_an_id_number_with_two_names_in_the_file_rejects_those_rows(tmp_path, person):
    name, number = person()
    rows = [
        row("TJ01", (name, number)),
        row("TJ02", ("另一人", number), post="材料员"),
        row("TJ03", person()),
    ]
    result = import_rows(tmp_path, rows)
    assert rejections(result) == [(2, "姓名", "id_name_conflict"), (3, "姓名", "id_name_conflict")]
    assert result.counts["created"] == 1


def test_an_id_number_stored_under_another_name_rejects_the_row(tmp_path, person):
    name, number = person()
    import_rows(tmp_path, [row("TJ01", (name, number))], name="first")
    result = import_rows(tmp_path, [row("TJ02", ("别的名字", number), post="材料员")], name="second")
    assert rejections(result) == [(2, "姓名", "id_name_mismatch")]
    assert Person.objects.get().name == name


def test_re_importing_the_same_file_changes_nothing(tmp_path, file_kind):
    rows = list(demo.registry_rows(50, seed=3))
    import_rows(tmp_path, rows, file_kind)
    before = list(LegacyCertificate.objects.order_by("pk").values())
    again = import_rows(tmp_path, rows, file_kind)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": len(rows), "duplicate": 0, "rejected": 0}
    assert list(LegacyCertificate.objects.order_by("pk").values()) == before
    assert not LegacyCertificateChange.objects.exists()


def test_a_changed_row_updates_the_certificate_and_keeps_the_previous_values(tmp_path, person):
    p = person()
    import_rows(tmp_path, [row("TJ01", p), row("TJ02", p, post="材料员")], name="v1")
    result = import_rows(
        tmp_path,
        [row("TJ01", p, status="注销", issuer="天津市城乡建设委员会"), row("TJ02", p, post="材料员")],
        name="v2",
    )
    assert result.counts == {"created": 0, "updated": 1, "unchanged": 1, "duplicate": 0, "rejected": 0}
    cert = LegacyCertificate.objects.get(certificate_no="TJ01")
    assert (cert.status, cert.issuer, cert.last_batch) == ("cancelled", "天津市城乡建设委员会", result.batch)
    change = cert.changes.get()
    assert (change.status, change.issuer, change.batch) == ("valid", ISSUER, result.batch)


def test_a_dry_run_counts_and_reports_but_writes_nothing(tmp_path, person):
    out = io.StringIO()
    result = import_rows(
        tmp_path, [row("TJ01", person()), row("TJ02", person(), status="?")], dry_run=True, report=out
    )
    assert result.counts["created"] == 1 and result.counts["rejected"] == 1
    assert (
        not ImportBatch.objects.exists()
        and not LegacyCertificate.objects.exists()
        and not Person.objects.exists()
    )
    assert "3,证书状态,status_unknown" in out.getvalue()


def test_the_batch_records_the_file_and_its_counts(tmp_path, person, django_user_model):
    clerk = django_user_model.objects.create_user("authority-clerk")
    result = import_rows(
        tmp_path, [row("TJ01", person()), row("TJ02", person(), status="?")], imported_by=clerk
    )
    batch = ImportBatch.objects.get()
    assert (batch.file_name, batch.imported_by, batch.total) == ("registry.csv", clerk, 2)
    assert len(batch.sha256) == 64 and batch.finished_at >= batch.started_at
    assert batch.counts() == result.counts


def test_the_report_has_a_bom_row_numbers_columns_codes_and_chinese_messages(tmp_path, person):
    result = import_rows(tmp_path, [row("TJ01", person(), post="施工员")])
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
    report_write(batch_rejections(result.batch), text)
    text.flush()
    data = buffer.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "行号,列,原因代码,说明"
    assert lines[1].startswith("2,岗位,post_specialty_missing,施工员须注明专业")
