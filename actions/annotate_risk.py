"""Pass the login's risk to applications as token claims, and remember the last country.

What it does
    Adds the runtime's risk confidence ("high", "medium", "low") as a custom claim to the ID
    token and the access token, so applications and APIs can limit what a risky session may do
    (hide payment details, refuse to change the password...). When the login has no risk
    assessment the claim says "low": an application that trusts only "high" stays safe (fail
    closed). The confidence also goes into the decision's transaction metadata. The login's time
    is recorded in `app_metadata["last_login_at"]` and, when known, its country in
    `app_metadata["last_country"]`. It never changes the MFA outcome.

When to use it
    Alongside other Actions, when downstream applications want to act on risk themselves.
    Claim names are namespaced (a URL prefix), as OIDC asks of non-standard claims.

Secrets ([secrets.annotate_risk] in tenant.toml, all optional)
    CLAIM_NAMESPACE  prefix of the claim name; the claim is <prefix>risk_confidence.
                     Default "https://contextmfa.dev/".
    RECORD_LOGIN     "true" (default) records last_country and last_login_at in app_metadata;
                     "false" leaves the user profile alone.

Contributes
    no directive
    id_token and access_token claim <CLAIM_NAMESPACE>risk_confidence
    transaction metadata risk_confidence
    app_metadata last_login_at, last_country (when RECORD_LOGIN; country when known)

Example
    [secrets.annotate_risk]
    CLAIM_NAMESPACE = "https://acme.test/claims/"
    RECORD_LOGIN = "true"
"""

TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")
CONFIDENCES = ("high", "medium", "low")


def flag(raw, name, default):
    """Parse a true/false secret."""
    if raw is None:
        return default
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{name} must be true or false")


def on_execute_post_login(event, api):
    namespace = event.secrets.get("CLAIM_NAMESPACE")
    namespace = "https://contextmfa.dev/" if namespace is None else str(namespace).strip()
    if not namespace:
        raise ValueError("CLAIM_NAMESPACE must not be empty")
    record = flag(event.secrets.get("RECORD_LOGIN"), "RECORD_LOGIN", True)

    risk = event.authentication.risk_assessment
    confidence = risk.confidence if risk is not None else None
    if confidence not in CONFIDENCES:
        print(f"risk confidence unavailable ({confidence}): claiming low")
        confidence = "low"

    claim = f"{namespace}risk_confidence"
    api.id_token.set_custom_claim(claim, confidence)
    api.access_token.set_custom_claim(claim, confidence)
    api.transaction.set_metadata("risk_confidence", confidence)

    if not record:
        return
    api.user.set_app_metadata("last_login_at", event.timestamp)
    geoip = event.request.geoip
    country = geoip.country_code if geoip is not None else None
    if country:
        api.user.set_app_metadata("last_country", str(country).upper())
