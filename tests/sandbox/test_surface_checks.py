"""Check time: unknown names on ``event``/``api`` chains and undefined names are located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from contextmfa.errors import CompileError
from contextmfa.sandbox import compile_action

PATH = "actions/port.py"
ENTRY = "def on_execute_post_login(event, api):\n"


def problems(body: str, before: str = "") -> list[str]:
    with pytest.raises(CompileError) as info:
        compile_action(before + ENTRY + body, PATH)
    return [str(p) for p in info.value.problems]


def compiles(body: str, before: str = "") -> None:
    compile_action(before + ENTRY + body, PATH)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "    if api.multifactor.enabled:\n        pass\n",
            "2:24: error: api.multifactor has no attribute 'enabled'; did you mean 'enable'?",
        ),
        (
            "    api.user.setAppMetadata('seen', True)\n",
            "2:14: error: api.user has no attribute 'setAppMetadata'; "
            "did you mean 'set_app_metadata'?",
        ),
        (
            "    country = event.request.geoip.countryCode\n",
            "2:35: error: event.request.geoip has no field 'countryCode'; "
            "did you mean 'country_code'?",
        ),
        (
            "    factors = event.user.enrolledFactors\n",
            "2:26: error: event.user has no field 'enrolledFactors'; "
            "did you mean 'enrolled_factors'?",
        ),
        (
            "    api.idToken.setCustomClaim('a', 1)\n",
            "2:9: error: api has no attribute 'idToken'; did you mean 'id_token'?",
        ),
        (
            "    x = event.authentication.riskAssessment.confidence\n",
            "2:30: error: event.authentication has no field 'riskAssessment'; "
            "did you mean 'risk_assessment'?",
        ),
        (
            "    if allowed_country(event):\n        pass\n",
            "2:8: error: name 'allowed_country' is not defined",
        ),
    ],
)
def test_the_issue_mistakes_are_located_with_did_you_mean(body, expected):
    assert problems(body) == [f"{PATH}:{expected}"]


def test_aliases_bound_once_are_followed():
    body = (
        "    geoip = event.request.geoip\n"
        "    if geoip is not None and geoip.countryCode == 'NL':\n"
        "        pass\n"
        "    for factor in event.user.enrolled_factors:\n"
        "        print(factor.kind)\n"
        "    mfa = api.multifactor\n"
        "    mfa.enabled('any')\n"
    )
    found = problems(body)
    assert [p.split(": error: ")[1].split(";")[0] for p in found] == [
        "event.request.geoip has no field 'countryCode'",
        "event.user.enrolled_factors[i] has no field 'kind' (it has: options, type)",
        "api.multifactor has no attribute 'enabled'",
    ]


def test_open_values_and_rebound_names_are_not_checked():
    compiles(
        "    plan = event.user.app_metadata.plan\n"
        "    x = event.user.app_metadata.get('mfa').anything\n"
        "    y = event.secrets.WHATEVER\n"
        "    z = event.authentication.risk_assessment.assessments.new_device.details.anything\n"
        "    g = event.request.geoip\n"
        "    g = {'countryCode': 'NL'}\n"
        "    print(g.get('countryCode'))\n"
        "    def helper(event):\n"
        "        return event.whatever\n"
        "    print(event.user.get('nickname'), event.user.email.upper(), event.keys())\n"
    )


def test_subscripts_of_lists_and_string_keys_of_fixed_objects():
    found = problems("    t = event.user.enrolled_factors[0].typ\n    c = event.request['geo']\n")
    assert [p.split(": error: ")[1].split(";")[0] for p in found] == [
        "event.user.enrolled_factors[i] has no field 'typ'",
        "event.request has no field 'geo'",
    ]


def test_a_list_read_as_an_object_says_to_take_an_item():
    assert problems("    t = event.user.enrolled_factors.type\n") == [
        f"{PATH}:2:37: error: event.user.enrolled_factors is a list: take one item "
        "(event.user.enrolled_factors[0].type) or loop over it"
    ]


def test_auth0_calls_that_are_not_offered_say_why():
    found = problems("    api.redirect.sendUserTo('https://x.test')\n")
    assert found == [
        f"{PATH}:2:9: error: api.redirect is not offered here: contextmfa answers your "
        "identity provider with a decision; it does not send the browser elsewhere mid-login "
        "(queue a challenge or enrollment instead)"
    ]
    assert (
        "api.access_token.add_scope is not offered"
        in problems("    api.access_token.addScope('read')\n")[0]
    )


def test_undefined_names_follow_python_scoping():
    before = "LIMIT = 3\nimport math\n\n\ndef helper():\n    global COUNT\n    COUNT = 1\n\n\n"
    compiles(
        "    print(LIMIT, math.pi, COUNT, helper, distance_km, ip_in_range, print, len)\n"
        "    total = [i for i in range(LIMIT)]\n"
        "    def inner():\n"
        "        return total\n"
        "    square = lambda n: n * n\n"
        "    class Box:\n"
        "        size = 1\n"
        "    print(inner(), square(2), Box.size)\n",
        before,
    )
    found = problems(
        "    class Box:\n"
        "        size = 1\n"
        "        def get(self):\n"
        "            return size\n"
        "    print(evnet, [j for j in range(2)], j)\n"
    )
    assert found == [
        f"{PATH}:5:20: error: name 'size' is not defined",
        f"{PATH}:6:11: error: name 'evnet' is not defined; did you mean 'event'?",
        f"{PATH}:6:41: error: name 'j' is not defined",
    ]


def test_annotations_are_never_evaluated_so_their_names_are_not_checked():
    compiles(
        "    limit: Optional[int] = 3\n"
        "    def f(x: Sequence[str]) -> Mapping:\n"
        "        return x\n"
        "    print(f(['a']), limit)\n"
    )


@pytest.mark.parametrize(
    ("name", "written"),
    [("true", "True"), ("null", "None"), ("undefined", "None"), ("console", "print(...)")],
)
def test_javascript_names_say_what_to_write(name, written):
    (found,) = problems(f"    x = {name}\n")
    assert found.endswith(f"name {name!r} is not defined: write {written}")


def test_writes_to_the_event_compile_with_a_warning():
    action = compile_action(ENTRY + "    event.authorization.roles.append('root')\n", PATH)
    assert [str(w) for w in action.warnings] == [
        f"{PATH}:2:31: warning: event.authorization.roles is read-only: append() ends the "
        "Action as forbidden; change a copy instead (list(event.authorization.roles))"
    ]


def test_the_shipped_actions_pass():
    for path in sorted((Path(__file__).resolve().parents[2] / "actions").glob("*.py")):
        action = compile_action(path.read_text(), str(path))
        assert action.warnings == (), action.warnings
