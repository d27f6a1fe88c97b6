"""Require Guardian MFA for members of some authorization groups: a port of the Auth0 rule
"Multifactor with Auth0 Guardian and Authorization Extension".

Source
    auth0/rules, src/rules/guardian-multifactor-authorization-extension.js (commit 0251971).

What it does
    Reads the groups the Authorization Extension keeps in
    `event.user.app_metadata["authorization"]["groups"]`. When one of them is in
    GROUPS_WITH_MFA, requires MFA with the Guardian factors (push notification, SMS, one-time
    password, email), remember-browser off. Users without that list are left alone.

Port
    user.app_metadata.authorization.groups      -> event.user.app_metadata["authorization"]
                                                   ["groups"]
    Array.isArray(groups)                       -> isinstance(groups, list)
    const GROUPS_WITH_MFA = {admins: true}      -> the GROUPS_WITH_MFA secret (same default)
    !!groups.find((group) => GROUPS_WITH_MFA    -> any(group in groups_with_mfa for group in
      [group])                                       groups)
    context.multifactor = {provider:            -> api.multifactor.enable("guardian",
      "guardian", allowRememberBrowser: false}       allow_remember_browser=False)
    callback(null, user, context)               -> return

Differences from the original
    - None in behaviour. Group names are matched exactly, as object keys were.

Secrets ([secrets.guardian_multifactor_authorization_extension] in tenant.toml, all optional)
    GROUPS_WITH_MFA   comma list of group names that need MFA. Default "admins" (the
                      original's example).

Contributes
    require MFA (guardian factors, remember off)   the user is in one of GROUPS_WITH_MFA
    nothing                                        in none of them, or no group list

Example
    [secrets.guardian_multifactor_authorization_extension]
    GROUPS_WITH_MFA = "admins,finance"
"""


def listed(raw, default):
    """A comma-separated secret as the list of its non-empty entries."""
    text = default if raw is None else str(raw)
    return [part.strip() for part in text.split(",") if part.strip()]


def on_execute_post_login(event, api):
    app_metadata = event.user.app_metadata
    authorization = app_metadata.get("authorization") if app_metadata is not None else None
    if not isinstance(authorization, dict) or not isinstance(authorization.get("groups"), list):
        return

    groups = authorization["groups"]
    # Add groups that need MFA to the GROUPS_WITH_MFA secret.
    groups_with_mfa = listed(event.secrets.get("GROUPS_WITH_MFA"), "admins")

    needs_mfa = any(group in groups_with_mfa for group in groups)

    if needs_mfa:
        # Set allow_remember_browser=True to let a remembered browser skip the prompt.
        api.multifactor.enable("guardian", allow_remember_browser=False)
