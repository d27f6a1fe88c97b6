"""Deny logins from a list of IP addresses: a port of the Auth0 rule "IP Address Blocklist".

Source
    auth0/rules, src/rules/ip-address-blocklist.js (commit 5b54a66), published earlier as
    src/rules/ip-address-blacklist.js (commit c788845) with the same code.

What it does
    Denies the login with "Access denied from this IP address." when `event.request.ip` is one
    of BLOCKED_IPS. For long or changing lists (Tor exits, threat feeds) prefer the tenant's
    `[risk] deny_lists` and the shipped deny_on_deny_list Action, which match in about a
    microsecond whatever the list's size.

Port
    const blocklist = ["1.2.3.4", "2.3.4.5"]      -> the BLOCKED_IPS secret (same default)
    blocklist.some((ip) => context.request.ip     -> ip_in_range(event.request.ip, blocklist)
      === ip)
    return callback(new UnauthorizedError(m))      -> api.access.deny(m); return
    return callback(null, user, context)           -> return

Differences from the original
    - Addresses are compared as addresses, not as strings: "2001:db8::1" matches
      "2001:DB8:0:0::1", an IPv4-mapped IPv6 address matches its IPv4 entry, and an entry may be
      a CIDR ("203.0.113.0/24"). A malformed entry is an error (the login follows on_error),
      never a silent miss.

Secrets ([secrets.ip_address_blocklist] in tenant.toml, all optional)
    BLOCKED_IPS   comma list of IP addresses or CIDRs (IPv4 or IPv6). Default "1.2.3.4,2.3.4.5"
                  (the original's).

Contributes
    deny "Access denied from this IP address."   the address is in BLOCKED_IPS
    nothing                                       it is not

Example
    [secrets.ip_address_blocklist]
    BLOCKED_IPS = "198.51.100.0/24,203.0.113.66"
"""


def listed(raw, default):
    """A comma-separated secret as the list of its non-empty entries."""
    text = default if raw is None else str(raw)
    return [part.strip() for part in text.split(",") if part.strip()]


def on_execute_post_login(event, api):
    blocklist = listed(event.secrets.get("BLOCKED_IPS"), "1.2.3.4,2.3.4.5")  # unauthorized IPs
    not_authorized = ip_in_range(event.request.ip, blocklist)  # noqa: F821 (a sandbox global)

    if not_authorized:
        api.access.deny("Access denied from this IP address.")
        return
