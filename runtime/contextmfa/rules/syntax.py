"""Syntax errors in words a security team knows: what was found, what was expected, and a hint.

lark reports an error as an unexpected token (or character) plus the set of terminal names the
parser would have accepted. Terminal names (``COMPARE``, ``LSQB``) mean nothing to a rule author,
so they are grouped into the categories of the language reference ("an operator", "a field or a
value", "an outcome"). Common mistakes are recognised by example with lark's
``UnexpectedInput.match_examples`` (the parser state at the error is compared with the state each
known-bad snippet fails in) and get a hint on how to write it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from lark import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

__all__ = ["describe_syntax_error"]

_OPERATORS = frozenset(
    {"COMPARE", "IN", "NOT", "BETWEEN", "MATCHES", "STARTSWITH", "ENDSWITH", "CONTAINS", "IS"}
)
_OPERANDS = frozenset({"NAME", "STRING", "NUMBER", "IPV4", "IPV6", "TIME", "LSQB"})
_OUTCOMES = frozenset({"DENY", "REQUIRE", "ENROLL", "SKIP"})

_OPERATOR_WORDS = (
    "an operator (==, !=, <, <=, >, >=, in, not in, between, matches, startswith, endswith, "
    "contains, is missing, is present)"
)
_OUTCOME_WORDS = 'an outcome (deny "<reason>", require mfa, enroll mfa with [<factors>], skip mfa)'

_WORDS = {
    "NAME": "a name",
    "STRING": 'a quoted string ("...")',
    "NUMBER": "a number",
    "IPV4": "an IP address",
    "IPV6": "an IP address",
    "TIME": "a time of day (HH:MM)",
    "COMPARE": "a comparison (==, !=, <, <=, >, >=)",
    "LSQB": "'['",
    "RSQB": "']'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "COMMA": "','",
    "EQUAL": "'='",
    "$END": "the end of the file",
}

# Known mistakes, each with snippets that fail at the same parser state as the mistake.
_EXAMPLES: dict[str, list[str]] = {
    'rule names are written in double quotes, as in rule "block-tor"': [
        "rule x {",
        "rule block-tor priority 1 {",
    ],
    "a rule's body starts with `when <condition>`": [
        'rule "x" { deny "y" }',
        'rule "x" { skip mfa }',
        'rule "x" { ip in corp skip mfa }',
        'rule "x" priority 5 { require mfa }',
    ],
    "every rule ends with an outcome before its '}'": [
        'rule "x" { when ip is present }',
        'rule "x" { when a == 1 }',
        'rule "x" { when a in [1] }',
    ],
    "a condition compares a field with something, as in `device.remembered == true`": [
        'rule "x" { when a skip',
        'rule "x" { when a deny',
        'rule "x" { when a require',
        'rule "x" { when a and',
        'rule "x" { when a or',
        'rule "x" { when a }',
        'rule "x" { when a == 1 and b skip',
        'rule "x" { when a == 1 or b skip',
        'rule "x" { when not b skip',
        'rule "x" { when (b skip',
    ],
    'a list is declared as `list <name> = [...]` or `list <name> = file "<path>"`': [
        'list "x" = [1]',
        "list x [1]",
        "list x = 1",
        "list x = corp",
        "list x = file y",
    ],
    "the outcome `require mfa` is written `require mfa [with [<factors>] | with any]`": [
        'rule "x" { when a == 1 require otp',
        'rule "x" { when a == 1 require mfa otp',
        'rule "x" { when a == 1 require mfa with otp',
    ],
    "write `skip mfa`": ['rule "x" { when a == 1 skip }', 'rule "x" { when a == 1 skip otp'],
    "`remember browser` takes yes or no": [
        'rule "x" { when a == 1 require mfa remember browser true',
        'rule "x" { when a == 1 require mfa remember browser }',
    ],
}

# The parser's state differs for the first item of a file and for the ones after it.
_EXAMPLES = {
    hint: [*snippets, *(f"list l = [1]\n{snippet}" for snippet in snippets)]
    for hint, snippets in _EXAMPLES.items()
}

_CHARACTER_HINTS = {
    "&": "write `and` to combine conditions",
    "|": "write `or` to combine conditions",
    "!": "write `not`, or `!=` for not equal",
    "'": 'strings are written in double quotes ("...")',
    '"': 'the string is not closed: a string ends with " on the same line',
    "=": "use '==' to compare",
}


def _describe_expected(expected: Collection[str]) -> str:
    """Terminal names grouped into the words of the language reference."""
    names = set(expected)
    parts: list[str] = []
    if names & _OPERATORS and "COMPARE" in names:
        parts.append(_OPERATOR_WORDS)
        names -= _OPERATORS
    if names & _OUTCOMES:
        names -= {"RPAR"}  # merged lookahead: a ')' is only expected when one is open
        if names & {"AND", "OR"}:
            parts.append("`and`, `or`")
            names -= {"AND", "OR"}
        parts.append(_OUTCOME_WORDS)
        names -= _OUTCOMES
    if len(names & _OPERANDS) >= 3:
        starts_condition = "LPAR" in names
        parts.append("a condition" if starts_condition else "a field or a value")
        names -= _OPERANDS | {"LPAR", "NOT", "WITHIN"}
    for name in sorted(names):
        parts.append(_WORDS.get(name, f"'{name.lower()}'"))
    if not parts:
        return "something else"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _found(exc: UnexpectedInput, text: str) -> str:
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END" or not str(token):
            return "end of file"
        value = str(token)
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(exc, UnexpectedCharacters):
        return repr(exc.char)
    return "end of file"


def _hint(exc: UnexpectedInput, parse_fn: Callable[[str], object]) -> str | None:
    if isinstance(exc, UnexpectedCharacters) and exc.char in _CHARACTER_HINTS:
        return _CHARACTER_HINTS[exc.char]
    if isinstance(exc, UnexpectedToken) and str(exc.token) == "=":
        return _CHARACTER_HINTS["="]
    try:
        return exc.match_examples(parse_fn, _EXAMPLES, use_accepts=True)
    except Exception:  # a hint is a courtesy; never let it hide the error itself
        return None


def describe_syntax_error(
    exc: UnexpectedInput, text: str, parse_fn: Callable[[str], object]
) -> tuple[int, int, str]:
    """``(line, col, message)`` for a lark error raised by ``parse_fn`` on ``text``."""
    expected: Collection[str] = ()
    if isinstance(exc, UnexpectedToken):
        expected = exc.expected
    elif isinstance(exc, UnexpectedCharacters):
        expected = exc.allowed or ()
    message = f"unexpected {_found(exc, text)}"
    if expected:
        message += f"; expected {_describe_expected(expected)}"
    hint = _hint(exc, parse_fn)
    if hint:
        message += f" ({hint})"
    line = getattr(exc, "line", 0) or 0
    col = getattr(exc, "column", 0) or 0
    at_end = isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    if line <= 0 or at_end:  # the end of the file: point just past the last character
        lines = text.split("\n")
        line, col = len(lines), len(lines[-1]) + 1
    return line, col, message
