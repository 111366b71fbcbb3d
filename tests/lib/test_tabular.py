import pytest

from sitecert.lib.tabular import Limits, MissingColumns, UnreadableFile, open_table
from sitecert.lib.textnorm import fix_text, header_key

HEADER = "证书编号,姓名\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings_are_recognised(tmp_path, encoding):
    path = tmp_path / "r.csv"
    path.write_bytes((HEADER + "TJ01,欧阳娜娜\n").encode(encoding))
    table = open_table(path)
    assert table.header == ["证书编号", "姓名"]
    assert [(n, tuple(cells)) for n, cells in table.rows] == [(2, ("TJ01", "欧阳娜娜"))]


def test_the_encoding_is_decided_by_the_whole_file(tmp_path):
    ascii_start = "".join(f"TJ{i:06d},AB\n" for i in range(200_000))  # several megabytes of ASCII
    path = tmp_path / "r.csv"
    path.write_bytes(("certificate_no,name\n" + ascii_start + "TJ999,张伟\n").encode("gb18030"))
    rows = list(open_table(path).rows)
    assert rows[-1][0] == 200_002 and tuple(rows[-1][1]) == ("TJ999", "张伟")


def test_quoted_line_breaks_keep_record_numbers(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(HEADER + '"TJ\n01",王伟\nTJ02,李娜\n', encoding="utf-8")
    assert [n for n, _ in open_table(path).rows] == [2, 3]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("r.xls", b"\xd0\xcf\x11\xe0", "type"),
        ("r.csv", HEADER.encode("utf-32"), "encoding"),
        ("r.csv", b"\x81\x20\xff\xfe", "encoding"),
        ("r.csv", b"a,b\n\x00\x00", "binary"),
        ("r.csv", b"", "empty"),
        ("r.xlsx", b"not a zip", "corrupt"),
    ],
)
def test_unreadable_files(tmp_path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as exc:
        open_table(path)
    assert exc.value.code == code


def test_the_digest_is_the_files_sha256(tmp_path):
    import hashlib

    path = tmp_path / "r.csv"
    path.write_bytes(HEADER.encode())
    assert open_table(path).sha256 == hashlib.sha256(HEADER.encode()).hexdigest()


# -- issue 14: files as offices make them -------------------------------------------------------------

COLUMNS = {"number": ("证书编号",), "name": ("姓名",), "id": ("身份证号", "身份证号码")}


@pytest.mark.parametrize("header", ["姓  名", "姓\n名", " 姓名 ", "*姓名", "姓名(必填)", "姓名（必填）"])
def test_headers_are_matched_as_people_write_them(header):
    assert header_key(header) == "姓名"


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("'120104198001011234", "120104198001011234"),
        ('="120104198001011234"', "120104198001011234"),
        ("`120104198001011234", "120104198001011234"),
        ("120104198001011234_x000D_\n", "120104198001011234"),
        ("天津市住房和城乡建设\r\n委员会", "天津市住房和城乡建设委员会"),
        ("A_x005F_x000D_B", "A_x000D_B"),  # an escaped escape is literal text
        ("王芳", "王芳"),
    ],
)
def test_export_prefixes_line_breaks_and_ooxml_escapes_are_taken_off(text, fixed):
    assert fix_text(text) == fixed


@pytest.mark.parametrize(
    ("content", "encoding", "header_row"),
    [
        ("证书编号;姓名;身份证号\nTJ01;王伟;'1201\n", "utf-8", 1),
        ("证书编号\t姓名\t身份证号\nTJ01\t王伟\t'1201\n", "utf-16", 1),
        ("天津市证书台账,,\n,,\n证书编号,姓名,身份证号码\nTJ01,王伟,'1201\n", "gb18030", 3),
    ],
)
def test_the_header_is_found_whatever_the_delimiter_encoding_or_title_rows(
    tmp_path, content, encoding, header_row
):
    path = tmp_path / "r.csv"
    path.write_bytes(content.encode(encoding))
    table = open_table(path, columns=COLUMNS)
    assert table.header_row == header_row and table.layout.index == {"number": 0, "name": 1, "id": 2}
    assert [(n, list(cells)) for n, cells in table.rows] == [(header_row + 1, ["TJ01", "王伟", "1201"])]


def test_a_header_with_a_column_missing_is_named_with_its_row(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("台账\n证书编号,姓名,证号\n", encoding="utf-8")
    with pytest.raises(MissingColumns) as exc:
        open_table(path, columns=COLUMNS)
    assert exc.value.missing == ["身份证号"] and exc.value.row == 1


def test_totals_and_signature_rows_are_skipped_with_a_note(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("证书编号,姓名,身份证号\nTJ01,王伟,1\n合计,1人,\n制表人：张三,,\n", encoding="utf-8")
    table = open_table(path, columns=COLUMNS)
    assert [n for n, _ in table.rows] == [2]
    assert table.notes == ["第3行是合计或表尾说明，已跳过", "第4行是合计或表尾说明，已跳过"]


def test_a_merged_range_gives_its_value_to_every_row_it_covers(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["证书编号", "姓名", "身份证号"])
    for n in range(1, 5):
        sheet.append([f"TJ0{n}", "王伟" if n == 1 else None, str(n)])
    sheet.merge_cells("B2:B4")  # B5 is outside the range and stays empty
    book.save(tmp_path / "r.xlsx")
    rows = [list(cells) for _n, cells in open_table(tmp_path / "r.xlsx", columns=COLUMNS).rows]
    assert [r[1] for r in rows] == ["王伟", "王伟", "王伟", None]


def test_rows_are_counted_as_they_stream_blank_ones_too(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("证书编号,姓名,身份证号\n" + "TJ01,王伟,1\n" * 11, encoding="utf-8")
    with pytest.raises(UnreadableFile) as exc:
        list(open_table(path, columns=COLUMNS, limits=Limits(rows=10)).rows)
    assert exc.value.code == "too_many_rows"
    path.write_text("证书编号,姓名,身份证号\nTJ01,王伟,1\n" + ",,\n" * 100, encoding="utf-8")
    with pytest.raises(UnreadableFile):
        list(open_table(path, columns=COLUMNS, limits=Limits(rows=10)).rows)


def test_an_archive_is_judged_by_its_directory_before_it_is_unpacked(tmp_path):
    import zipfile

    path = tmp_path / "r.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"A" * (8 << 20))  # compresses about 1000 to 1
    with pytest.raises(UnreadableFile) as exc:
        open_table(path)
    assert exc.value.code == "bomb"
    with pytest.raises(UnreadableFile) as exc:
        open_table(path, limits=Limits(unpacked=1 << 20, ratio=10_000))
    assert exc.value.code == "too_large"
