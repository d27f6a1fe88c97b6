"""Allow only members of one Active Directory group: a port of the Auth0 rule "Active Directory
group membership".

Source
    auth0/rules, src/rules/active-directory-groups.js (commit b23d6d4).

What it does
    When the user comes with a list of groups (`event.user.app_metadata["groups"]`, one name
    or a list of names), denies the login with "Access denied." unless GROUP_ALLOWED is one of
    them. Users without groups (people from other connections) are left alone, as in the
    original.

Port
    var groupAllowed = "group1"                 -> the GROUP_ALLOWED secret (same default)
    user.groups                                 -> event.user.app_metadata["groups"]
    typeof user.groups === "string"             -> isinstance(groups, str): [groups]
    user.groups.some((group) => groupAllowed    -> any(group_allowed == group for group in
      === group)                                     groups)
    return callback(new UnauthorizedError(m))   -> api.access.deny(m); return
    callback(null, user, context)               -> return

Differences from the original
    - `user.groups` (the AD/LDAP connector's profile) is not part of the login event here: have
      the identity provider pass the groups in app_metadata["groups"].
    - The original rewrote user.groups; the port keeps the list in a local name (the event is
      read-only). Groups of another type (a number, an object) are an error, as they made the
      original's .some() throw.

Secrets ([secrets.active_directory_groups] in tenant.toml, all optional)
    GROUP_ALLOWED   the group whose members may log in. Default "group1" (the original's).

Contributes
    deny "Access denied."   the user has groups, none of them GROUP_ALLOWED
    nothing                 a member of GROUP_ALLOWED, or no groups at all

Example
    [secrets.active_directory_groups]
    GROUP_ALLOWED = "Acme-Staff"
"""


def on_execute_post_login(event, api):
    group_allowed = event.secrets.get("GROUP_ALLOWED", "group1")
    groups = event.user.app_metadata.get("groups")
    if groups:
        if isinstance(groups, str):
            groups = [groups]
        if not isinstance(groups, list):
            raise TypeError("app_metadata['groups'] must be a group name or a list of names")
        user_has_access = any(group_allowed == group for group in groups)

        if not user_has_access:
            api.access.deny("Access denied.")
            return
