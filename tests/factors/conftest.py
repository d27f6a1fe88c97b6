"""Fixtures for the factor tests: the in-memory store, a settable clock, the outbox as every
channel's delivery provider, scripted randomness, the factors bound to them, and a user.
"""

from __future__ import annotations

import pytest
from factor_helpers import ORIGIN, RP_ID, TENANT, Clock, ScriptedEntropy

from contextmfa.delivery import DeliverySection, build_delivery
from contextmfa.factors import (
    FactorServices,
    FactorSettings,
    Subject,
    WebAuthnSettings,
    build_factors,
)
from contextmfa.store import InMemoryStore


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def entropy() -> ScriptedEntropy:
    return ScriptedEntropy()


@pytest.fixture
def settings() -> FactorSettings:
    return FactorSettings(
        issuer="acme.test",
        webauthn=WebAuthnSettings(rp_id=RP_ID, rp_name="Acme", origins=(ORIGIN,)),
        service_url="https://mfa.acme.test",
    )


@pytest.fixture
def services(
    store: InMemoryStore, settings: FactorSettings, entropy: ScriptedEntropy
) -> FactorServices:
    delivery = build_delivery(DeliverySection(), store.outbox)
    return FactorServices.from_store(store, delivery, settings, entropy=entropy)


@pytest.fixture
def factors(services: FactorServices):
    return build_factors(services)


@pytest.fixture
def subject() -> Subject:
    return Subject(
        TENANT,
        "auth0|65a1f0c2",
        email="sanne.devries@acme.test",
        email_verified=True,
        phone_number="+31612345678",
        username="sanne",
        name="Sanne de Vries",
    )
