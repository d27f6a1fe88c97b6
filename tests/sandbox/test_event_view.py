"""The read-only ``event``: attribute access, mapping behaviour, and no way to change it."""

from __future__ import annotations

import copy

import pytest

from contextmfa.sandbox import compile_action


def test_attribute_access_and_missing_optional_objects(sb):
    result = sb.run(
        """
        print(event.user.email, event.request.ip, event.stats.logins_count)
        print(event.request.geoip, event.organization, event.device.remembered)
        print(event.authentication.risk_assessment.assessments.new_device.code)
        print(event.user.enrolled_factors[0].type, event.authorization.roles[-1])
        """
    )
    assert sb.logs(sb.succeeded(result)) == [
        "ada@acme.test 10.1.2.3 7",
        "None None False",
        "match",
        "otp billing",
    ]


def test_metadata_objects_behave_like_read_only_mappings(sb):
    result = sb.run(
        """
        md = event.user.app_metadata
        print(md.get("plan"), md.get("missing"), md.get("missing", 0), md["plan"], md.plan)
        print("plan" in md, "nope" in md, len(md), sorted(md), list(md.keys()))
        print([k for k, v in md.items() if v is True], len(md.values()))
        print(event.client.metadata.tier, dict(event.client.metadata), md == {"x": 1})
        print(event.secrets.API_TOKEN == event.secrets["API_TOKEN"], "API_TOKEN" in event.secrets)
        print(list(event.secrets), len(event.secrets))
        """
    )
    assert sb.logs(sb.succeeded(result)) == [
        "pro None 0 pro pro",
        "True False 3 ['mfa_required', 'plan', 'tags'] ['plan', 'mfa_required', 'tags']",
        "['mfa_required'] 3",
        "gold {'tier': 'gold'} False",
        "True True",
        "['API_TOKEN'] 1",
    ]


def test_lists_are_read_only_sequences(sb):
    result = sb.run(
        """
        roles = event.authorization.roles
        print(len(roles), "admin" in roles, roles[0], roles[:1], roles.index("billing"))
        print(roles.count("admin"), list(reversed(roles)), roles + ["x"], ["y"] + roles)
        print([f.type for f in event.user.enrolled_factors], roles == ["admin", "billing"])
        """
    )
    assert sb.logs(sb.succeeded(result)) == [
        "2 True admin ['admin'] 1",
        "1 ['billing', 'admin'] ['admin', 'billing', 'x'] ['y', 'admin', 'billing']",
        "['otp', 'sms'] True",
    ]


def test_unknown_attribute_is_an_attribute_error(sb):
    """check refuses these on ``event`` itself; a helper's parameter is found out at run time."""
    read = "def read(obj):\n    return obj.nickname\n"
    for root in ("event.user", "event"):
        action = compile_action(read + sb.source_of(f"print(read({root}))"), sb.PATH)
        message = sb.failed(sb.execute(action), "exception")
        assert message.startswith(f"AttributeError: {root} has no field 'nickname'")


def test_none_objects_raise_like_python(sb):
    message = sb.failed(sb.run("print(event.request.geoip.country_code)"), "exception")
    assert "NoneType" in message


@pytest.mark.parametrize(
    "statement",
    [
        "event.user.email = 'mallory@evil.test'",
        "event.user = None",
        "del event.user",
        "event.user.app_metadata['plan'] = 'free'",
        "del event.user.app_metadata['plan']",
        "event.user.app_metadata.update({'plan': 'free'})",
        "event.user.app_metadata.pop('plan')",
        "event.user.app_metadata.setdefault('x', 1)",
        "event.user.app_metadata.clear()",
        "event.authorization.roles.append('root')",
        "event.authorization.roles.extend(['root'])",
        "event.authorization.roles[0] = 'root'",
        "event.authorization.roles.sort()",
        "event.secrets['API_TOKEN'] = 'x'",
        "event.secrets.API_TOKEN = 'x'",
    ],
)
def test_event_cannot_be_changed(sb, statement):
    data = sb.event_copy()
    before = copy.deepcopy(data)
    body = f"try:\n    {statement}\nexcept Exception:\n    pass"
    result = sb.execute(sb.compile(body), event=data, secrets=dict(sb.SECRETS))
    sb.failed(result, "forbidden")
    assert data == before


def test_copies_made_by_the_action_are_its_own(sb):
    data = sb.event_copy()
    result = sb.execute(
        sb.compile(
            """
            md = dict(event.user.app_metadata)
            md["plan"] = "free"
            roles = list(event.authorization.roles)
            roles.append("root")
            print(md["plan"], event.user.app_metadata.plan, roles, event.authorization.roles)
            """
        ),
        event=data,
    )
    assert sb.logs(sb.succeeded(result)) == [
        "free pro ['admin', 'billing', 'root'] ['admin', 'billing']"
    ]
    assert data == sb.EVENT


def test_the_event_is_not_copied_per_run(sb):
    """Lazy views: a run over a huge event costs the same as over a small one."""
    big = sb.event_copy()
    big["user"]["app_metadata"] = {f"k{i}": i for i in range(50_000)}
    result = sb.execute(sb.compile("print(event.user.email)"), event=big)
    assert sb.logs(sb.succeeded(result)) == ["ada@acme.test"]
    assert result.duration_us < 20_000
