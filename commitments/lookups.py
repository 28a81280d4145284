"""Finding a Kamerstuk or a debate by what a person types: the forms' lookup boxes and the
address that suggests records while they type (`views/lookups.py`) use these, so both find
the same records in the same order."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse_lazy
from django.utils.formats import date_format

from commitments.models import Debate, ParliamentaryDocument
from commitments.search import text_search
from tracker.forms import LookupField, lookup_label

# "31015", "31 015", "31015-12", "31015, nr. 12", "kst-31015-12", "36200-VI nr 3": a dossier
# and perhaps its volgnummer.
_DOSSIER = re.compile(
    r"(?:kst-)?(\d[\d ]{2,7}?)(-[A-Z]+)?(?:\s*(?:-|,|nr\.?)\s*(?:nr\.?\s*)?(\d+))?",
    re.IGNORECASE,
)


def _dossier_spellings(digits: str, suffix: str) -> list[str]:
    """A dossier number as stored: "31015" from the register, "31 015" as letters print it."""
    spaced = f"{int(digits):,}".replace(",", " ")
    return [digits + suffix, spaced + suffix]


def documents_fitting(queryset: QuerySet, text: str) -> QuerySet:
    """Kamerstukken whose number, dossier or title fits `text` (accents and case aside, as
    every search), newest first."""
    text = text.strip()
    fits = text_search(text, "title") | Q(document_number__iexact=text)
    number = _DOSSIER.fullmatch(text)
    if number:
        digits, suffix = number[1].replace(" ", ""), (number[2] or "").upper()
        by_number = Q(dossier_number__in=_dossier_spellings(digits, suffix))
        if number[3]:
            by_number &= Q(volgnummer=int(number[3]))
        fits |= by_number
    return queryset.filter(fits).order_by("-date", "-volgnummer", "-pk")


def document_label(document: ParliamentaryDocument) -> str:
    title = document.title if len(document.title) <= 90 else document.title[:89] + "…"
    return lookup_label(
        document, f"{document.citation}: {title} ({date_format(document.date, 'd-m-Y')})"
    )


def debates_fitting(queryset: QuerySet, text: str) -> QuerySet:
    """Debates whose title or Kamer activity number fits `text`, newest first."""
    text = text.strip()
    return queryset.filter(text_search(text, "title") | Q(activity_number__iexact=text)).order_by(
        "-date", "title", "-pk"
    )


def debate_label(debate: Debate) -> str:
    return lookup_label(debate, f"{debate.title} ({date_format(debate.date, 'd-m-Y')})")


@dataclass(frozen=True)
class Lookup:
    name: str
    queryset: Callable[[], QuerySet]
    search: Callable[[QuerySet, str], QuerySet]
    label: Callable[[object], str]

    @property
    def url(self):
        # Lazy: form classes build their fields at import, before the URLs are loaded.
        return reverse_lazy("commitments:lookup", args=[self.name])

    def field(self, **kwargs) -> LookupField:
        return LookupField(
            self.queryset(),
            search=self.search,
            describe=self.label,
            lookup_url=self.url,
            **kwargs,
        )


LOOKUPS = {
    lookup.name: lookup
    for lookup in (
        Lookup("documents", ParliamentaryDocument.objects.all, documents_fitting, document_label),
        Lookup("debates", Debate.objects.all, debates_fitting, debate_label),
    )
}
