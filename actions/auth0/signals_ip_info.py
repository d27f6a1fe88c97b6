"""Record the country, continent and network of the login's IP address from Auth0 Signals: a
port of the Auth0 rule "Find the network provider, country and continent of the IP address".

Source
    auth0/rules, src/rules/signals-ip-info.js (commit 95218a8).

What it does
    Asks Auth0 Signals (`GET /geoip/{ip}`) where the login's address is and whose network it is
    on, and stores country_code, continent_code, asn and asn_name in
    user_metadata["source_ip"] and in four ID token claims under CLAIM_NAMESPACE. It decides
    nothing, as the original: a later Action (or a rule) acts on the values. When the service
    cannot be reached, times out or answers another status than 200, the login goes on
    untouched.

Port
    configuration.AUTH0SIGNALS_API_KEY          -> the AUTH0SIGNALS_API_KEY secret
    request({url: ".../geoip/" + ip,            -> fetch(f"{SIGNALS_API}/geoip/{ip}",
      qs: {token}})                                  headers={"X-Auth-Token": key},
                                                     timeout_ms=TIMEOUT_MS)
    if (err) / statusCode !== 200: callback     -> except / status != 200: return
    typeof ip.country !== "undefined"           -> "country" in answer
    typeof ip.as.asn !== "undefined"            -> "asn" in (answer.get("as") or {})
    user.user_metadata.source_ip = {...}        -> api.user.set_user_metadata("source_ip", {...})
    context.idToken["https://example.com/x"]    -> api.id_token.set_custom_claim(
                                                     CLAIM_NAMESPACE + "x", value)
    callback(null, user, context)               -> return

Differences from the original
    - The key travels in the X-Auth-Token header, not in the query string, so no recorded URL
      holds it; without a key no header is sent (Signals' anonymous plan).
    - The original set no timeout; the port waits TIMEOUT_MS (1000 ms, its sibling
      signals-ip-blacklisted's) so a slow service cannot hold the login.
    - An answer without `as` gave the original a TypeError; the port records empty asn fields.
    - The original logged the whole user profile; the port logs the values it stores.
    - The tenant's [sandbox] egress list must name the service (https://signals.api.auth0.com),
      and its timeout_ms must exceed TIMEOUT_MS: a call cut by the Action's own deadline can end
      the Action (the login follows on_error) instead of going on untouched.

Secrets ([secrets.signals_ip_info] in tenant.toml, all optional)
    AUTH0SIGNALS_API_KEY   the Signals API key; sent in the X-Auth-Token header only.
    SIGNALS_API            the service's base URL. Default "https://signals.api.auth0.com".
    CLAIM_NAMESPACE        the ID token claims' prefix. Default "https://example.com/".
    TIMEOUT_MS             how long to wait for the answer. Default "1000".

Contributes
    user_metadata source_ip, four ID token claims   an answer of 200
    nothing                                          an error, a timeout, another status

Example
    [secrets.signals_ip_info]
    AUTH0SIGNALS_API_KEY = "signals-key-6f1e2d"
    SIGNALS_API = "https://signals.api.auth0.com"
    CLAIM_NAMESPACE = "https://acme.test/"
    TIMEOUT_MS = "800"
"""

FIELDS = ("country_code", "continent_code", "asn", "asn_name")


def on_execute_post_login(event, api):
    api_key = event.secrets.get("AUTH0SIGNALS_API_KEY")
    signals_api = event.secrets.get("SIGNALS_API", "https://signals.api.auth0.com")
    namespace = event.secrets.get("CLAIM_NAMESPACE", "https://example.com/")
    timeout_ms = int(event.secrets.get("TIMEOUT_MS", "1000"))

    headers = {"content-type": "application/json"}
    if api_key:
        headers["X-Auth-Token"] = api_key

    print("Preparing request to Auth0-Signals")
    try:
        response = fetch(  # noqa: F821 (a sandbox global)
            f"{signals_api}/geoip/{event.request.ip}", headers=headers, timeout_ms=timeout_ms
        )
    except FetchError as err:  # noqa: F821 (a sandbox global: no answer, or too late)
        print(f"Error request to Signals: {err}")
        return
    if response.status != 200:
        print(f"Signals not returning 200: {response.status}")
        return
    answer = response.json()["ip"]

    source_ip = dict(event.user.user_metadata.get("source_ip") or {})
    if "country" in answer:
        source_ip["country_code"] = answer["country"]
        source_ip["continent_code"] = answer.get("continent", "")
    else:
        source_ip["country_code"] = ""
        source_ip["continent_code"] = ""
    network = answer.get("as") or {}
    if "asn" in network:
        source_ip["asn"] = network["asn"]
        source_ip["asn_name"] = network.get("name", "")
    else:
        source_ip["asn"] = ""
        source_ip["asn_name"] = ""

    api.user.set_user_metadata("source_ip", source_ip)
    for name in FIELDS:
        api.id_token.set_custom_claim(f"{namespace}{name}", source_ip[name])
    print(f"Signals source_ip: {', '.join(f'{name}={source_ip[name]}' for name in FIELDS)}")
