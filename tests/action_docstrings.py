"""Reading an Action file's own documentation: its docstring, the secrets it reads, and the
example ``[secrets.<stem>]`` block its docstring ends with (shipped Actions and Auth0 ports)."""

from __future__ import annotations

import ast
import re
import textwrap
import tomllib
from pathlib import Path

__all__ = ["SECRET_READ", "docstring", "example", "secrets_read"]

SECRET_READ = re.compile(r"""event\.secrets\.get\(\s*["']([A-Z0-9_]+)["']""")


def docstring(path: Path) -> str:
    text = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")), clean=True)
    assert text, f"{path.name} has no module docstring"
    return text


def secrets_read(path: Path) -> set[str]:
    return set(SECRET_READ.findall(path.read_text(encoding="utf-8")))


def example(path: Path) -> dict[str, object]:
    text = docstring(path)
    header = f"[secrets.{path.stem}]"
    assert header in text, f"{path.name}: no {header} example"
    block = textwrap.dedent(text[text.rindex(header) :].split("\n", 1)[1])
    return tomllib.loads(f"{header}\n{block}")["secrets"][path.stem]
