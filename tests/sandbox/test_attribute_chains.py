"""A chain of attribute reads (one guard call, fuse.py) answers as the same reads one by one."""

from __future__ import annotations

import ast

import pytest

from contextmfa.sandbox.policy import transform

CHAINS = [
    ("event", "user", "email"),
    ("event", "user", "app_metadata", "plan"),
    ("event", "user", "app_metadata", "tags"),
    ("event", "user", "app_metadata", "get"),
    ("event", "user", "enrolled_factors"),
    ("event", "request", "geoip"),
    ("event", "request", "geoip", "country_code"),
    ("event", "request", "ip", "startswith"),
    ("event", "user", "app_metadata", "missing_key"),
    ("event", "user", "app_metadata", "missing_key", "deeper"),
    ("event", "user", "app_metadata", "plan", "deeper"),
    ("event", "secrets", "API_TOKEN"),
    ("event", "secrets", "get"),
    ("event", "user", "keys"),
    ("event", "user", "items"),
    ("event", "user", "copy"),
    ("event", "secrets", "keys"),
    ("event", "secrets", "MISSING"),
    ("event", "authorization", "roles", "index"),
    ("event", "user", "app_metadata", "count"),
    ("event", "user", "update"),
    ("event", "authentication", "risk_assessment", "assessments", "new_device", "code"),
    ("event", "authorization", "roles", "count"),
    ("event", "stats", "logins_count", "bit_length"),
    ("api", "multifactor", "enable"),
    ("api", "cache", "get"),
    ("api", "user", "set_app_metadata"),
]


def _outcome(sb, body: str) -> tuple[object, ...]:
    run = sb.execute(sb.compile(body))
    error = None if run.error is None else (run.error.kind, run.error.message, run.error.line)
    return error, tuple(sb.logs(run))


@pytest.mark.parametrize("chain", CHAINS, ids=".".join)
def test_a_fused_chain_reads_as_its_steps(sb, chain):
    fused = f"value = {'.'.join(chain)}\nprint(repr(value), type(value))"
    steps = "\n".join(f"step{i} = step{i - 1}.{name}" for i, name in enumerate(chain[1:], 1))
    stepped = f"step0 = {chain[0]}\n{steps}\nvalue = step{len(chain) - 1}\n"
    stepped += "print(repr(value), type(value))"
    fused_error, fused_logs = _outcome(sb, fused)
    stepped_error, stepped_logs = _outcome(sb, stepped)
    assert fused_logs == stepped_logs
    if fused_error is None:
        assert stepped_error is None
    else:  # the same failure, on the fused line (1 + the line of the failing step)
        assert stepped_error is not None
        assert fused_error[:2] == stepped_error[:2]
        assert fused_error[2] == 2


def test_chains_of_literal_names_compile_to_one_guard_call(sb):
    tree, problems = transform(sb.source_of("x = event.request.geoip.country_code"), sb.PATH)
    assert not problems and tree is not None
    text = ast.unparse(tree)
    assert "_getpath_(event, ('request', 'geoip', 'country_code'))" in text
    assert "_getattr_" not in text
