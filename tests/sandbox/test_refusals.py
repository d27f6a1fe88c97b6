"""Every refusal is a located compile error, wherever the refused construct stands.

A refused statement is dropped from the tree it stood in, so a block whose only statement was
refused is empty when the policy instruments it; that must still end as located problems, never
as a crash of ``compile_action`` (``check`` used to exit 3 with "internal error: IndexError").
"""

from __future__ import annotations

import textwrap

import pytest

from contextmfa.errors import CompileError
from contextmfa.sandbox import compile_action

PATH = "/tenant/actions/refused.py"

REFUSED = {
    "async def": "async def g():\n    pass",
    "async with": "async with event:\n    pass",
    "async for": "async for x in event:\n    pass",
    "except star": "try:\n    pass\nexcept* ValueError:\n    pass",
    "import": "import os",
    "global of a hook": "global _getattr_",
    "eval": "eval('1')",
    "metaclass": "class A(metaclass=list):\n    pass",
}
"""Statements that stay refused, among them the ones RestrictedPython drops from the tree."""

BLOCKS = {
    "function body": "def f():\n{0}",
    "nested function body": "def f():\n    def g():\n    {0}",
    "class body": "class C:\n{0}",
    "if": "if event:\n{0}",
    "elif": "if event:\n    pass\nelif api:\n{0}",
    "else": "if event:\n    pass\nelse:\n{0}",
    "for": "for i in []:\n{0}",
    "for else": "for i in []:\n    pass\nelse:\n{0}",
    "while": "while False:\n{0}",
    "while else": "while False:\n    pass\nelse:\n{0}",
    "with": "with event:\n{0}",
    "try": "try:\n{0}\nexcept ValueError:\n    pass",
    "except": "try:\n    pass\nexcept ValueError:\n{0}",
    "bare except": "try:\n    pass\nexcept:\n{0}",
    "try else": "try:\n    pass\nexcept ValueError:\n    pass\nelse:\n{0}",
    "finally": "try:\n    pass\nfinally:\n{0}",
    "match case": "match event:\n    case _:\n    {0}",
}


def _source(block: str, statement: str) -> str:
    body = block.format(textwrap.indent(statement, "    "))
    return "def on_execute_post_login(event, api):\n" + textwrap.indent(body, "    ") + "\n"


@pytest.mark.parametrize("block", list(BLOCKS))
@pytest.mark.parametrize("refused", list(REFUSED))
def test_a_refused_statement_alone_in_a_block_is_a_located_error(block, refused):
    source = _source(BLOCKS[block], REFUSED[refused])
    with pytest.raises(CompileError) as raised:
        compile_action(source, PATH)
    problems = raised.value.problems
    assert problems
    statement_lines = range(2, source.count("\n") + 1)
    assert all(p.line in statement_lines and p.col > 0 for p in problems), problems


@pytest.mark.parametrize("refused", list(REFUSED))
def test_a_refused_statement_alone_at_module_level_is_a_located_error(refused):
    source = REFUSED[refused] + "\ndef on_execute_post_login(event, api):\n    pass\n"
    with pytest.raises(CompileError) as raised:
        compile_action(source, PATH)
    assert all(p.line > 0 and p.col > 0 for p in raised.value.problems)


STAYS_REFUSED = {
    "async def": "async def f():\n    pass",
    "await": "x = await api",
    "async for": "async for x in event:\n    pass",
    "async with": "async with event:\n    pass",
    "async comprehension": "x = [i async for i in event]",
    "except star": "try:\n    pass\nexcept* ValueError:\n    pass",
    "metaclass": "class A(metaclass=list):\n    pass",
    "deriving from type": "class M(type):\n    pass",
    "type with three arguments": "x = type('X', (), {})",
    "super outside a method": "x = super()",
    "bare super": "x = super",
    "mro": "x = str.mro()",
    "frame attribute": "g = (i for i in [1])\nx = g.gi_frame",
    "dunder attribute": "x = event.__dict__",
    "underscore name": "_x = 1",
    "special method": "class A:\n    def __repr__(self):\n        return ''",
    "match args of another shape": "class A:\n    __match_args__ = ['x']",
    "eval": "eval('1')",
    "getattr": "getattr(event, 'user')",
    "object": "x = object",
    "iter": "x = iter([1])",
    "slice assignment with several targets": "a = [1]\na[0:1] = b = [2]",
    "generator entry point": "yield 1",
}
STAYS_REFUSED_AT_MODULE_LEVEL = {
    "star import": "from math import *",
    "unknown module name": "from re import nope",
    "import": "import os",
    "relative import": "from . import x",
}
ALTERNATIVE = ("write ", "use ", "rename", "call ", "define ", "read ")


@pytest.mark.parametrize("construct", [*STAYS_REFUSED, *STAYS_REFUSED_AT_MODULE_LEVEL])
def test_every_refusal_names_what_to_write_instead(construct):
    if construct in STAYS_REFUSED:
        source = _source("{0}", STAYS_REFUSED[construct])
    else:
        source = STAYS_REFUSED_AT_MODULE_LEVEL[construct] + "\n" + _source("{0}", "pass")
    with pytest.raises(CompileError) as raised:
        compile_action(source, PATH)
    refusals = [p.message for p in raised.value.problems if "is not defined" not in p.message]
    assert refusals, raised.value.problems
    for message in refusals:
        assert (
            "not available in Actions" in message
            or "belong to the sandbox" in message
            or ("must not be" in message)
        ), message
        assert any(word in message for word in ALTERNATIVE), message
