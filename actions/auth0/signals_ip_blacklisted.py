"""Look the login's IP address up in Auth0 Signals' block lists: a port of the Auth0 rule
"Detect if IP address is in a blacklist".

Source
    auth0/rules, src/rules/signals-ip-blacklisted.js (commit 2acb614).

What it does
    Asks Auth0 Signals (`GET /badip/{ip}`) whether the login's address is on a block list: a
    200 answer names the lists, a 404 means on none. Stores the lists and the address in
    user_metadata["source_ip"] (blacklists, ip) and in the ID token claim
    `<CLAIM_NAMESPACE>blacklists`. With ON_LISTED set, a listed address also requires MFA or
    is denied. When the service cannot be reached, times out or answers another status than
    200 or 404, the login goes on untouched, as in the original.

Port
    configuration.AUTH0SIGNALS_API_KEY          -> the AUTH0SIGNALS_API_KEY secret
    request({url: ".../badip/" + ip,            -> fetch(f"{SIGNALS_API}/badip/{ip}",
      qs: {token}, timeout: 1000})                   headers={"X-Auth-Token": key},
                                                     timeout_ms=1000) (the TIMEOUT_MS secret)
    if (err) return callback(null, ...)         -> except: print(...); return
    statusCode !== 200 && !== 404               -> response.status not in (200, 404): return
    JSON.parse(body).response                   -> response.json()["response"]
    user.user_metadata.source_ip = {...}        -> api.user.set_user_metadata("source_ip", {...})
    auth0.users.updateUserMetadata(...)         -> (the runtime applies metadata updates)
    context.idToken["https://example.com/       -> api.id_token.set_custom_claim(
      blacklists"] = lists                          CLAIM_NAMESPACE + "blacklists", lists)
    callback(null, user, context)               -> return

Differences from the original
    - The key travels in the X-Auth-Token header, which Signals documents beside the `token`
      query parameter: a query string would put the key in every recorded URL. Without a key
      no header is sent (Signals' anonymous plan), as the original sent `token=undefined`.
    - ON_LISTED is new: the original only recorded the lists; "mfa" or "deny" acts on them in
      the same Action. Its default, "record", keeps the original's behaviour.
    - The claim's namespace is the CLAIM_NAMESPACE secret (default the original's); an answer
      that is not JSON is an error (the login follows on_error), as it made the original throw.
    - The tenant's [sandbox] egress list must name the service (https://signals.api.auth0.com),
      and its timeout_ms must exceed TIMEOUT_MS: a call cut by the Action's own deadline can end
      the Action (the login follows on_error) instead of going on untouched.

Secrets ([secrets.signals_ip_blacklisted] in tenant.toml, all optional)
    AUTH0SIGNALS_API_KEY   the Signals API key; sent in the X-Auth-Token header only.
    SIGNALS_API            the service's base URL. Default "https://signals.api.auth0.com".
    ON_LISTED              "record", "mfa" (any factor, remember off) or "deny". Default "record".
    CLAIM_NAMESPACE        the ID token claim's prefix. Default "https://example.com/".
    TIMEOUT_MS             how long to wait for the answer. Default "1000" (the original's).

Contributes
    deny "Access denied from this IP address."   listed, ON_LISTED = "deny"
    require MFA (any factor, remember off)        listed, ON_LISTED = "mfa"
    user_metadata source_ip, an ID token claim    every answer of 200 or 404
    nothing                                       an error, a timeout, another status

Example
    [secrets.signals_ip_blacklisted]
    AUTH0SIGNALS_API_KEY = "signals-key-6f1e2d"
    SIGNALS_API = "https://signals.api.auth0.com"
    ON_LISTED = "mfa"
    CLAIM_NAMESPACE = "https://acme.test/"
    TIMEOUT_MS = "800"
"""

ON_LISTED_CHOICES = ("record", "mfa", "deny")


def on_execute_post_login(event, api):
    api_key = event.secrets.get("AUTH0SIGNALS_API_KEY")
    signals_api = event.secrets.get("SIGNALS_API", "https://signals.api.auth0.com")
    on_listed = event.secrets.get("ON_LISTED", "record")
    namespace = event.secrets.get("CLAIM_NAMESPACE", "https://example.com/")
    timeout_ms = int(event.secrets.get("TIMEOUT_MS", "1000"))
    if on_listed not in ON_LISTED_CHOICES:
        raise ValueError(f"ON_LISTED must be one of {', '.join(ON_LISTED_CHOICES)}")

    headers = {"content-type": "application/json"}
    if api_key:
        headers["X-Auth-Token"] = api_key

    print("Preparing request to Auth0-Signals")
    try:
        response = fetch(  # noqa: F821 (a sandbox global)
            f"{signals_api}/badip/{event.request.ip}", headers=headers, timeout_ms=timeout_ms
        )
    except FetchError as err:  # noqa: F821 (a sandbox global: no answer, or too late)
        print(f"Error request to Signals: {err}")
        return
    if response.status not in (200, 404):
        print(f"Signals not returning 200 or 404: {response.status}")
        return
    blacklists = []
    if response.status == 200:
        blacklists = list(response.json()["response"])

    source_ip = dict(event.user.user_metadata.get("source_ip") or {})
    source_ip["blacklists"] = blacklists
    source_ip["ip"] = event.request.ip
    print(f"Signals source_ip: {source_ip['ip']}, blacklists: {','.join(blacklists)}")
    api.user.set_user_metadata("source_ip", source_ip)
    api.id_token.set_custom_claim(f"{namespace}blacklists", blacklists)

    if blacklists and on_listed == "deny":
        api.access.deny("Access denied from this IP address.")
    elif blacklists and on_listed == "mfa":
        api.multifactor.enable("any", allow_remember_browser=False)
