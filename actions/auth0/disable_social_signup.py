"""Refuse signups through social connections: a port of the Auth0 rule "Disable social
signups".

Source
    auth0/rules, src/rules/disable-social-signup.js (commit 9a2d577); the published template
    of the same rule (rules.json, commit 968668a) for telling a social connection apart.

What it does
    For the applications in CLIENTS_ENABLED only: a user's first login (`stats.logins_count`
    1, which counts this login) through a social connection is a signup. It is denied with
    "Signup disabled", and the user is flagged (`app_metadata["is_signup"] = True`) so every
    later login of that account is denied too, whatever the connection.

Port
    CLIENTS_ENABLED.indexOf(context.clientID)    -> event.client.client_id not in
      === -1                                         CLIENTS_ENABLED (a secret)
    context.stats.loginsCount === 1              -> event.stats.logins_count == 1
    user.identities[0].isSocial                  -> event.connection.strategy ==
      (template: connectionStrategy ===               event.connection.name
      connection)
    user.app_metadata.is_signup = true;          -> api.user.set_app_metadata("is_signup",
      auth0.users.updateAppMetadata(...)              True)
    callback(new Error("Signup disabled"))       -> api.access.deny("Signup disabled"); return
    callback(null, user, context)                -> return

Differences from the original
    - `user.identities` is not part of the login event here, so a connection is social when
      its name is its strategy ("google-oauth2", "github", ...), the test the published
      template used. A social connection you renamed needs its name listed instead: replace
      `is_social` with `event.connection.name in [...]`.
    - The metadata update is part of the decision (`metadata_updates`), which your identity
      provider applies; the original wrote it through the Management API before failing the
      login, and failed with that error when the write failed.

Secrets ([secrets.disable_social_signup] in tenant.toml, all optional)
    CLIENTS_ENABLED   comma list of client ids the Action applies to. Default
                      "REPLACE_WITH_YOUR_CLIENT_ID" (the original's placeholder, which matches
                      no application).

Contributes
    deny "Signup disabled" + app_metadata is_signup = true   first login through a social
                                                             connection
    deny "Signup disabled"                                   the user was flagged before
    nothing                                                  other clients, other logins

Example
    [secrets.disable_social_signup]
    CLIENTS_ENABLED = "y5Ut7cLYtOjSmSEW8gB1dAqOyKeQO2Rk"
"""


def listed(raw, default):
    """A comma-separated secret as the list of its non-empty entries."""
    text = default if raw is None else str(raw)
    return [part.strip() for part in text.split(",") if part.strip()]


def on_execute_post_login(event, api):
    clients_enabled = listed(event.secrets.get("CLIENTS_ENABLED"), "REPLACE_WITH_YOUR_CLIENT_ID")
    # run only for the specified clients
    client_id = event.client.client_id if event.client is not None else None
    if client_id not in clients_enabled:
        return

    app_metadata = event.user.app_metadata or {}
    connection = event.connection
    strategy = connection.strategy if connection is not None else None
    is_social = bool(strategy) and strategy == connection.name
    logins_count = event.stats.logins_count if event.stats is not None else None

    # if it is the first login (hence the signup) and it is a social login
    if logins_count == 1 and is_social:
        # turn on the flag, stored with the user's app_metadata
        api.user.set_app_metadata("is_signup", True)
        api.access.deny("Signup disabled")
        return

    # if the flag is on, deny
    if app_metadata.get("is_signup"):
        api.access.deny("Signup disabled")
        return

    # else it is not a social login, or not a signup
