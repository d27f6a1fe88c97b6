"""Allow only users whose email domain belongs to the connection: a port of the Auth0 rule
"Check if user email domain matches configured domain".

Source
    auth0/rules, src/rules/check-domains-against-connection-aliases.js (commit e877094).

What it does
    Reads the domains an enterprise connection is set up for: its tenant domain and its domain
    aliases. With none, every login passes. With aliases but no tenant domain, every login is
    denied. Otherwise the login is denied with "Access denied" unless the domain of the user's
    email (after the last "@", case-insensitive) is one of them: a SAML connection for
    exampleco.com then lets in user@exampleco.com and not user@examplecocorp.com.

Port
    context.connectionOptions.tenant_domain      -> event.connection.metadata["tenant_domain"]
    context.connectionOptions.domain_aliases     -> event.connection.metadata["domain_aliases"]
    new Set([tenantDomain]), .add(alias          -> a set of the tenant domain and the aliases,
      .toLowerCase())                                lowercased
    emailSplit[emailSplit.length - 1]            -> email.split("@")[-1].lower()
      .toLowerCase()
    return callback("Access denied")             -> api.access.deny("Access denied"); return
    return callback(null, user, context)         -> return

Differences from the original
    - A connection's options are not part of the login event here: put `tenant_domain` and
      `domain_aliases` in the connection's metadata (aliases as a list, or as one comma-separated
      string, since connection metadata values are often strings).
    - The tenant domain is lowercased like the aliases: the original kept it as written, so a
      tenant domain written "ExampleCo.com" matched no user.
    - A user without an email made the original throw (the login failed); the port denies with
      the same message.

Secrets
    none.

Contributes
    deny "Access denied"   aliases without a tenant domain, or an email domain not listed
    nothing                no domains configured, or the email's domain is listed
"""


def aliases_of(value):
    """The domain aliases as a list: a list as is, a string split at commas."""
    if not value:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)


def on_execute_post_login(event, api):
    connection_options = event.connection.metadata if event.connection is not None else {}
    domain_aliases = aliases_of(connection_options.get("domain_aliases"))
    tenant_domain = connection_options.get("tenant_domain")

    # No domains -> access allowed
    if not tenant_domain and not len(domain_aliases):
        return

    # Domain aliases exist but no tenant domain exists
    if len(domain_aliases) and not tenant_domain:
        api.access.deny("Access denied")
        return

    allowed_domains = {str(tenant_domain).lower()}
    for alias in domain_aliases:
        if alias:
            allowed_domains.add(str(alias).lower())

    # Access allowed if domain is found
    email_split = (event.user.email or "").split("@")
    user_email_domain = email_split[-1].lower()
    if user_email_domain in allowed_domains:
        return

    api.access.deny("Access denied")
