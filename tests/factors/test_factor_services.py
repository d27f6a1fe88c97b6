"""The subject, settings and services the factors are built from, and what they audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from factor_helpers import TENANT, code_in, outbox, wrong

from contextmfa.config import config_from_mapping
from contextmfa.factors import Answer, EnrollRequest, FactorSettings, InvalidGrant, Subject


def test_subject_from_an_enriched_event() -> None:
    event = {
        "tenant": {"id": "acme"},
        "user": {
            "user_id": "auth0|1",
            "email": "a@acme.test",
            "email_verified": True,
            "phone_number": None,
            "username": None,
            "name": "A",
        },
    }
    subject = Subject.from_event(event)
    assert subject == Subject("acme", "auth0|1", "a@acme.test", True, None, None, "A")
    assert subject.label == "a@acme.test"
    assert Subject("acme", "u", username="ann").label == "ann"
    assert Subject("acme", "u").label == "u"


def test_settings_from_tenant_config(tmp_path: Path) -> None:
    raw = {
        "tenant": {"id": "acme"},
        "service": {
            "issuer": "https://mfa.acme.test",
            "webauthn_rp_id": "acme.test",
            "webauthn_origins": ["https://acme.test", "https://app.acme.test"],
        },
    }
    settings = FactorSettings.from_config(config_from_mapping(raw, tmp_path / "tenant.toml"))
    assert settings.issuer == "mfa.acme.test"
    assert settings.service_url == "https://mfa.acme.test"
    assert settings.webauthn.rp_id == "acme.test"
    assert settings.webauthn.origins == ("https://acme.test", "https://app.acme.test")
    assert settings.duo is None


def test_security_events_are_audited(factors, subject, clock, store) -> None:
    sms = factors["sms"]
    started = sms.enroll(subject, EnrollRequest(phone_number="+31612345678"), now=clock.now)
    code = code_in(outbox(store, "sms")[0].body)
    sms.confirm_enrollment(
        subject, Answer(oob_code=started.oob_code, binding_code=code), now=clock.now
    )
    issued = sms.challenge(subject, now=clock.now)
    code = code_in(outbox(store, "sms")[0].body)
    with pytest.raises(InvalidGrant):
        sms.verify(
            subject, Answer(oob_code=issued.oob_code, binding_code=wrong(code)), now=clock.now
        )
    sms.verify(subject, Answer(oob_code=issued.oob_code, binding_code=code), now=clock.now)
    entries = list(reversed(store.audit.list(TENANT, user_id=subject.user_id)))
    assert [e.kind for e in entries] == [
        "factor.code_sent",
        "factor.enrolled",
        "factor.code_sent",
        "factor.failed",
        "factor.verified",
    ]
    assert entries[1].detail == {"factor": "sms", "authenticator_id": started.authenticator_id}
    assert entries[3].detail == {"factor": "sms", "reason": "wrong code"}
