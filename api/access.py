"""Who may see, make and revoke API tokens: a user their own; policy staff and admins any."""

import rules

from actionlines.access import is_admin, is_system
from commitments.access import reads_everything


@rules.predicate
def owns_token(user, token) -> bool:
    return user.is_authenticated and (token is None or token.user_id == user.pk)


@rules.predicate
def oversees_tokens(user) -> bool:
    return reads_everything(user)


rules.add_perm("api.view_apitoken", owns_token | oversees_tokens | is_admin)
rules.add_perm("api.add_apitoken", owns_token | is_admin | is_system)
rules.add_perm("api.change_apitoken", owns_token | oversees_tokens | is_admin | is_system)
rules.add_perm("api.delete_apitoken", is_admin)
