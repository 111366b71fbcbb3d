import pytest

from sitecert.lib.tabular import UnreadableFile, open_table

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
