"""The filters of the public register, as GET parameters: a filtered view is a link to share.

`/openbaar/?status=open&made_by=3&plan=2&year=2016&overdue=1&q=green+notices`. Only what the
public page shows can be filtered on: nothing by team, owner, letter or note.
"""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actionlines.models import Plan
from commitments.models import OPEN_STATUSES, Bewindspersoon, Commitment, CommitmentStatus
from commitments.search import search_column, text_search

# The parameters the public pages read; anything else in a query string is ignored, also by
# the page cache, so junk parameters neither fill the cache nor end up in the page's links.
PARAMETERS = ("q", "status", "made_by", "plan", "year", "overdue", "page")
SEARCH_MAX_LENGTH = 200


class PublicCommitmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("A number or words from the commitment."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=CommitmentStatus.choices,
        # A column of the row itself: no join, so no DISTINCT (and no sort of every match).
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # The choices are the selector's (public/selectors.py): only bewindspersonen and plans
    # with something published, so the select boxes name nothing else.
    made_by = django_filters.ModelChoiceFilter(
        label=_("Bewindspersoon"), queryset=Bewindspersoon.objects.none(), empty_label=_("All")
    )
    plan = django_filters.ModelChoiceFilter(
        label=_("Plan"),
        queryset=Plan.objects.none(),
        method="filter_plan",
        empty_label=_("All"),
    )
    year = django_filters.NumberFilter(
        label=_("Year made"), method="filter_year", min_value=1800, max_value=2200
    )
    overdue = django_filters.BooleanFilter(
        label=_("Only overdue"),
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Commitment
        fields: list[str] = []

    def __init__(
        self,
        data=None,
        *args,
        bewindspersonen=None,
        plans=None,
        today: datetime.date | None = None,
        **kwargs,
    ):
        super().__init__(data, *args, **kwargs)
        self.today = today or timezone.localdate()
        if bewindspersonen is not None:
            self.form.fields["made_by"].queryset = bewindspersonen
        if plans is not None:
            self.form.fields["plan"].queryset = plans

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            text_search(value, "register_number") | search_column(value, "search_text")
        )

    def filter_plan(self, queryset, name, value):
        return queryset.filter(
            pk__in=Commitment.activities.through.objects.filter(activity__plan=value).values(
                "commitment_id"
            )
        )

    def filter_year(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(made_on__year=int(value))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES, due_date__lt=self.today)
