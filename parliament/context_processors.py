from django.utils.functional import SimpleLazyObject

from parliament.selectors import open_proposal_count
from tracker.access import allowed


def review_count(request):
    """The menu's "To review" item and its count, computed only when a page shows the menu."""
    user = request.user

    def review():
        shown = user.is_authenticated and allowed(user, "parliament.view_proposal")
        return {"shown": shown, "count": open_proposal_count() if shown else 0}

    return {"nav_review": SimpleLazyObject(review)}
