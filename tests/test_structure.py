"""The layering the README describes, checked on the source: everything is imported under the
one name ``hymem``, no module imports a ``test_*`` module, ``tb`` never imports ``tools`` (tools
drive testbenches, not the reverse), ``golden`` never imports Amaranth or cocotb, and
``golden`` has no import cycle."""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (``from a import b`` gives ``a`` and ``a.b``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules(package: str) -> dict[str, Path]:
    found = {}
    for path in (REPO / package).rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        found[".".join(("hymem",) + (parts[:-1] if parts[-1] == "__init__" else parts))] = path
    return found


FOLDERS = ("golden", "rtl", "tb", "tools")


def test_everything_is_imported_as_hymem():
    """``import golden`` would load a second copy of a module beside ``hymem.golden`` (two
    registries, two enum classes); an installed hymem has no top-level ``golden`` at all."""
    offenders = [f"{path.relative_to(REPO)} imports {name}"
                 for package in (*FOLDERS, "tests")
                 for path in modules(package).values()
                 for name in imports(path) if name.split(".")[0] in FOLDERS]
    assert offenders == []


def test_nothing_imports_a_test_module():
    offenders = [f"{path.relative_to(REPO)} imports {name}"
                 for package in ("rtl", "golden", "tb", "tests", "tools")
                 for path in modules(package).values()
                 for name in imports(path) if name.rsplit(".", 1)[-1].startswith("test_")]
    assert offenders == []


def test_tb_does_not_import_tools():
    offenders = [f"{path.relative_to(REPO)} imports {name}" for path in modules("tb").values()
                 for name in imports(path) if name.startswith("hymem.tools")]
    assert offenders == []


def test_golden_imports_no_hdl_or_simulator():
    offenders = [f"{path.relative_to(REPO)} imports {name}" for path in modules("golden").values()
                 for name in imports(path)
                 if name.split(".")[0] in ("amaranth", "cocotb") or name.startswith(("hymem.rtl", "hymem.tb"))]
    assert offenders == []


def test_golden_has_no_import_cycle():
    golden = modules("golden")
    graph = {name: {m for m in imports(path) if m in golden and m != name}
             for name, path in golden.items()}
    done, active, cycles = set(), [], []

    def visit(name):
        if name in active:
            cycles.append(active[active.index(name):] + [name])
            return
        if name in done:
            return
        active.append(name)
        for dep in sorted(graph[name]):
            visit(dep)
        active.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
    assert cycles == []
