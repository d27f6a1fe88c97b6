"""Require MFA on every login: a port of the Auth0 rule "Multifactor Authentication".

Source
    auth0/rules, src/rules/mfa.js (commit b3fba72).

What it does
    Requires MFA with any factor the tenant enables, remember-browser off, so the user passes a
    second factor every time. The original is a template whose condition is left commented
    out; as published it applies to every login, and so does the port.

Port
    context.multifactor = {provider: "any",   -> api.multifactor.enable("any",
      allowRememberBrowser: false}                 allow_remember_browser=False)
    callback(null, user, context)             -> return
    The conditions the original suggests read, in Python:
        if event.client.client_id == "REPLACE_WITH_YOUR_CLIENT_ID":
        if event.user.user_metadata.get("use_mfa"):

Differences from the original
    - None in behaviour.

Secrets
    none.

Contributes
    require MFA (any factor, remember off)   every login
"""


def on_execute_post_login(event, api):
    # Set allow_remember_browser=True to let a remembered browser skip the prompt.
    api.multifactor.enable("any", allow_remember_browser=False)
