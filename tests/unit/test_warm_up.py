"""The server's warm-up imports every module of ours that a page imports, so the first page view
after a restart does not import them (docs/performance.md, "In a browser")."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = ("dashboard", "data_access")


def _page_imports() -> set[str]:
    """Our modules named in an import of any page script: `a.b` for `from a.b import c`, and
    `a.c` too where `c` is a module of `a`."""
    names = set()
    for page in (ROOT / "pages").glob("*.py"):
        for node in ast.walk(ast.parse(page.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
    return {name for name in names if name.split(".")[0] in OURS and _is_module(name)}


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # `a.c` where `a` is a module, not a package
        return False


def test_the_warm_up_imports_every_module_a_page_imports() -> None:
    # A fresh interpreter: this test session has imported most modules already.
    script = (
        "import json, sys\n"
        "from dashboard.warm_up import import_page_modules\n"
        "import_page_modules()\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    imported = set(json.loads(done.stdout.splitlines()[-1]))
    wanted = _page_imports()
    assert {"dashboard.practice_charts", "data_access.reads.client_queries"} <= wanted
    assert wanted - imported == set()
    assert "dashboard.app" not in imported  # Streamlit runs the entry point; never a copy
