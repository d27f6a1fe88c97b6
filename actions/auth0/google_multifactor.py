"""Require Google Authenticator for some applications: a port of the Auth0 rule "Multifactor
with Google Authenticator".

Source
    auth0/rules, src/rules/google-multifactor.js (commit 1dbc14a).

What it does
    When the login is for one of CLIENTS_WITH_MFA (client ids), requires MFA with a one-time
    password app (TOTP, as Google Authenticator), remember-browser off. A user without one is
    asked to enroll by scanning a QR code (decisions.md, resolution step 5), as in the original.

Port
    context.clientID                          -> event.client.client_id
    CLIENTS_WITH_MFA.indexOf(...) !== -1       -> client_id in CLIENTS_WITH_MFA (a secret)
    context.multifactor = {provider:          -> api.multifactor.enable(
      "google-authenticator",                      "google-authenticator",
      allowRememberBrowser: false}                 allow_remember_browser=False)
    callback(null, user, context)             -> return

Differences from the original
    - The optional `issuer` (the label in the authenticator app) is the tenant's setting, not
      the Action's. The commented-out skip for impersonated users has no counterpart: this
      runtime has no impersonation. The commented-out condition on app_metadata.use_mfa reads,
      in Python:
        if event.user.app_metadata.get("use_mfa"):

Secrets ([secrets.google_multifactor] in tenant.toml, all optional)
    CLIENTS_WITH_MFA   comma list of client ids that require the authenticator app. Default
                       "REPLACE_WITH_YOUR_CLIENT_ID" (the original's placeholder, which matches
                       no application).

Contributes
    require MFA (otp, remember off)   the login is for one of CLIENTS_WITH_MFA
    nothing                           any other application

Example
    [secrets.google_multifactor]
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
        # Set allow_remember_browser=True to let a remembered browser skip the code.
        api.multifactor.enable("google-authenticator", allow_remember_browser=False)
