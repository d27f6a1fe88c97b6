"""Require MFA for logins from outside the corporate network: a port of the Auth0 rule
"Multifactor when request comes from outside an IP range".

Source
    auth0/rules, src/rules/guardian-multifactor-ip-range.js (commit 4ff3fe3).

What it does
    When `event.request.ip` is outside CORP_NETWORK, requires MFA with the Guardian factors
    (push notification, SMS, one-time password, email), remember-browser off. Logins from
    inside the range are left to the rest of the flow.

Port
    require("ipaddr.js"), ipaddr.parse(ip)      -> the ip_in_range helper (strings in, bool out)
    current_ip.match(ipaddr.parseCIDR(net))     -> ip_in_range(event.request.ip, networks)
    context.request.ip                          -> event.request.ip
    const corp_network = "192.168.1.134/26"     -> the CORP_NETWORK secret (same default)
    context.multifactor = {provider:            -> api.multifactor.enable("guardian",
      "guardian", allowRememberBrowser: false}       allow_remember_browser=False)
    callback(null, user, context)               -> return

Differences from the original
    - CORP_NETWORK may list several ranges (comma-separated); the original held one.
    - ipaddr.js throws when an IPv6 address is matched against an IPv4 range, which failed the
      login; ip_in_range answers "not inside", so the login is asked for MFA. An IPv4-mapped
      IPv6 address (::ffff:192.168.1.140) counts as the IPv4 address it carries.
    - A range with host bits set ("192.168.1.134/26") means its network (192.168.1.128/26), as
      ipaddr.js's match does. A malformed range is an error (the login follows on_error), as
      the original's parse error was.

Secrets ([secrets.guardian_multifactor_ip_range] in tenant.toml, all optional)
    CORP_NETWORK   comma list of CIDRs (IPv4 or IPv6) of the corporate network. Default
                   "192.168.1.134/26" (the original's).

Contributes
    require MFA (guardian factors, remember off)   the address is outside CORP_NETWORK
    nothing                                        inside it

Example
    [secrets.guardian_multifactor_ip_range]
    CORP_NETWORK = "145.100.0.0/16,2001:db8:ace::/48"
"""


def listed(raw, default):
    """A comma-separated secret as the list of its non-empty entries."""
    text = default if raw is None else str(raw)
    return [part.strip() for part in text.split(",") if part.strip()]


def on_execute_post_login(event, api):
    corp_network = listed(event.secrets.get("CORP_NETWORK"), "192.168.1.134/26")

    # ip_in_range is a global the sandbox provides.
    if not ip_in_range(event.request.ip, corp_network):  # noqa: F821
        # Set allow_remember_browser=True to let a remembered browser skip the prompt.
        api.multifactor.enable("guardian", allow_remember_browser=False)
