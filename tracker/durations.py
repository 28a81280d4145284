"""How late something is, in words a reader takes in at a glance: "3 dagen te laat", "ruim 5
weken te laat", "ruim 9 jaar te laat", not "3.412 dagen te laat".

Days up to two weeks, then weeks up to two months, months up to a year, then years; "ruim"
(more than) when the count is rounded down.
"""

from django.utils.translation import ngettext, pgettext


def lateness_in_words(days: int) -> str:
    if days < 14:
        return ngettext("%(count)s day overdue", "%(count)s days overdue", days) % {"count": days}
    if days < 61:
        count, rounded = divmod(days, 7)
        return _phrase("week", count, rounded > 0)
    if days < 365:
        count, rounded = divmod(days, 30)
        return _phrase("month", count, rounded > 0)
    count, rounded = divmod(days, 365)
    return _phrase("year", count, rounded > 0)


def _phrase(unit: str, count: int, more_than: bool) -> str:
    if unit == "week":
        text = ngettext("%(count)s week overdue", "%(count)s weeks overdue", count)
    elif unit == "month":
        text = ngettext("%(count)s month overdue", "%(count)s months overdue", count)
    else:
        text = ngettext("%(count)s year overdue", "%(count)s years overdue", count)
    text %= {"count": count}
    if more_than:
        # "more than 9 years overdue" / "ruim 9 jaar te laat"
        text = pgettext("lateness rounded down", "more than %(duration)s") % {"duration": text}
    return text
