"""Ask Incognia whether the device logging in is at a trusted location: a port of the Auth0 rule
"Incognia Authentication Rule".

Source
    auth0/rules, src/rules/incognia-authentication.js (commit 00a159a).

What it does
    Registers the login with Incognia (the app installation and the user's account) and puts
    Incognia's risk assessment (low_risk, high_risk or unknown_risk) in the ID token claim
    "https://www.incognia.com/assessment", where the app or a later Action can act on it. With
    MFA_ON_ASSESSMENT set, the listed assessments also require MFA here. When Incognia cannot
    be reached, times out, refuses or answers no assessment, the login is denied with "Error
    calling Incognia API for a new login.", as the original's callback(error) failed it.
    Without the client id and secret, or without an installation id, it does nothing.

Port
    configuration.INCOGNIA_CLIENT_ID / _SECRET  -> the INCOGNIA_CLIENT_ID / _SECRET secrets
    context.request.query                      -> event.device.id (below)
      .incognia_installation_id
    user.user_id                               -> event.user.user_id
    new IncogniaAPI({...})                     -> two calls, as the library makes them:
      .registerLoginAssessment({...})               POST {INCOGNIA_API}/v1/token (HTTP Basic,
                                                    client credentials) for a bearer token,
                                                    then POST {INCOGNIA_API}/v2/authentication/
                                                    transactions {type: "login", ...}
    context.idToken["https://www.incognia.com/ -> api.id_token.set_custom_claim(
      assessment"] = riskAssessment                  "https://www.incognia.com/assessment", ...)
    return callback(error)                     -> api.access.deny(m); return
    callback(null, user, context)              -> return

Differences from the original
    - The login event carries no query string: the app sends Incognia's installation id as
      the login's device.id (the device's stable id), where the original read the
      `incognia_installation_id` query parameter.
    - The original kept its client, and the token it holds, in a global between logins; the
      port asks for a token on each login rather than keep a bearer token in the Action cache.
    - INCOGNIA_REGION is replaced by INCOGNIA_API, the base URL, which the tenant's [sandbox]
      egress list must name (https://api.us.incognia.com by default).
    - MFA_ON_ASSESSMENT is new: the original only set the claim. Unset, the port does the same.
    - The library had a default timeout; the port waits TIMEOUT_MS for each answer. The
      tenant's [sandbox] timeout_ms must exceed twice TIMEOUT_MS (two calls).

Secrets ([secrets.incognia_authentication] in tenant.toml)
    INCOGNIA_CLIENT_ID       the client id (Incognia dashboard, API Credentials). Required.
    INCOGNIA_CLIENT_SECRET   the client secret; sent in the token request's header only.
                             Required.
    INCOGNIA_API             the API's base URL. Default "https://api.us.incognia.com/api".
    MFA_ON_ASSESSMENT        comma list of assessments that require MFA (any factor, remember
                             off), such as "high_risk,unknown_risk". Default "" (none).
    TIMEOUT_MS               how long to wait for each answer. Default "2000".

Contributes
    ID token claim "https://www.incognia.com/assessment"   Incognia answered
    require MFA (any factor, remember off)                 its answer is in MFA_ON_ASSESSMENT
    deny "Error calling Incognia API for a new login."     Incognia failed or timed out
    nothing                                                no credentials, no installation id

Example
    [secrets.incognia_authentication]
    INCOGNIA_CLIENT_ID = "acme-incognia-client"
    INCOGNIA_CLIENT_SECRET = "inc-secret-2b7c9d"
    INCOGNIA_API = "https://api.us.incognia.com/api"
    MFA_ON_ASSESSMENT = "high_risk"
    TIMEOUT_MS = "1500"
"""

ASSESSMENT_CLAIM = "https://www.incognia.com/assessment"
ERROR_REASON = "Error calling Incognia API for a new login."
BASE64_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def base64_of(text):
    """``text`` (UTF-8) in base64, for an HTTP Basic header (the sandbox has no base64)."""
    data = list(text.encode("utf-8"))
    out = []
    for start in range(0, len(data), 3):
        chunk = data[start : start + 3]
        value = 0
        for byte in chunk:
            value = value << 8 | byte
        value = value << 8 * (3 - len(chunk))
        digits = "".join(BASE64_DIGITS[(value >> shift) & 63] for shift in (18, 12, 6, 0))
        out.append(digits[: len(chunk) + 1] + "=" * (3 - len(chunk)))
    return "".join(out)


def answer_of(response, what):
    """The JSON answer of a call that must succeed; an error naming ``what`` otherwise."""
    if not response.ok:
        raise RuntimeError(f"Incognia {what} answered status {response.status}")
    return response.json()


def on_execute_post_login(event, api):
    client_id = event.secrets.get("INCOGNIA_CLIENT_ID")
    client_secret = event.secrets.get("INCOGNIA_CLIENT_SECRET")
    if not client_id or not client_secret:
        print("Missing required configuration. Skipping.")
        return
    incognia_api = event.secrets.get("INCOGNIA_API", "https://api.us.incognia.com/api")
    mfa_on = event.secrets.get("MFA_ON_ASSESSMENT", "")
    timeout_ms = int(event.secrets.get("TIMEOUT_MS", "2000"))
    mfa_assessments = [part.strip() for part in mfa_on.split(",") if part.strip()]

    installation_id = event.device.id if event.device else None
    if not installation_id:
        print("Missing installation_id. Skipping.")
        return
    account_id = event.user.user_id
    if not account_id:
        print("Missing user_id. Skipping.")
        return

    try:
        token = answer_of(
            fetch(  # noqa: F821 (a sandbox global)
                f"{incognia_api}/v1/token",
                method="POST",
                headers={"Authorization": "Basic " + base64_of(f"{client_id}:{client_secret}")},
                data={"grant_type": "client_credentials"},
                timeout_ms=timeout_ms,
            ),
            "token endpoint",
        )
        login_assessment = answer_of(
            fetch(  # noqa: F821 (a sandbox global)
                f"{incognia_api}/v2/authentication/transactions",
                method="POST",
                headers={"Authorization": f"Bearer {token['access_token']}"},
                json={
                    "type": "login",
                    "installation_id": installation_id,
                    "account_id": account_id,
                },
                timeout_ms=timeout_ms,
            ),
            "login assessment",
        )
        risk_assessment = login_assessment.get("risk_assessment")
        if not isinstance(risk_assessment, str):
            raise ValueError("Incognia answered no risk_assessment")
    except Exception as error:
        print(f"Error calling Incognia API for a new login: {error}")
        api.access.deny(ERROR_REASON)
        return

    # Incognia's risk assessment is in a namespaced claim so that other Actions, or the app
    # itself, can decide on MFA or step-up with it.
    api.id_token.set_custom_claim(ASSESSMENT_CLAIM, risk_assessment)
    if risk_assessment in mfa_assessments:
        api.multifactor.enable("any", allow_remember_browser=False)
