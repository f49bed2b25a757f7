"""`pip install .` gives a working production install: the wheel carries the Dutch catalog."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from babel.messages.mofile import read_mo

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_holds_compiled_catalogs_templates_and_migrations(tmp_path):
    # Build from a copy of what a checkout holds: no compiled catalog, no build/ left over.
    source = tmp_path / "source"
    shutil.copytree(ROOT / "schoolportal", source / "schoolportal", ignore=shutil.ignore_patterns(
        "__pycache__", "*.mo", "messages.pot"))
    for name in ("pyproject.toml", "setup.py", "config.py", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(tmp_path), str(source)], check=True, timeout=300, capture_output=True)
    [wheel] = tmp_path.glob("schoolportal-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        catalog = read_mo(archive.open("schoolportal/translations/nl/LC_MESSAGES/messages.mo"))
    assert catalog.get("Absence").string == "Afwezigheid"
    assert "schoolportal/templates/base.html" in names
    assert "schoolportal/templates/email/absence/report.txt" in names
    assert "schoolportal/migrations/001_initial.py" in names
    assert "schoolportal/views/meetings/booking.py" in names
    assert "config.py" in names
    assert not any(name.startswith("tests/") for name in names)
