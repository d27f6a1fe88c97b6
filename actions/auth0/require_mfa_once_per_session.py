"""Require MFA once per session: a port of the Auth0 rule "Require MFA once per session".

Source
    auth0/rules, src/rules/require-mfa-once-per-session.js (commit 0251971).

What it does
    When the session already passed MFA (an `event.authentication.methods` entry named "mfa"),
    does nothing, so silent authentication (prompt=none) renews tokens without a prompt.
    Otherwise requires MFA with any factor, remember-browser off.

Port
    context.authentication.methods.find(      -> any(method.name == "mfa" for method in
      (method) => method.name === "mfa")           event.authentication.methods)
    return callback(null, user, context)      -> return
    context.multifactor = {provider: "any",   -> api.multifactor.enable("any",
      allowRememberBrowser: false}                 allow_remember_browser=False)

Differences from the original
    - None in behaviour. The shipped mfa_once_per_session Action (actions/) adds an age limit
      on the session's MFA and honours a remembered browser; this port keeps the original's
      rule: any MFA in the session counts, whatever its age.

Secrets
    none.

Contributes
    require MFA (any factor, remember off)   no MFA in the session
    nothing                                  the session passed MFA
"""


def on_execute_post_login(event, api):
    completed_mfa = any(method.name == "mfa" for method in event.authentication.methods)

    if completed_mfa:
        return

    api.multifactor.enable("any", allow_remember_browser=False)
