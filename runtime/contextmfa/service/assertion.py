"""The ``assertion``: an ES256 JWT that tells the IdP this user passed MFA for this login.

Claims (spec): ``iss`` (the tenant's ``[service] issuer``), ``aud`` (the client id), ``sub``,
``login_id``, ``amr`` (the factors passed), ``acr`` (the OpenID PAPE multi-factor policy), ``iat``,
``exp`` (5 minutes), ``jti``. The IdP verifies it with the JWKS (``/.well-known/jwks.json``).

The signing key is a P-256 key *derived* from ``CONTEXTMFA_SECRET_KEY`` and the tenant id
(``MasterKey.derive("service/assertion-key/v1/<tenant>")`` expanded with HKDF to 48 bytes and
reduced into the curve's scalar range, as FIPS 186-5 A.2.1 does with random bits). Every worker
on every host therefore holds the same key without storing, sharing or racing to create one,
each tenant has its own key (one tenant's assertions never verify with another's JWKS), and the
private key never exists outside memory. The key id is the key's RFC 7638 thumbprint. Rotating
``CONTEXTMFA_SECRET_KEY`` rotates the key; the ``v1`` in the derivation label leaves room for
rotation on its own later.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from jwt.algorithms import ECAlgorithm

from contextmfa.factors.push_protocol import b64url
from contextmfa.store.keys import MasterKey
from contextmfa.store.tokens import new_id

__all__ = ["ASSERTION_TTL", "MFA_ACR", "AssertionRefused", "AssertionSigner"]

ASSERTION_TTL = timedelta(minutes=5)
MFA_ACR = "http://schemas.openid.net/pape/policies/2007/06/multi-factor"
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def derive_signing_key(master: MasterKey, tenant_id: str) -> ec.EllipticCurvePrivateKey:
    """The tenant's P-256 signing key: deterministic, uniform in [1, n-1]."""
    seed = master.derive(f"service/assertion-key/v1/{tenant_id}")
    wide = HKDFExpand(hashes.SHA256(), 48, b"contextmfa P-256 scalar").derive(seed)
    scalar = int.from_bytes(wide, "big") % (_P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: SHA-256 over the required members, sorted, no whitespace."""
    required = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":")).encode("ascii")
    return b64url(hashlib.sha256(canonical).digest())


class AssertionRefused(ValueError):
    """Not an assertion of this tenant's signer (forged, another tenant's, malformed)."""


class AssertionSigner:
    """Signs one tenant's assertions and publishes the public half."""

    def __init__(self, master: MasterKey, tenant_id: str, issuer: str) -> None:
        self._key = derive_signing_key(master, tenant_id)
        self.issuer = issuer
        public = ECAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        self.kid = _thumbprint(public)
        self._jwk = {**public, "kid": self.kid, "use": "sig", "alg": "ES256"}

    def __repr__(self) -> str:
        return f"AssertionSigner(kid={self.kid!r})"

    def jwks(self) -> dict[str, Any]:
        return {"keys": [dict(self._jwk)]}

    def sign(
        self,
        *,
        audience: str,
        subject: str,
        login_id: str,
        amr: Sequence[str],
        now: datetime,
    ) -> str:
        issued = int(now.timestamp())
        claims = {
            "iss": self.issuer,
            "aud": audience,
            "sub": subject,
            "login_id": login_id,
            "amr": list(amr),
            "acr": MFA_ACR,
            "iat": issued,
            "exp": issued + int(ASSERTION_TTL.total_seconds()),
            "jti": new_id(),
        }
        return jwt.encode(claims, self._key, algorithm="ES256", headers={"kid": self.kid})

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of an assertion this signer made, signature and issuer checked.

        Expiry is left to the caller, who holds the service clock.
        """
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["ES256"],
                issuer=self.issuer,
                options={"verify_aud": False, "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            raise AssertionRefused("not an assertion of this tenant") from None
        return claims
