"""REQUIRE_BROWSER=1 (as in CI): a missing Chromium or Playwright fails the run, never skips."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _pytest(tmp_path, source, **env):
    """Run pytest on one small test module with the browser plugin; returns (code, output)."""
    (tmp_path / "test_probe.py").write_text(source)
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["tests.support.browser"]\n')
    environment = {**os.environ, "PYTHONPATH": str(REPO), **env}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=120)
    return result.returncode, result.stdout + result.stderr


USES_BROWSER = "def test_uses_the_browser(browser):\n    assert browser\n"
SKIPS_AT_IMPORT = ('import pytest\n\nexpect = pytest.importorskip("no_such_playwright")\n\n'
                   "def test_never_runs():\n    assert expect\n")


@pytest.mark.parametrize("required,code", [("1", 1), ("", 0)])
def test_a_missing_chromium_fails_only_when_a_browser_is_required(tmp_path, required, code):
    status, output = _pytest(tmp_path, USES_BROWSER, CHROMIUM=str(tmp_path / "no-chromium"),
                             REQUIRE_BROWSER=required)
    assert status == code, output
    assert ("REQUIRE_BROWSER=1, so this is a failure" in output) == (required == "1")
    assert ("1 skipped" in output) == (required != "1")


@pytest.mark.parametrize("required", ["1", ""])
def test_a_module_skipping_itself_fails_when_a_browser_is_required(tmp_path, required):
    status, output = _pytest(tmp_path, SKIPS_AT_IMPORT, REQUIRE_BROWSER=required)
    if required:
        assert status != 0 and "REQUIRE_BROWSER=1 makes that a failure" in output, output
    else:
        assert status == 5 and "1 skipped" in output, output  # 5: no test ran


def test_browser_modules_do_not_skip_themselves():
    offenders = [str(path.relative_to(REPO)) for path in (REPO / "tests").rglob("test_*.py")
                 if "importorskip(" in path.read_text() and path.name != Path(__file__).name]
    assert offenders == []
