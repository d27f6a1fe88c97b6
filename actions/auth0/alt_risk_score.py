"""Put MaxMind's minFraud risk score of the login in the tokens: a port of the Auth0 rule
"Alternate Risk Score".

Source
    auth0/rules, src/rules/alt-risk-score.js (commit 0251971).

What it does
    For applications whose metadata has userApp = "true", sends the login's IP address and
    user agent, the user's id and email to minFraud Score (v2.0) and puts the answer's
    risk_score, with its ip_address (and device and email, when the service answers them), in
    the ID and access token claim CLAIM ("https://travel0.net/risk"). With
    MFA_ABOVE_RISK_SCORE set, a higher risk_score also requires MFA. When the service cannot
    be reached, times out or refuses, the login goes on untouched, as in the original.

Port
    context.clientMetadata.userApp !== "true"  -> event.client.metadata.get("userApp") != "true"
    `https://${ACCOUNT_ID}:${LICENSE_KEY}@      -> fetch(MINFRAUD_SCORE_API, method="POST",
      minfraud.maxmind.com/minfraud/v2.0/score`      headers={"Authorization": "Basic ..."},
      request.post(url, {body, json: true,            json=data, timeout_ms=3000)
      timeout: 3000})                                (the TIMEOUT_MS secret)
    request-promise throws outside 2xx         -> response.ok is false: log and go on
    context.idToken / accessToken[claim]       -> api.id_token / api.access_token
      = user.risk                                     .set_custom_claim(CLAIM, risk)
    log.info / log.error                       -> print
    callback(null, user, context)              -> return

Differences from the original
    - The account id and license key travel in an Authorization header, not in the URL's
      user-info part, which the egress policy refuses and a recorded URL would keep.
    - The original's fakeData switch (constant false) is dropped.
    - The original sent billing names from user.given_name and user.last_name, which the login
      event does not have, and empty strings for a missing email; the port sends only the
      fields the login has (minFraud refuses an empty email address).
    - MFA_ABOVE_RISK_SCORE is new: the original only set the claims. Unset, the port does the
      same. The claim's name is the CLAIM secret (default the original's).
    - The tenant's [sandbox] egress list must name the service (https://minfraud.maxmind.com),
      and its timeout_ms must exceed TIMEOUT_MS: a call cut by the Action's own deadline can end
      the Action (the login follows on_error) instead of taking the fallback.

Secrets ([secrets.alt_risk_score] in tenant.toml)
    MINFRAUD_ACCOUNT_ID    the MaxMind account id. Required.
    MINFRAUD_LICENSE_KEY   the MaxMind license key; sent in the Authorization header only.
                           Required.
    MINFRAUD_SCORE_API     the endpoint. Default "https://minfraud.maxmind.com/minfraud/v2.0/score".
    CLAIM                  the claim's name. Default "https://travel0.net/risk".
    MFA_ABOVE_RISK_SCORE   require MFA (any factor, remember off) above this risk_score (0.01
                           to 99). Default "" (never).
    TIMEOUT_MS             how long to wait for the answer. Default "3000" (the original's).

Contributes
    ID and access token claim CLAIM            the service answered a risk_score
    require MFA (any factor, remember off)     risk_score > MFA_ABOVE_RISK_SCORE
    nothing                                    another application; an error, a timeout

Example
    [secrets.alt_risk_score]
    MINFRAUD_ACCOUNT_ID = "123456"
    MINFRAUD_LICENSE_KEY = "mf-license-0b1c2d3e"
    MINFRAUD_SCORE_API = "https://minfraud.maxmind.com/minfraud/v2.0/score"
    CLAIM = "https://acme.test/risk"
    MFA_ABOVE_RISK_SCORE = "20"
    TIMEOUT_MS = "1500"
"""

import json

BASE64_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
SCORE_API = "https://minfraud.maxmind.com/minfraud/v2.0/score"


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


def on_execute_post_login(event, api):
    # Skip if not user facing app type
    app = event.client
    if app is None or (app.metadata or {}).get("userApp") != "true":
        print(f"Skipping risk check as not enabled for app {app.name if app else None}")
        return
    account_id = event.secrets.get("MINFRAUD_ACCOUNT_ID")
    license_key = event.secrets.get("MINFRAUD_LICENSE_KEY")
    if not account_id or not license_key:
        print("Missing MINFRAUD_ACCOUNT_ID or MINFRAUD_LICENSE_KEY. Skipping risk check.")
        return
    score_api = event.secrets.get("MINFRAUD_SCORE_API", SCORE_API)
    claim = event.secrets.get("CLAIM", "https://travel0.net/risk")
    mfa_above = event.secrets.get("MFA_ABOVE_RISK_SCORE", "")
    timeout_ms = int(event.secrets.get("TIMEOUT_MS", "3000"))
    mfa_above_score = float(mfa_above) if mfa_above else None

    user = event.user
    device = {"ip_address": event.request.ip}
    if event.request.user_agent:
        device["user_agent"] = event.request.user_agent
    data = {"device": device, "account": {"user_id": user.user_id}}
    if user.email:
        data["email"] = {"address": user.email}

    try:
        response = fetch(  # noqa: F821 (a sandbox global)
            score_api,
            method="POST",
            headers={"Authorization": "Basic " + base64_of(f"{account_id}:{license_key}")},
            json=data,
            timeout_ms=timeout_ms,
        )
        if not response.ok:
            raise RuntimeError(f"status {response.status}")
        result = response.json()
        risk_score = result["risk_score"]
    except Exception as err:
        # If the service is down, the request failed, or the result is OK just continue.
        print(f"Error while attempting fraud check: {err}")
        return

    user_info = f"{user.email or user.username} ({user.user_id})"
    print(f"Fraud response for user {user_info}: {json.dumps(result, sort_keys=True)}")
    risk = {"score": risk_score}
    for name in ("ip_address", "device", "email"):
        if name in result:
            risk[name] = result[name]

    # Append to tokens
    api.id_token.set_custom_claim(claim, risk)
    api.access_token.set_custom_claim(claim, risk)
    if mfa_above_score is not None and risk_score > mfa_above_score:
        api.multifactor.enable("any", allow_remember_browser=False)
