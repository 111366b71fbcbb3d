"""The production topology of issue 17, started here: scripts/cluster runs PostgreSQL, Redis, three gunicorn
application servers, the Celery worker and beat (when the Celery app is there) behind nginx, as separate
hosts in network namespaces when run as root (on loopback ports otherwise), from the deploy/ files an
operator installs. `make test` installs nginx and redis-server; this module takes about a minute."""

import http.client
import json
import shutil
import ssl
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.cluster
ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "cluster"


def cluster_command(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=check, timeout=240
    )


@pytest.fixture(scope="module")
def cluster():
    for binary in ("nginx", "redis-server"):
        if not shutil.which(binary) and not Path(f"/usr/sbin/{binary}").exists():
            pytest.fail(f"{binary} is missing: install Debian's {binary} (`make test` does, as root)")
    # Under the system's temporary folder: PostgreSQL's user must reach it (pytest's own folders are private).
    folder = Path(tempfile.mkdtemp(prefix="sitecert-cluster-test."))
    # A small budget, counted per client address across every application server (Redis).
    started = cluster_command(
        "start", "--dir", str(folder), "--apps", "3", "--env", "REGISTRY_QUERY_RATE=5/h", check=False
    )
    assert started.returncode == 0, started.stderr[-3000:]
    state = json.loads((folder / "cluster.json").read_text())
    yield state | {"dir": folder}
    cluster_command("stop", "--dir", str(folder))
    assert not folder.exists()
    if state["net"] == "netns":
        namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        assert f"sc{state['id']}-" not in namespaces


def ask(
    cluster,
    path: str,
    *,
    tls: bool = True,
    method: str = "GET",
    body: bytes | None = None,
    client: int = 0,
    headers=None,
):
    """One request to the load balancer from one of the cluster's two client addresses; TLS is verified
    against the cluster's own certificate."""
    lb = cluster["services"]["lb"]
    source = (cluster["clients"][client], 0)
    if tls:
        context = ssl.create_default_context(cafile=str(cluster["dir"] / "tls" / "cert.pem"))
        conn = http.client.HTTPSConnection(
            lb["host"], lb["tls_port"], context=context, source_address=source, timeout=20
        )
    else:
        conn = http.client.HTTPConnection(lb["host"], lb["port"], source_address=source, timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        conn.close()


def test_the_health_probe_answers_over_plain_http_and_everything_else_goes_to_https(cluster):
    status, _, body = ask(cluster, "/api/v1/health", tls=False)
    assert status == 200 and json.loads(body) == {"status": "ok"}  # issue 17: it answered 301
    status, headers, _ = ask(cluster, "/query/", tls=False)
    assert status == 301 and headers["Location"].startswith("https://")


def test_a_page_through_the_load_balancer_carries_the_applications_headers(cluster):
    status, headers, body = ask(cluster, "/query/")
    assert status == 200 and "施工项目部管理人员信息查询" in body.decode()
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_static_files_are_collectstatics_served_by_nginx(cluster):
    status, headers, body = ask(cluster, "/static/sitecert/site.css")
    assert status == 200 and headers["Content-Type"] == "text/css"
    assert body == (ROOT / "sitecert" / "static" / "sitecert" / "site.css").read_bytes()
    assert "Cache-Control" in headers and headers["X-Content-Type-Options"] == "nosniff"


def test_an_upload_larger_than_nginxs_default_reaches_the_application(cluster):
    status, _, _ = ask(cluster, "/api/v1/health", method="POST", body=b"x" * (3 << 20))
    assert status == 405  # the application's answer, not nginx's 413 (its default limit is 1 MB)


def test_rate_limits_count_each_real_client_across_every_application_server(cluster):
    """Five questions an hour: the sixth is refused whichever server it reaches and whatever address the
    client claims (nginx overwrites X-Real-IP); another client behind the same nginx is not."""
    path = "/api/v1/registry/certificates/TJ2099000001"
    statuses = [
        ask(cluster, path, headers={"X-Real-IP": f"198.51.100.{i}", "X-Forwarded-For": f"198.51.100.{i}"})[0]
        for i in range(6)
    ]
    assert statuses == [404] * 5 + [429]
    assert ask(cluster, path, client=1)[0] == 404


def test_nginx_routes_around_a_killed_application_server(cluster):
    cluster_command("down", "app2", "--dir", str(cluster["dir"]))
    assert [ask(cluster, "/api/v1/health")[0] for _ in range(12)] == [200] * 12
    assert ask(cluster, "/query/")[0] == 200
    status = cluster_command("status", "--dir", str(cluster["dir"]), check=False)
    assert status.returncode == 1 and "app2" in status.stdout and "down" in status.stdout
    cluster_command("up", "app2", "--dir", str(cluster["dir"]))
    status = cluster_command("status", "--dir", str(cluster["dir"]), check=False)
    assert status.returncode == 0, status.stdout


def test_the_worker_and_the_scheduler_run_when_the_celery_app_is_there(cluster):
    status = cluster_command("status", "--dir", str(cluster["dir"]), check=False).stdout
    lines = {line.split()[0]: line for line in status.splitlines()}
    for name in ("worker", "beat"):
        if cluster["services"][name].get("skipped"):
            assert "not started" in lines[name]
            pytest.skip(cluster["services"][name]["skipped"])
        assert lines[name].rstrip().endswith("up")


def test_a_backup_of_the_database_and_the_keys_restores_into_an_empty_database(cluster, tmp_path):
    """docs/deployment.md, "Backups and restore", followed on the running cluster: deploy/backup/sitecert-backup
    while it serves, then deploy/backup/sitecert-restore into a new, empty database and key folder."""
    import psycopg

    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "SITECERT_ENV_FILE": str(cluster["dir"] / "sitecert.env"),
        "BACKUP_DIR": str(tmp_path / "backups"),
    }
    backup = subprocess.run(
        [str(ROOT / "deploy" / "backup" / "sitecert-backup")], env=env, capture_output=True, text=True
    )
    assert backup.returncode == 0, backup.stderr
    (folder,) = (tmp_path / "backups").iterdir()
    assert {p.name for p in folder.iterdir()} == {"db.dump", "keys.tar.gz", "sitecert.env", "SHA256SUMS"}

    database = cluster["database_url"]
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("CREATE DATABASE sitecert_restored")
    restored = {
        **env,
        "DATABASE_URL": database.rsplit("/", 1)[0] + "/sitecert_restored",
        "SIGNING_KEY_DIR": str(tmp_path / "restored" / "keys"),
        "SITECERT": str(Path(sys.executable).parent / "sitecert"),
    }
    (tmp_path / "restored").mkdir()
    restore = subprocess.run(
        [str(ROOT / "deploy" / "backup" / "sitecert-restore"), str(folder)],
        env=restored,
        capture_output=True,
        text=True,
    )
    assert restore.returncode == 0, restore.stdout + restore.stderr
    keys = Path(cluster["env"]["SIGNING_KEY_DIR"])
    assert sorted(p.name for p in (tmp_path / "restored" / "keys").iterdir()) == sorted(
        p.name for p in keys.iterdir()
    )
    with psycopg.connect(database) as original, psycopg.connect(restored["DATABASE_URL"]) as copy:
        for table in ("certificates_signingkey", "audit_auditentry", "registry_post"):
            count = f"SELECT count(*) FROM {table}"
            assert original.execute(count).fetchone() == copy.execute(count).fetchone()
