"""Record the user's Signifyd fraud score: a port of the Auth0 rule "Detect Ecommerce Fraud
Users".

Source
    auth0/rules, src/rules/signifyd-score.js (commit 00912cd).

What it does
    For a user whose app_metadata holds a Signifyd caseId (and who has an email), reads the
    case from Signifyd (`GET /v2/cases/{caseId}`) and stores its score (0 to 1000, lower is
    riskier), status and guarantee eligibility in app_metadata (signifyd, signifyd_status,
    guaranteeEligible) and the status and score in two ID token claims. With MFA_BELOW_SCORE
    set, a lower score also requires MFA. When Signifyd cannot be reached, times out or
    answers another status than 200, the login goes on untouched, as in the original.

Port
    user.app_metadata.caseId                   -> event.user.app_metadata.get("caseId")
    "Authorization": "Basic YWJj..."           -> "Basic " + base64(SIGNIFYD_API_KEY + ":")
    request({url: ".../v2/cases/" + caseId})   -> fetch(f"{SIGNIFYD_API}/v2/cases/{case}",
                                                    timeout_ms=TIMEOUT_MS), the case id
                                                    percent-encoded
    if (err) / statusCode !== 200: callback    -> except / status != 200: return
    user.app_metadata.x = ...;                 -> api.user.set_app_metadata("x", ...)
      auth0.users.updateAppMetadata(...)
    context.idToken["https://example.com/x"]   -> api.id_token.set_custom_claim(
                                                    CLAIM_NAMESPACE + "x", value)
    callback(null, user, context)              -> return

Differences from the original
    - The original's Basic header was a placeholder key written into the code; the port reads
      the key from SIGNIFYD_API_KEY and, without it, makes no call.
    - The original read a wrapper ({status: "Ok", data: {...}}) that Signifyd's documented
      case answer does not have, and stored data.status under guaranteeEligible; the port
      reads the case's own fields: score, status, guaranteeEligible.
    - The original's claims read signifyd_status and signifyd_score, which it never set (always
      undefined); the port stores signifyd_status and fills both claims.
    - data.details is not part of the case answer: signifyd_details is not stored.
    - The caseId is percent-encoded into the path: a caseId from app_metadata cannot add a
      query to the request, and one with a slash is refused by the egress policy (an error;
      the login follows on_error), so it cannot reach another path either.
    - MFA_BELOW_SCORE is new: the original only recorded the score. Unset, the port does the
      same. The claims' prefix is the CLAIM_NAMESPACE secret (default the original's).
    - The original set no timeout; the port waits TIMEOUT_MS. The tenant's [sandbox] egress
      list must name the service (https://api.signifyd.com), and its timeout_ms must exceed
      TIMEOUT_MS: a call cut by the Action's own deadline can end the Action.

Secrets ([secrets.signifyd_score] in tenant.toml)
    SIGNIFYD_API_KEY   the team's API key; sent in the Authorization header only. Required.
    SIGNIFYD_API       the API's base URL. Default "https://api.signifyd.com".
    MFA_BELOW_SCORE    require MFA (any factor, remember off) below this score (0 to 1000).
                       Default "" (never).
    CLAIM_NAMESPACE    the ID token claims' prefix. Default "https://example.com/".
    TIMEOUT_MS         how long to wait for the answer. Default "2000".

Contributes
    app_metadata and two ID token claims       Signifyd answered the case
    require MFA (any factor, remember off)     its score < MFA_BELOW_SCORE
    nothing                                    no caseId, no email, no key; an error, a
                                               timeout, another status

Example
    [secrets.signifyd_score]
    SIGNIFYD_API_KEY = "sig-key-4d5e6f"
    SIGNIFYD_API = "https://api.signifyd.com"
    MFA_BELOW_SCORE = "300"
    CLAIM_NAMESPACE = "https://acme.test/"
    TIMEOUT_MS = "1500"
"""

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


UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


def quoted(value):
    """``value`` percent-encoded for one URL component, as the original's URL built it."""
    return "".join(
        chr(byte) if chr(byte) in UNRESERVED else "%" + format(byte, "02X")
        for byte in str(value).encode("utf-8")
    )


def on_execute_post_login(event, api):
    case_id = event.user.app_metadata.get("caseId")
    if not case_id:
        return
    if not event.user.email:
        # the profile doesn't have email so we can't query their api.
        return
    api_key = event.secrets.get("SIGNIFYD_API_KEY")
    if not api_key:
        print("Missing SIGNIFYD_API_KEY. Skipping.")
        return
    signifyd_api = event.secrets.get("SIGNIFYD_API", "https://api.signifyd.com")
    mfa_below = event.secrets.get("MFA_BELOW_SCORE", "")
    namespace = event.secrets.get("CLAIM_NAMESPACE", "https://example.com/")
    timeout_ms = int(event.secrets.get("TIMEOUT_MS", "2000"))
    mfa_below_score = float(mfa_below) if mfa_below else None

    try:
        response = fetch(  # noqa: F821 (a sandbox global)
            f"{signifyd_api}/v2/cases/{quoted(case_id)}",
            headers={"Authorization": "Basic " + base64_of(f"{api_key}:")},
            timeout_ms=timeout_ms,
        )
    except FetchError as err:  # noqa: F821 (a sandbox global: no answer, or too late)
        print(f"Error calling Signifyd: {err}")
        return
    if response.status != 200:
        print(f"Signifyd not returning 200: {response.status}")
        return
    signifyd = response.json()
    score = signifyd.get("score")
    if not isinstance(score, (int, float)) or isinstance(score, bool):
        print("Signifyd answered no score. Skipping.")
        return

    api.user.set_app_metadata("guaranteeEligible", signifyd.get("guaranteeEligible"))
    api.user.set_app_metadata("signifyd", score)
    api.user.set_app_metadata("signifyd_status", signifyd.get("status"))
    api.id_token.set_custom_claim(f"{namespace}signifyd_status", signifyd.get("status"))
    api.id_token.set_custom_claim(f"{namespace}signifyd_score", score)
    if mfa_below_score is not None and score < mfa_below_score:
        api.multifactor.enable("any", allow_remember_browser=False)
