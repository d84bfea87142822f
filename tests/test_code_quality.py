"""The house rules CI enforces, run by the same `python -m pytest` as everything else: lint and
format (ruff), type hints on the domain package (mypy, configured in pyproject.toml), and the
layering rule that the domain never imports Streamlit (township_data is usable from the CLI).

Running them as tests keeps the README's one test command the whole of CI (.ci/run runs it).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy",)],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_the_code_passes(command: tuple[str, ...]) -> None:
    done = _run(*command)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_the_domain_package_imports_no_streamlit() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "township_data").rglob("*.py"))
        if "streamlit" in _imported_modules(path)
    ]
    assert offenders == []


def test_the_domain_package_imports_nothing_from_the_app_side() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "township_data").rglob("*.py"))
        if _imported_modules(path) & {"views", "pages", "app"}
    ]
    assert offenders == []
