from django.utils.functional import SimpleLazyObject

from actionlines.access import is_manager
from commitments.access import landing_page


def navigation(request):
    """What the menu needs to know about the user, computed only if a page shows the menu."""
    user = request.user
    return {
        "nav_shows_decisions": SimpleLazyObject(
            lambda: user.is_authenticated and (user.is_superuser or is_manager(user))
        ),
        # "My work" is in the menu of those who have work of their own (commitments.access).
        "nav_shows_my_work": SimpleLazyObject(
            lambda: user.is_authenticated and landing_page(user) is None
        ),
    }
