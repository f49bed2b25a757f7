"""The layout by area holds: small modules, no import cycles, every area in its four places.

These are the lines of issue 15 that a later change could quietly undo.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from schoolportal.areas import AREAS

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "schoolportal"


def _modules():
    """{dotted name: path} of every module of the package, migrations left out."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _module_level_imports(path, modules):
    """The package's modules this file imports when it is imported (not inside functions)."""
    tree = ast.parse(path.read_text())
    statements, imported = list(tree.body), set()
    while statements:
        node = statements.pop()
        if isinstance(node, (ast.If, ast.Try)):
            statements += node.body + node.orelse + getattr(node, "finalbody", [])
            for handler in getattr(node, "handlers", []):
                statements += handler.body
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if submodule in modules:
                    imported.add(submodule)
                elif node.module in modules:
                    imported.add(node.module)
    return imported


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_modules():
    modules = _modules()
    graph = {name: _module_level_imports(path, modules) - {name}
             for name, path in modules.items()}
    assert _cycles(graph) == []


def test_modules_stay_small_and_few_at_the_top():
    modules = _modules()
    too_long = {name: n for name, path in modules.items()
                if (n := len(path.read_text().splitlines())) > 600}
    assert too_long == {}
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= 15, top
    assert [p.name for p in (PACKAGE / "views").glob("*.py")] == ["__init__.py"]


@pytest.mark.parametrize("area", AREAS)
def test_each_area_is_in_four_places(area):
    for place in (PACKAGE / area, PACKAGE / "views" / area, PACKAGE / "templates" / area,
                  ROOT / "tests" / area):
        assert place.is_dir(), place
    assert (PACKAGE / "views" / area / "__init__.py").exists()


def test_views_packages_make_their_blueprint_and_import_no_page():
    for area in AREAS:
        init = PACKAGE / "views" / area / "__init__.py"
        imported = _module_level_imports(init, _modules())
        assert imported == set(), (area, imported)


def test_the_running_app_imports_no_demo_code():
    probe = (
        "import sys\n"
        "from schoolportal import create_app\n"
        "create_app('testing')\n"
        "print(sorted(m for m in sys.modules if m == 'schoolportal.demo'"
        " or m.endswith('.demo') and m.startswith('schoolportal')))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_every_area_policy_declares_its_finders(app):
    from schoolportal import authz

    kinds = {finder.kind: finder for finder in authz.FINDERS.values()}
    assert {"post", "photo", "album", "absence_report", "meeting_booking", "conversation",
            "survey", "coaching_media", "group", "pupil"} <= set(kinds)
    for finder in kinds.values():
        area = finder.area
        if area != "core":
            assert finder.model.__module__ in (f"schoolportal.{area}.models",
                                               "schoolportal.core.models"), finder
