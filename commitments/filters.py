"""The filters of the commitment list, shared by the page, its exports and the digests' links.

Every filter is a GET parameter, so a filtered view is a link that can be shared:
`/commitments/?status=open&status=in_progress&overdue=1&team=3`.
"""

import copy
import datetime
import functools
import hashlib
import secrets

import django_filters
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Case, CharField, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, LPad
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actionlines.models import ActionLine, Activity, Organisation, Team
from commitments import keyset
from commitments.models import (
    OPEN_STATUSES,
    Bewindspersoon,
    Commitment,
    CommitmentStatus,
    Debate,
    FollowUpLetter,
)
from commitments.search import search_column, text_search
from tracker.forms import DATE_INPUT_FORMATS, DateInput
from tracker.widgets import FastSelect, render_options

# Commitments without a due date come last either way: they are not the urgent ones.
SORTS = {
    "due_date": (_("due date, earliest first"), (F("due_date").asc(nulls_last=True), "reference")),
    "-due_date": (
        _("due date, latest first"),
        (F("due_date").desc(nulls_last=True), "-reference"),
    ),
    "made_on": (_("made on, oldest first"), ("made_on", "reference")),
    "-made_on": (_("made on, newest first"), ("-made_on", "-reference")),
    # Within a status as the due date sort: the undated last, on every database (SQLite puts
    # NULL first in an ascending order); commitments.keyset reads it status by status.
    "status": (_("status"), ("status_rank", F("due_date").asc(nulls_last=True), "reference")),
    "reference": (_("reference"), ("reference",)),
}
DEFAULT_SORT = "due_date"
# The same orders for a text search with few matches, on expressions no index holds. With a
# search the planner walks the index of the order and tests every row on its way until fifty
# match: cheap when matches are many and spread evenly, but a search whose matches all lie
# late in the order walks far (a rare word, or one year of references). Ordered by an
# expression, the matches come from the trigram indexes and only they are sorted: a cost that
# follows the number of matches, so it is taken when they are few (selectors.commitment_page,
# selectors.search_matches_sorted).
_LAST, _FIRST = Value(datetime.date.max), Value(datetime.date.min)
SEARCH_SORTS = {
    "due_date": (Coalesce("due_date", _LAST).asc(), "reference"),
    "-due_date": (Coalesce("due_date", _FIRST).desc(), "-reference"),
    "made_on": (Coalesce("made_on", _FIRST).asc(), "reference"),
    "-made_on": (Coalesce("made_on", _FIRST).desc(), "-reference"),
    "status": SORTS["status"][1],
    "reference": (Coalesce("reference", Value("")).asc(),),
}
# The empty choice of a filter's select box: no filter, so every commitment (not "---------").
ALL = _("All")
STATUS_RANK = Case(
    *[When(status=status, then=Value(rank)) for rank, status in enumerate(CommitmentStatus.values)],
    output_field=IntegerField(),
)


class DateRangeWidget(django_filters.widgets.SuffixedMultiWidget):
    """Two native date pickers, `<name>_after` and `<name>_before`."""

    suffixes = ["after", "before"]

    def __init__(self, attrs=None):
        super().__init__((DateInput, DateInput), attrs)

    def decompress(self, value):
        return [value.start, value.stop] if value else [None, None]


def _linked(through_model, **lookups):
    """An EXISTS subquery over an M2M table: filters without joins or DISTINCT."""
    return Exists(through_model.objects.filter(commitment=OuterRef("pk"), **lookups))


CHOICE_FIELDS = ("action_line", "activity", "made_by", "ministry", "team", "owner")
# The rendered options are kept under their token, and the token apart: a view of the list
# whose filter panel is kept needs the token only (the options are 55 kB at 100,000
# commitments and 1,000 users, the token 16 bytes).
FILTER_OPTIONS_CACHE_KEY = "commitment-list-filter-options-rendered"
FILTER_OPTIONS_TOKEN_KEY = "commitment-list-filter-options-token"
# Parameters that do not show in the filter panel: one kept panel serves every page.
PANEL_UNKEPT_PARAMETERS = {"page", "cursor"}


def _choice_rows():
    """(field, id, label, sort key) for every option of the list's select boxes, in one query."""
    text = CharField()

    def rows(queryset, kind, label, sort_key):
        return (
            queryset.order_by()
            # Prefixed names: "kind" and "label" are fields of some of these models.
            .annotate(
                choice_field=Value(kind, output_field=text),
                choice_label=label,
                choice_sort=sort_key,
            )
            .values_list("choice_field", "pk", "choice_label", "choice_sort")
        )

    user_name = Concat("first_name", Value(" "), "last_name", output_field=text)
    return rows(
        ActionLine.objects.all(),
        "action_line",
        Concat(
            "plan__title",
            Value(": "),
            Cast("number", text),
            Value(". "),
            "title",
            output_field=text,
        ),
        Concat("plan__title", LPad(Cast("number", text), 3, Value("0")), output_field=text),
    ).union(
        rows(Activity.objects.all(), "activity", F("title"), F("title")),
        rows(Bewindspersoon.objects.all(), "made_by", F("name"), F("name")),
        rows(
            Organisation.objects.filter(kind=Organisation.Kind.MINISTRY),
            "ministry",
            F("name"),
            F("name"),
        ),
        rows(Team.objects.all(), "team", F("name"), F("name")),
        rows(
            get_user_model().objects.filter(teams__isnull=False),
            "owner",
            Case(
                When(first_name="", last_name="", then=F("username")),
                default=user_name,
                output_field=text,
            ),
            Concat("last_name", Value(" "), "first_name", output_field=text),
        ),
    )


def _filter_options_token() -> str:
    """The token of the current rendering of the select boxes' options (the list's kept filter
    panel is kept under it, so it never outlives its options); rendered now if there is none."""
    token = cache.get(FILTER_OPTIONS_TOKEN_KEY)
    if token is None:
        token = secrets.token_hex(8)
        _render_filter_options(token)
        cache.set(FILTER_OPTIONS_TOKEN_KEY, token, settings.FILTER_CHOICES_CACHE_SECONDS)
    return token


def _filter_options(token: str) -> dict[str, str]:
    """The rendered options of each select box, as named by `token`; rendered again under the
    same token when the cache let them go first."""
    options = cache.get(f"{FILTER_OPTIONS_CACHE_KEY}:{token}")
    return options if options is not None else _render_filter_options(token)


def _render_filter_options(token: str) -> dict[str, str]:
    rows: dict[str, list] = {name: [] for name in CHOICE_FIELDS}
    for kind, pk, label, _sort in _choice_rows().order_by("choice_field", "choice_sort"):
        rows[kind].append((pk, label))
    options = {name: render_options(choices) for name, choices in rows.items()}
    # Kept a little longer than their token, which is read first.
    cache.set(
        f"{FILTER_OPTIONS_CACHE_KEY}:{token}", options, settings.FILTER_CHOICES_CACHE_SECONDS + 10
    )
    return options


class CommitmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        help_text=_("Reference or words from the commitment's text."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=CommitmentStatus.choices,
        # A status is a column of the row itself: no join, so no duplicates to remove. The
        # default DISTINCT would make PostgreSQL sort every matching row on each page view.
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    overdue = django_filters.BooleanFilter(
        label=_("Only overdue"),
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )
    register_differs = django_filters.BooleanFilter(
        label=_("Differs from the Kamer's register"),
        method="filter_register_differs",
        widget=forms.CheckboxInput,
    )
    unassigned = django_filters.BooleanFilter(
        label=_("Without a team"),
        method="filter_unassigned",
        widget=forms.CheckboxInput,
    )
    due_within = django_filters.NumberFilter(
        label=_("Due within (days)"),
        method="filter_due_within",
        min_value=0,
        max_value=3650,
        widget=forms.NumberInput(attrs={"min": 0, "max": 3650}),
    )
    due_date = django_filters.DateFromToRangeFilter(
        label=_("Due between"), widget=DateRangeWidget()
    )
    made_on = django_filters.DateFromToRangeFilter(
        label=_("Made between"), widget=DateRangeWidget()
    )
    action_line = django_filters.ModelChoiceFilter(
        label=_("Action line"),
        queryset=ActionLine.objects.select_related("plan"),
        method="filter_action_line",
        empty_label=ALL,
        widget=FastSelect,
    )
    activity = django_filters.ModelChoiceFilter(
        label=_("Activity"),
        queryset=Activity.objects.all(),
        method="filter_activity",
        empty_label=ALL,
        widget=FastSelect,
    )
    made_by = django_filters.ModelChoiceFilter(
        label=_("Bewindspersoon"),
        queryset=Bewindspersoon.objects.all(),
        empty_label=ALL,
        widget=FastSelect,
    )
    ministry = django_filters.ModelChoiceFilter(
        label=_("Ministry"),
        field_name="made_by__ministry",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.MINISTRY),
        empty_label=ALL,
        widget=FastSelect,
    )
    debate = django_filters.ModelChoiceFilter(
        label=_("Debate"), queryset=Debate.objects.all(), widget=forms.HiddenInput
    )
    debate_text = django_filters.CharFilter(
        label=_("Debate"),
        method="filter_debate_text",
        help_text=_("Words from the debate's title, or its activity number."),
    )
    team = django_filters.ModelChoiceFilter(
        label=_("Team"), queryset=Team.objects.all(), empty_label=ALL, widget=FastSelect
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"),
        queryset=get_user_model().objects.filter(teams__isnull=False).distinct(),
        empty_label=ALL,
        widget=FastSelect,
    )
    letter = django_filters.ModelChoiceFilter(
        label=_("Follow-up letter"),
        queryset=FollowUpLetter.objects.all(),
        method="filter_letter",
        widget=forms.HiddenInput,
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(key, label) for key, (label, _fields) in SORTS.items()],
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Commitment
        fields: list[str] = []

    def __init__(
        self,
        data=None,
        queryset=None,
        *,
        request=None,
        prefix=None,
        today: datetime.date | None = None,
        letters=None,
    ):
        # As django-filter's own __init__, but with a shallow copy of each filter instead of
        # a deep copy of all of them (and of the querysets they hold): that cost 4 ms of
        # every list page. A filter keeps nothing of a request but its parent and model,
        # set below; a filter with a `method` gets its own FilterMethod, which finds the
        # method on its parent (the shared one would find another request's).
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = copy.copy(base)
            if filter_.method is not None:
                filter_.method = filter_.method
            filter_.model = queryset.model
            filter_.parent = self
            self.filters[name] = filter_
        self.today = today or timezone.localdate()
        if letters is not None:
            # Only letters the user may read: another team's letter is neither filtered on nor
            # named on the page.
            self.form.fields["letter"].queryset = letters
        for name in ("due_date", "made_on"):
            for field in self.form.fields[name].fields:
                field.input_formats = DATE_INPUT_FORMATS

    @classmethod
    def _form_class(cls):
        """The form of the filters, made once per class: its fields are copied per form."""
        if "_cached_form_class" not in cls.__dict__:
            fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
            cls._cached_form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        return cls._cached_form_class

    def get_form_class(self):
        return self._form_class()

    # The text search's condition once `filter_text` has applied it (see `search_parts`).
    search_condition = None

    @property
    def qs(self):
        return self._in_default_order(super().qs)

    def _in_default_order(self, queryset):
        """The queryset in the default order when no sort was chosen (filter_sort orders it
        otherwise)."""
        if not self.is_bound or not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS[DEFAULT_SORT][1])
        return queryset

    @property
    def searches(self) -> bool:
        """Whether the list is narrowed by a text search (`q`)."""
        return bool(
            self.is_bound and (getattr(self.form, "cleaned_data", {}).get("q") or "").strip()
        )

    @property
    def position_sort(self) -> str | None:
        """The sort the list's pages may be read by position in (commitments.keyset), or None
        while searching: a search pages by number, as deep as its matches (a position would
        walk the index the search may leave aside, SEARCH_SORTS)."""
        return None if self.searches or self.sort_key not in keyset.SORTS else self.sort_key

    def statuses_found(self) -> tuple[str, ...]:
        """The statuses the filter can find, in the order of the status sort: the chosen ones
        (all when none is), only the open ones when it asks for what is overdue. The status
        sort reads the list one status at a time (commitments.keyset) and skips the others."""
        data = getattr(self.form, "cleaned_data", {}) if self.is_bound else {}
        found = set(data.get("status") or CommitmentStatus.values)
        if data.get("overdue"):
            found &= set(OPEN_STATUSES)
        return tuple(status for status in CommitmentStatus.values if status in found)

    def search_order(self) -> tuple | None:
        """The order of `qs` on expressions (SEARCH_SORTS) while searching, else None."""
        return SEARCH_SORTS[self.sort_key] if self.searches else None

    @property
    def sort_key(self) -> str:
        """The key of the order `qs` has (a key of SORTS)."""
        chosen = getattr(self.form, "cleaned_data", {}).get("sort") if self.is_bound else None
        return chosen if chosen in SORTS else DEFAULT_SORT

    def load_choices(self) -> None:
        """Give the form's select boxes their options, rendered once and shared for a while.

        Six selects with every team, owner and activity would cost a query and thousands of
        escaped strings on each view of the list; they change rarely, so the rendered options
        are cached for FILTER_CHOICES_CACHE_SECONDS. Validation still uses each field's
        queryset, so a stale option can never filter on something that is gone.
        """
        self.options_token = token = _filter_options_token()
        loaded: dict[str, str] = {}

        def options_of(name: str) -> str:
            # Read from the cache when a select box is rendered: a kept panel renders none.
            if not loaded:
                loaded.update(_filter_options(token))
            return loaded[name]

        for name in CHOICE_FIELDS:
            field = self.form.fields[name]
            field.widget.prerendered_options = functools.partial(options_of, name)
            field.widget.empty_label = field.empty_label

    def panel_cache_key(self, language: str) -> str | None:
        """The key the rendered filter panel is kept under, or None when it is not to be kept.

        Once the options are loaded the panel is the same HTML for everyone who asks the same
        filter in the same language: the fields' values come from the query, the options from
        the shared rendering (`options_token`). A filter with errors is rendered afresh: its
        messages may depend on what the reader may see.
        """
        token = getattr(self, "options_token", None)
        if token is None or (self.is_bound and self.form.errors):
            return None
        query = sorted(
            (name, value)
            for name, values in (self.data.lists() if self.is_bound else ())
            if name not in PANEL_UNKEPT_PARAMETERS
            for value in values
        )
        digest = hashlib.sha256(repr(query).encode()).hexdigest()[:32]
        return f"{language}:{token}:{digest}"

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        self.search_condition = search_column(value, "search_text")
        return queryset.filter(self.search_condition)

    def search_parts(self):
        """While searching: the list as filtered and sorted without its text search, and the
        search as a condition (selectors.commitment_page walks the one testing the other);
        else None. None as well for a sort that no index holds as one (latest first, by
        status): a walk in that order would sort the whole table first (155 to 220 ms a page
        under load at 100,000 commitments), so the matches are sorted instead."""
        if not self.searches or not keyset.one_index_serves(self.sort_key):
            return None
        # As FilterSet.filter_queryset, every filter but the search.
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name != "q":
                queryset = self.filters[name].filter(queryset, value)
        return self._in_default_order(queryset), self.search_condition

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES, due_date__lt=self.today)

    def filter_register_differs(self, queryset, name, value):
        if not value:
            return queryset
        from parliament.selectors import differs_from_register

        return queryset.filter(differs_from_register(self.today))

    def filter_unassigned(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(team__isnull=True)

    def filter_due_within(self, queryset, name, value):
        if value is None:
            return queryset
        until = self.today + datetime.timedelta(days=int(value))
        return queryset.filter(due_date__gte=self.today, due_date__lte=until)

    def filter_action_line(self, queryset, name, value):
        return queryset.filter(_linked(Commitment.activities.through, activity__action_line=value))

    def filter_activity(self, queryset, name, value):
        return queryset.filter(_linked(Commitment.activities.through, activity=value))

    def filter_letter(self, queryset, name, value):
        return queryset.filter(_linked(FollowUpLetter.commitments.through, followupletter=value))

    def filter_debate_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            text_search(value, "debate__title") | Q(debate__activity_number__iexact=value)
        )

    def filter_sort(self, queryset, name, value):
        fields = SORTS.get(value, SORTS[DEFAULT_SORT])[1]
        if "status_rank" in fields:
            queryset = queryset.alias(status_rank=STATUS_RANK)
        return queryset.order_by(*fields)
