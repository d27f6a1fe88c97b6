"""Allow logins only from a list of IP addresses: a port of the Auth0 rule "IP Address allowlist".

Source
    auth0/rules, src/rules/ip-address-allowlist.js (commit 5b54a66), published earlier as
    src/rules/ip-address-whitelist.js (commit 19761b0) with the same code.

What it does
    Denies the login with "Access denied from this IP address." unless `event.request.ip` is
    one of ALLOWED_IPS. Like the original, it applies to every application; put it behind a
    check on `event.client.client_id` to limit it to one.

Port
    const allowlist = ["1.2.3.4", "2.3.4.5"]      -> the ALLOWED_IPS secret (same default)
    allowlist.some((ip) => context.request.ip     -> ip_in_range(event.request.ip, allowlist)
      === ip)
    return callback(new Error(message))            -> api.access.deny(message); return
    return callback(null, user, context)           -> return

Differences from the original
    - Addresses are compared as addresses, not as strings: "2001:db8::1" matches
      "2001:DB8:0:0::1", an IPv4-mapped IPv6 address matches its IPv4 entry, and an entry may be
      a CIDR ("203.0.113.0/24"). A malformed entry is an error (the login follows on_error),
      never a silent miss.

Secrets ([secrets.ip_address_allowlist] in tenant.toml, all optional)
    ALLOWED_IPS   comma list of IP addresses or CIDRs (IPv4 or IPv6). Default "1.2.3.4,2.3.4.5"
                  (the original's); an empty list denies every login.

Contributes
    deny "Access denied from this IP address."   the address is not in ALLOWED_IPS
    nothing                                       it is

Example
    [secrets.ip_address_allowlist]
    ALLOWED_IPS = "203.0.113.0/24,198.51.100.7"
"""


def listed(raw, default):
    """A comma-separated secret as the list of its non-empty entries."""
    text = default if raw is None else str(raw)
    return [part.strip() for part in text.split(",") if part.strip()]


def on_execute_post_login(event, api):
    allowlist = listed(event.secrets.get("ALLOWED_IPS"), "1.2.3.4,2.3.4.5")  # authorized IPs
    user_has_access = ip_in_range(event.request.ip, allowlist)  # noqa: F821 (a sandbox global)

    if not user_has_access:
        api.access.deny("Access denied from this IP address.")
        return
