"""Issue 17: after `pip install .` the English interface stayed Chinese, because the compiled catalogs
(`*.mo`) were ignored by git and so never in a clean clone. They are committed now, like Django's own; these
tests keep them equal to their sources and prove that an installed package carries them."""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "sitecert" / "locale").glob("*/LC_MESSAGES/*.po"))


def catalog(mo: Path) -> dict:
    with mo.open("rb") as f:
        return gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]


def tracked(*paths: str) -> list[str]:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    return subprocess.run(
        ["git", "ls-files", "-z", *paths], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parts[-3])
def test_each_compiled_catalog_says_what_its_source_says(source, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if not msgfmt:
        pytest.fail("msgfmt is missing: install GNU gettext (Debian: gettext)")
    fresh = tmp_path / "fresh.mo"
    subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(source)], check=True)
    compiled = source.with_suffix(".mo")
    assert compiled.exists() and catalog(compiled) == catalog(fresh), (
        f"{compiled.relative_to(ROOT)} is not its .po compiled: run `make messages` and commit the .mo"
    )


def test_the_compiled_catalogs_are_committed():
    files = set(tracked("sitecert/locale"))
    for source in SOURCES:
        assert str(source.with_suffix(".mo").relative_to(ROOT)) in files


def test_a_package_built_from_a_clean_clone_speaks_english(tmp_path):
    """Build a wheel from the tracked files only (what a clean clone holds), install it into a folder of its
    own, and ask the installed copy for an English message."""
    src = tmp_path / "src"
    for name in tracked("pyproject.toml", "README.md", "sitecert"):
        if name:
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    built = tmp_path / "dist"
    subprocess.run([*pip, "wheel", "--no-deps", "-w", built, src], check=True)
    site = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", site, *built.glob("*.whl")], check=True)
    ask = (
        "import django, sitecert; from django.utils import translation; django.setup();"
        "translation.activate('en'); print(sitecert.__file__);"
        "print(translation.gettext('查询过于频繁，请稍后再试'))"
    )
    answer = subprocess.run(
        [sys.executable, "-c", ask],
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(site),
            "DJANGO_SETTINGS_MODULE": "sitecert.settings",
            "SITECERT_VAR_DIR": str(tmp_path / "var"),
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert answer[0].startswith(str(site))  # the installed copy, not the source tree
    assert answer[1] == "Too many queries; please try again later"
