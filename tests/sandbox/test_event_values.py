"""Values read from ``event`` answer like the plain values they show, and still cannot change it.

``isinstance(v, dict)``, ``==``, ``json.dumps``, ``copy()``, ``dict()``, ``list()``, ``|`` and ``*``
behave as on the plain dicts and lists an Action written for Python expects (issue 17 #2: an
Action that checked ``isinstance(mfa, dict)`` silently skipped MFA), while no copy, merge or
unbound ``dict``/``list`` method writes through to the event or to the next Action.
"""

from __future__ import annotations

import copy

import pytest

from contextmfa.sandbox import SandboxLimits


def test_an_action_that_checks_isinstance_requires_mfa(sb):
    data = sb.event_copy()
    data["user"]["app_metadata"]["mfa"] = {"required": True, "factors": ["otp"]}
    result = sb.execute(
        sb.compile(
            """
            mfa = event.user.app_metadata.get("mfa")
            if isinstance(mfa, dict) and mfa.get("required"):
                factors = mfa.get("factors")
                if isinstance(factors, list):
                    api.authentication.challenge_with_any(factors)
            """
        ),
        event=data,
    )
    assert [(d.kind, sorted(d.factors)) for d in sb.succeeded(result).directives] == [
        ("challenge", ["otp"])
    ]


def test_event_values_answer_isinstance_like_their_plain_values(sb):
    result = sb.run(
        """
        md = event.user.app_metadata
        print(isinstance(md, dict), isinstance(md["tags"], list), isinstance(md, list))
        print(isinstance(event.user, dict), isinstance(event.authorization.roles, list))
        print(isinstance(event.user.enrolled_factors[0], dict), isinstance(event, dict))
        print(isinstance(event.authorization.roles, (tuple, list)), isinstance(md, (str, int)))
        print(isinstance(event.secrets, dict), isinstance(event.authorization.roles[:1], list))
        """
    )
    assert sb.logs(sb.succeeded(result)) == [
        "True True False",
        "True True",
        "True True",
        "True False",
        "True True",
    ]


def test_event_values_compare_and_serialise_like_their_plain_values(sb):
    result = sb.run(
        """
        import json
        md = event.user.app_metadata
        plain = {"plan": "pro", "mfa_required": True, "tags": ["a", "b"]}
        tags = md["tags"]
        print(md == plain, plain == md, md != plain, tags == ["a", "b"], ["a", "b"] == tags)
        print([md] == [plain], {"m": md} == {"m": plain}, md in [plain])
        print(json.dumps(md, sort_keys=True))
        print(json.dumps({"m": md, "r": event.authorization.roles}, indent=1).replace("\\n", ""))
        """
    )
    assert sb.logs(sb.succeeded(result)) == [
        "True True False True True",
        "True True True",
        '{"mfa_required": true, "plan": "pro", "tags": ["a", "b"]}',
        '{ "m": {  "plan": "pro",  "mfa_required": true,  "tags": [   "a",   "b"  ] },'
        ' "r": [  "admin",  "billing" ]}',
    ]


def test_copy_is_a_deep_plain_copy_the_action_owns(sb):
    data = sb.event_copy()
    result = sb.execute(
        sb.compile(
            """
            md = event.user.app_metadata.copy()
            md["plan"] = "free"
            md["tags"].append("c")
            tags = event.user.app_metadata["tags"].copy()
            tags.sort(reverse=True)
            print(md, tags)
            print(event.user.app_metadata, isinstance(md["tags"], list))
            """
        ),
        event=data,
    )
    assert sb.logs(sb.succeeded(result)) == [
        "{'plan': 'free', 'mfa_required': True, 'tags': ['a', 'b', 'c']} ['b', 'a']",
        "{'plan': 'pro', 'mfa_required': True, 'tags': ['a', 'b']} True",
    ]
    assert data == sb.EVENT


def test_check_accepts_copy_wherever_the_run_serves_it(sb):
    result = sb.run(
        """
        user, roles = event.user.copy(), event.authorization.roles.copy()
        factor = event.user.enrolled_factors[0].copy()
        user["email"], factor["type"] = "x", "y"
        roles.append("root")
        print(roles, factor["type"], user["email"], event.user.email)
        """
    )
    assert sb.logs(sb.succeeded(result)) == ["['admin', 'billing', 'root'] y x ada@acme.test"]


def test_a_copy_is_paid_for_by_its_size(sb):
    big = sb.event_copy()
    big["user"]["app_metadata"] = {"k": [[i] for i in range(5_000)]}
    result = sb.execute(
        sb.compile("for _ in range(100):\n    event.user.app_metadata.copy()"),
        event=big,
        limits=SandboxLimits(timeout_ms=5_000),
    )
    assert "step limit" in sb.failed(result, "limit")


def test_plain_operations_give_plain_values(sb):
    result = sb.run(
        """
        md, roles = event.user.app_metadata, event.authorization.roles
        merged = md | {"plan": "free"}
        merged["x"] = 1
        doubled = roles * 2
        doubled.append("x")
        print(merged, {"y": 0} | md == dict(md, y=0), doubled, 2 * roles)
        print(list(reversed(md)), md.get("missing", {}) == {}, md)
        fallback = md.get("missing", {})
        fallback["mine"] = True
        print(fallback)
        """
    )
    assert sb.logs(sb.succeeded(result)) == [
        "{'plan': 'free', 'mfa_required': True, 'tags': ['a', 'b'], 'x': 1} True"
        " ['admin', 'billing', 'admin', 'billing', 'x'] ['admin', 'billing', 'admin', 'billing']",
        "['tags', 'mfa_required', 'plan'] True {'plan': 'pro', 'mfa_required': True,"
        " 'tags': ['a', 'b']}",
        "{'mine': True}",
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "dict(event.user.app_metadata)['tags'].append('root')",
        "list(event.user.enrolled_factors)[0]['type'] = 'root'",
        "(event.user.app_metadata | {})['tags'].append('root')",
        "(event.user.enrolled_factors * 1)[0].update({'type': 'root'})",
        "d = {}\n    d.update(event.user.app_metadata)\n    d['tags'].append('root')",
        "dict.update(event.user.app_metadata, {'plan': 'free'})",
        "dict.setdefault(event.user.app_metadata, 'plan', 'free')",
        "dict.pop(event.user.app_metadata, 'plan')",
        "dict.clear(event.user.app_metadata)",
        "list.append(event.authorization.roles, 'root')",
        "list.extend(event.authorization.roles, ['root'])",
        "list.sort(event.authorization.roles)",
        "list.insert(event.authorization.roles, 0, 'root')",
        "list.copy(event.authorization.roles).append('root')",
    ],
)
def test_what_looks_like_a_dict_or_list_still_cannot_change_the_event(sb, statement):
    data = sb.event_copy()
    before = copy.deepcopy(data)
    body = f"try:\n    {statement}\nexcept Exception:\n    pass\nraise ValueError('refused')"
    result = sb.execute(sb.compile(body), event=data)
    assert result.error is not None and result.error.kind in ("exception", "forbidden")
    assert data == before


def test_changes_to_copies_never_reach_the_next_action(sb):
    data = sb.event_copy()
    writer = sb.compile(
        """
        md = event.user.app_metadata.copy()
        md["tags"].append("root")
        merged = dict(event.user.app_metadata)
        merged["plan"] = "free"
        """
    )
    reader = sb.compile("print(event.user.app_metadata)", path="/tenant/actions/reader.py")
    sb.succeeded(sb.execute(writer, event=data))
    assert sb.logs(sb.execute(reader, event=data)) == [
        "{'plan': 'pro', 'mfa_required': True, 'tags': ['a', 'b']}"
    ]
    assert data == sb.EVENT
