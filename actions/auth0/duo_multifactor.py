"""Require Duo for some applications: a port of the Auth0 rule "Multifactor with Duo Security".

Source
    auth0/rules, src/rules/duo-multifactor.js (commit 0251971).

What it does
    When the login is for one of CLIENTS_WITH_MFA (client ids), requires MFA with Duo,
    remember-browser off, so Duo is asked every time. Logins for other applications are left
    to the rest of the flow. Duo owns enrollment: a user new to Duo enrolls in Duo's prompt.

Port
    context.clientID                          -> event.client.client_id
    CLIENTS_WITH_MFA.indexOf(...) !== -1       -> client_id in CLIENTS_WITH_MFA (a secret)
    context.multifactor = {provider: "duo",   -> api.multifactor.enable("duo",
      ikey, skey, host,                            allow_remember_browser=False)
      allowRememberBrowser: false}
    configuration.DUO_IKEY, DUO_SKEY, DUO_HOST -> the tenant's [duo] section of tenant.toml
    callback(null, user, context)             -> return

Differences from the original
    - The Duo keys are not the Action's: this runtime talks to Duo's Universal Prompt with the
      client id, secret and API host of the tenant's [duo] configuration, so the Action names
      only the provider. The original's optional `username` (the Duo user name) is not offered;
      the runtime sends the user id.
    - The commented-out condition on user_metadata.use_mfa reads, in Python:
        if event.user.user_metadata.get("use_mfa"):

Secrets ([secrets.duo_multifactor] in tenant.toml, all optional)
    CLIENTS_WITH_MFA   comma list of client ids that require Duo. Default
                       "REPLACE_WITH_YOUR_CLIENT_ID" (the original's placeholder, which matches
                       no application).

Contributes
    require MFA (duo, remember off)   the login is for one of CLIENTS_WITH_MFA
    nothing                           any other application

Example
    [secrets.duo_multifactor]
    CLIENTS_WITH_MFA = "y5Ut7cLYtOjSmSEW8gB1dAqOyKeQO2Rk"
"""


def listed(raw, default):
    """A comma-separated secret as the list of its non-empty entries."""
    text = default if raw is None else str(raw)
    return [part.strip() for part in text.split(",") if part.strip()]


def on_execute_post_login(event, api):
    clients_with_mfa = listed(event.secrets.get("CLIENTS_WITH_MFA"), "REPLACE_WITH_YOUR_CLIENT_ID")
    client_id = event.client.client_id if event.client is not None else None

    # run only for the specified clients
    if client_id in clients_with_mfa:
        # Set allow_remember_browser=True to let a remembered browser skip Duo.
        api.multifactor.enable("duo", allow_remember_browser=False)
