"""Honour the assurance level an application asks for with OIDC acr_values.

What it does
    An application can ask for a stronger login by sending `acr_values` in its authorization
    request (`event.transaction.acr_values`, a list or a space-separated string, in order of
    preference). This Action maps ACR values to the factors that satisfy them and, for the first
    requested value it knows, queues a challenge with those factors (or requires any factor when
    the mapping is "any"). The value it acted on is recorded in the decision's transaction
    metadata as `requested_acr`. Values it does not know are ignored, as OpenID Connect asks of a
    provider. The runtime itself already turns the PAPE multi-factor value
    (http://schemas.openid.net/pape/policies/2007/06/multi-factor) into an MFA requirement; this
    Action adds phishing-resistant and tenant-defined levels. Explicit challenges ignore
    remember-browser, as a step-up should.

When to use it
    Applications that step up for sensitive operations (payments, admin pages) by re-running the
    login with a higher acr_values, the OIDC way, instead of a tenant-wide rule.

Secrets ([secrets.acr_step_up] in tenant.toml, all optional)
    ACR_FACTORS  JSON object: ACR value -> list of factor names, or "any". Replaces the default
                 {"http://schemas.openid.net/pape/policies/2007/06/phishing-resistant":
                  ["webauthn-roaming", "webauthn-platform"]}.

Contributes
    challenge with the mapped factors   first known requested ACR value maps to a list
    require MFA (any factor)            it maps to "any"
    nothing                             no acr_values, or none this Action knows
    transaction metadata requested_acr  the ACR value acted on

Example
    [secrets.acr_step_up]
    ACR_FACTORS = '''
    {"http://schemas.openid.net/pape/policies/2007/06/phishing-resistant":
         ["webauthn-roaming", "webauthn-platform"],
     "urn:acme:loa:2": ["otp", "push-notification", "webauthn-roaming", "webauthn-platform"],
     "urn:acme:loa:1": "any"}'''
"""

import json

PHISHING_RESISTANT = "http://schemas.openid.net/pape/policies/2007/06/phishing-resistant"
DEFAULT_MAPPING = {PHISHING_RESISTANT: ["webauthn-roaming", "webauthn-platform"]}
FACTORS = (
    "otp",
    "sms",
    "voice",
    "email",
    "push-notification",
    "webauthn-roaming",
    "webauthn-platform",
    "duo",
    "recovery-code",
)
MAPPING_ERROR = 'ACR_FACTORS must be a JSON object of ACR value -> list of factor names or "any"'


def acr_mapping(raw):
    """Parse and check ACR_FACTORS."""
    if raw is None:
        return DEFAULT_MAPPING
    try:
        mapping = json.loads(str(raw))
    except ValueError:
        raise ValueError(MAPPING_ERROR) from None
    if not isinstance(mapping, dict):
        raise ValueError(MAPPING_ERROR)
    for factors in mapping.values():
        if factors == "any":
            continue
        if not isinstance(factors, list) or not factors:
            raise ValueError(MAPPING_ERROR)
        if not all(factor in FACTORS for factor in factors):
            raise ValueError(MAPPING_ERROR)
    return mapping


def requested_values(transaction):
    """The requested ACR values in order of preference (empty when none)."""
    if transaction is None or transaction.acr_values is None:
        return []
    values = transaction.acr_values
    if isinstance(values, str):
        return values.split()
    return [str(value) for value in values]


def on_execute_post_login(event, api):
    mapping = acr_mapping(event.secrets.get("ACR_FACTORS"))

    for value in requested_values(event.transaction):
        if value not in mapping:
            continue
        factors = mapping[value]
        api.transaction.set_metadata("requested_acr", value)
        if factors == "any":
            print(f"acr_values asks for {value}: MFA with any factor")
            api.multifactor.enable("any")
        else:
            print(f"acr_values asks for {value}: challenge with {', '.join(factors)}")
            api.authentication.challenge_with_any(factors)
        return
