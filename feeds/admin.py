"""Calendar feeds in the admin: policy staff and admins see everyone's and revoke or delete them.

Nothing is added or edited here: an address is made only by its owner, on their own page, and
shown to them once. The rights come from the feed rules (feeds/access.py), not from Django's
model permissions, so policy staff with access to the admin need no extra grant.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from feeds import services
from feeds.models import CalendarFeed
from tracker.access import allowed
from tracker.admin import AuditedAdmin


@admin.register(CalendarFeed)
class CalendarFeedAdmin(AuditedAdmin):
    list_display = ["user", "team", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "team"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "team__name"]
    list_select_related = ["user", "team"]
    # The hash is of no use to anyone reading it; the rest says whose address it was.
    fields = ["user", "team", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_module_permission(self, request):
        return allowed(request.user, "feeds.oversee_calendarfeeds")

    def has_view_permission(self, request, obj=None):
        return allowed(request.user, "feeds.oversee_calendarfeeds") and (
            obj is None or allowed(request.user, "feeds.view_calendarfeed", obj)
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return allowed(request.user, "feeds.delete_calendarfeed", obj)

    def has_revoke_permission(self, request):
        return allowed(request.user, "feeds.oversee_calendarfeeds")

    @admin.action(description=_("Revoke the selected calendar feeds"), permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = 0
        for feed in queryset.filter(revoked_at__isnull=True):
            services.feed_revoke(actor=request.user, feed=feed)
            revoked += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d calendar feed revoked.", "%(count)d calendar feeds revoked.", revoked
            )
            % {"count": revoked},
            messages.SUCCESS,
        )
