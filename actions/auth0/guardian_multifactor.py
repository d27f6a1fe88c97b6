"""Require MFA with Guardian factors on every login: a port of the Auth0 rule "Multifactor with
Auth0 Guardian".

Source
    auth0/rules, src/rules/guardian-multifactor.js (commit 26aed9e).

What it does
    Requires MFA with the Guardian factors (push notification, SMS, one-time password, email),
    remember-browser off, so the user passes a second factor every time. A user with none of
    them enrolled is asked to enroll one (decisions.md, resolution step 5), as Guardian enrolls
    the device on the first login.

Port
    context.multifactor = {provider: "guardian",   -> api.multifactor.enable("guardian",
      allowRememberBrowser: false}                       allow_remember_browser=False)
    callback(null, user, context)                  -> return
    The original's commented-out conditions read, in Python:
        if event.client.client_id in ["REPLACE_WITH_YOUR_CLIENT_ID"]:   (some clients only)
        if event.user.user_metadata.get("use_mfa"):                     (opted-in users only)

Differences from the original
    - None in behaviour. "guardian" stands for this runtime's push-notification, sms, otp and
      email factors, intersected with the factors the tenant enables.

Secrets
    none.

Contributes
    require MFA (guardian factors, remember off)   every login
"""


def on_execute_post_login(event, api):
    # Set allow_remember_browser=True to let a remembered browser skip the prompt.
    api.multifactor.enable("guardian", allow_remember_browser=False)
