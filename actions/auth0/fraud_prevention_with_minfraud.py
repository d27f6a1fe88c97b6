"""Deny logins MaxMind's minFraud scores as risky: a port of the Auth0 rule "Fraud Prevention".

Source
    auth0/rules, src/rules/fraud-prevention-with-minfraud.js (commit 0251971).

What it does
    Posts the login's IP address and user agent, and the MD5 of the user's email and user name,
    to MaxMind's minFraud legacy service (a form body; the answer is `key=value;...` text) and
    denies the login with "Fraud prevention!" when the answer's riskScore is above
    MAX_RISK_SCORE. When the service cannot be reached, times out, answers another status than
    200 or answers no (numeric) riskScore, the login goes on, as in the original ("If the service is
    down, the request failed, or the result is OK just continue").

Port
    configuration.MINFRAUD_LICENSE_KEY          -> the MINFRAUD_LICENSE_KEY secret
    const MINFRAUD_API = "https://minfraud...."  -> the MINFRAUD_API secret (same default)
    request.post(url, {form: data,              -> fetch(url, method="POST", data=data (a form),
      timeout: 3000})                                 timeout_ms=3000) (the TIMEOUT_MS secret)
    crypto.createHash("md5")...digest("hex")    -> md5_hex(text), MD5 in plain Python (the
                                                   sandbox has no hashlib)
    querystring.parse(body, ";")                -> fields_of(response.text)
    result.riskScore * 100 > 20                 -> float(riskScore) > MAX_RISK_SCORE (0.2)
    callback(new UnauthorizedError(m))          -> api.access.deny(m); return
    console.log(...)                            -> print(...)
    callback(null, user, context)               -> return

Differences from the original
    - The service's riskScore is a percentage (0.01 to 100); the original multiplied it by 100
      as if it were a fraction, so it denied above 0.2 %. MAX_RISK_SCORE is in the service's
      unit and its default, 0.2, keeps the original's effective threshold.
    - On a network error the original read `res.statusCode` of an undefined `res` and crashed;
      the port logs the error and lets the login go on, as the original's comment intends.
    - Without MINFRAUD_LICENSE_KEY the original sent an empty key and the service refused it;
      the port makes no call and says so in the log.
    - The whole answer is not logged (it can be long); its riskScore and err are.
    - The tenant's [sandbox] egress list must name the service (https://minfraud.maxmind.com),
      and its timeout_ms must exceed TIMEOUT_MS: a call cut by the Action's own deadline can end
      the Action (the login follows on_error) instead of letting it go on.

Secrets ([secrets.fraud_prevention_with_minfraud] in tenant.toml)
    MINFRAUD_LICENSE_KEY   the MaxMind license key; sent in the form body only. Required.
    MINFRAUD_API           the legacy endpoint. Default "https://minfraud.maxmind.com/app/ccv2r".
    MAX_RISK_SCORE         deny above this riskScore, in percent. Default "0.2".
    TIMEOUT_MS             how long to wait for the answer. Default "3000" (the original's).

Contributes
    deny "Fraud prevention!"   the answer's riskScore is above MAX_RISK_SCORE
    nothing                    a lower score, no score, an error, a timeout, no license key

Example
    [secrets.fraud_prevention_with_minfraud]
    MINFRAUD_LICENSE_KEY = "mf-license-0b1c2d3e"
    MINFRAUD_API = "https://minfraud.maxmind.com/app/ccv2r"
    MAX_RISK_SCORE = "5"
    TIMEOUT_MS = "1500"
"""

import math

MD5_SHIFTS = [7, 12, 17, 22] * 4 + [5, 9, 14, 20] * 4 + [4, 11, 16, 23] * 4 + [6, 10, 15, 21] * 4
MD5_SINES = [int(abs(math.sin(i + 1)) * 4294967296) & 0xFFFFFFFF for i in range(64)]


def md5_hex(text):
    """The MD5 digest of ``text`` (UTF-8) in hex, as crypto's digest("hex") gives it."""
    message = list(text.encode("utf-8"))
    length_bits = (len(message) * 8) & 0xFFFFFFFFFFFFFFFF
    message.append(0x80)
    while len(message) % 64 != 56:
        message.append(0)
    message.extend((length_bits >> (8 * i)) & 0xFF for i in range(8))
    state = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476]
    for start in range(0, len(message), 64):
        block = message[start : start + 64]
        words = [
            block[4 * i] | block[4 * i + 1] << 8 | block[4 * i + 2] << 16 | block[4 * i + 3] << 24
            for i in range(16)
        ]
        a, b, c, d = state
        for i in range(64):
            if i < 16:
                f, g = (b & c) | (~b & d), i
            elif i < 32:
                f, g = (d & b) | (~d & c), (5 * i + 1) % 16
            elif i < 48:
                f, g = b ^ c ^ d, (3 * i + 5) % 16
            else:
                f, g = c ^ (b | (~d & 0xFFFFFFFF)), (7 * i) % 16
            total = (a + f + MD5_SINES[i] + words[g]) & 0xFFFFFFFF
            rotated = ((total << MD5_SHIFTS[i]) | (total >> (32 - MD5_SHIFTS[i]))) & 0xFFFFFFFF
            a, b, c, d = d, (b + rotated) & 0xFFFFFFFF, b, c
        state = [(state[k] + [a, b, c, d][k]) & 0xFFFFFFFF for k in range(4)]
    return "".join(format((word >> (8 * i)) & 0xFF, "02x") for word in state for i in range(4))


def fields_of(body):
    """The service's ``key=value;key=value`` answer as a dict (querystring.parse(body, ";"))."""
    result = {}
    for part in body.split(";"):
        if part:
            name, _, value = part.partition("=")
            result[name.strip()] = value.strip()
    return result


def on_execute_post_login(event, api):
    license_key = event.secrets.get("MINFRAUD_LICENSE_KEY")
    if not license_key:
        print("Missing MINFRAUD_LICENSE_KEY. Skipping fraud check.")
        return
    minfraud_api = event.secrets.get("MINFRAUD_API", "https://minfraud.maxmind.com/app/ccv2r")
    max_risk_score = float(event.secrets.get("MAX_RISK_SCORE", "0.2"))
    timeout_ms = int(event.secrets.get("TIMEOUT_MS", "3000"))

    user = event.user
    data = {
        "i": event.request.ip,
        "user_agent": event.request.user_agent or "",
        "license_key": license_key,
        "emailMD5": md5_hex(user.email) if user.email else "",
        "usernameMD5": md5_hex(user.username) if user.username else "",
    }

    try:
        response = fetch(  # noqa: F821 (a sandbox global)
            minfraud_api,
            method="POST",
            data=data,
            timeout_ms=timeout_ms,
        )
    except FetchError as err:  # noqa: F821 (a sandbox global: no answer, or too late)
        print(f"Error while attempting fraud check: {err}")
        return  # If the service is down or the request failed, just continue.

    if response.status != 200:
        print(f"Unexpected error while attempting fraud check: status {response.status}")
        return

    result = fields_of(response.text)
    print(f"Fraud response: riskScore={result.get('riskScore')} err={result.get('err')}")
    try:
        risk_score = float(result.get("riskScore") or 0)
    except ValueError:
        print("The fraud check answered a riskScore that is not a number: going on.")
        return
    if risk_score > max_risk_score:
        api.access.deny("Fraud prevention!")
        return
