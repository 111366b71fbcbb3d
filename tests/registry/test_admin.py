"""The authority imports from the admin: upload, counts, the downloadable rejection report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sitecert.registry.models import ImportBatch, LegacyCertificate
from tests.conftest import write_table
from tests.registry.helpers import HEADER, import_rows, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def authority(client, django_user_model):
    user = django_user_model.objects.create_superuser("inspector", password="x-Strong-Pass-2020")
    client.force_login(user)
    return user


def upload(client, path, **extra):
    content = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post("/admin/registry/importbatch/add/", {"file": content, **extra})


def test_an_upload_imports_and_shows_the_counts_and_the_report(client, authority, tmp_path, person):
    path = write_table(
        tmp_path / "津建2020",
        HEADER,
        [row("TJ01", person()), row("TJ02", person(), post="施工员")],
        "csv-gb18030",
    )
    response = upload(client, path)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/importbatch/{batch.pk}/change/")
    assert (batch.file_name, batch.imported_by, batch.created, batch.rejected) == (
        "津建2020.csv",
        authority,
        1,
        1,
    )
    page = client.get(response.url).content.decode()
    assert "新增 1，更新 0，未变 0，重复 0，拒绝 1" in page
    report = client.get(f"/admin/registry/importbatch/{batch.pk}/report/")
    assert report["Content-Type"].startswith("text/csv")
    body = report.content
    assert body.startswith(b"\xef\xbb\xbf") and "3,岗位,post_specialty_missing" in body.decode("utf-8-sig")


def test_a_dry_run_upload_writes_nothing(client, authority, tmp_path, person):
    path = write_table(tmp_path / "r", HEADER, [row("TJ01", person())], "xlsx")
    page = upload(client, path, dry_run="on").content.decode()
    assert "试运行完成（未写入）：新增 1" in page
    assert not ImportBatch.objects.exists() and not LegacyCertificate.objects.exists()


def test_a_refused_file_is_explained_on_the_form(client, authority, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("编号,名字\nTJ01,王伟\n", encoding="utf-8")
    page = upload(client, path).content.decode()
    assert (
        "文件“r.csv”：在文件的前20行中没有找到表头行：表头应包含 证书编号、姓名、身份证号、岗位、发证日期、发证机关、证书状态"
        in page
    )
    assert not ImportBatch.objects.exists()


def test_legacy_certificates_are_searchable_and_read_only(client, authority, tmp_path, person):
    name, number = person()
    import_rows(tmp_path, [row("TJ01", (name, number))])
    cert = LegacyCertificate.objects.get()
    listing = client.get("/admin/registry/legacycertificate/", {"q": number}).content.decode()
    assert "TJ01" in listing
    change = client.get(f"/admin/registry/legacycertificate/{cert.pk}/change/").content.decode()
    assert 'name="status"' not in change  # no editable field: changes come only from imports
    assert client.post(f"/admin/registry/legacycertificate/{cert.pk}/delete/").status_code == 403


def test_staff_without_the_import_permission_cannot_upload(client, django_user_model, tmp_path, person):
    clerk = django_user_model.objects.create_user("clerk", password="x-Strong-Pass-2020", is_staff=True)
    client.force_login(clerk)
    path = write_table(tmp_path / "r", HEADER, [row("TJ01", person())], "csv-utf8")
    response = upload(client, path)
    assert response.status_code in (302, 403)
    assert not LegacyCertificate.objects.exists()
