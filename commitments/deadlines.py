"""Turns a deadline as a minister words it ("dit najaar", "voor de zomer") into a due date.

Ministers rarely name a date. The phrases they use map onto the parliamentary calendar, and the
ministry reads them in a settled way; this module writes that reading down so every official
resolves "dit najaar" the same way. The result is a proposal: the form shows it and the official
may set another date. Phrases without a date ("zo spoedig mogelijk") resolve to None.

The reading, per phrase (year: the year the commitment was made, or the next one when the
moment has already passed; "volgend"/"komend" adds a year):
- "voor de zomer", "voor het zomerreces": the start of the Tweede Kamer's summer recess, the
  Friday between 2 and 8 July;
- "na de zomer", "na het zomerreces": 30 September;
- "dit voorjaar", "in het voorjaar": 20 June;
- "dit najaar", "in het najaar", "voor het kerstreces", "voor kerst": the start of the Christmas
  recess, the Friday between 17 and 23 December;
- "voor het einde van het jaar", "eind dit jaar", "dit jaar": 31 December;
- "volgend jaar": 31 December of the next year; "in 2027": 31 December 2027;
- "voor Prinsjesdag", "bij de Miljoenennota": the third Tuesday of September;
- "bij het jaarverslag 2025": Verantwoordingsdag, the third Wednesday of May of the year after;
- "in het derde kwartaal", "Q3 2017": the last day of that quarter;
- "in juni", "eind juni": 30 June; "voor juni": 31 May; "begin juni": 10 June;
- "voor 1 juli 2017", "uiterlijk 15 maart": that date;
- "binnen zes weken", "binnen 3 maanden": that long after the day the commitment was made;
- "morgen", "vandaag": the next day, the same day; "deze week", "volgende week": the Friday of
  that week;
- "voor het reces" without naming it: the summer or Christmas recess when one of them starts
  within eight weeks, else nothing (the other recesses move with the school holidays);
- "bij de Voorjaarsnota": 31 May, "bij de Najaarsnota": 30 November (the Comptabiliteitswet
  has them reach the Kamer before 1 June and 1 December); "(in aanloop naar) de
  augustusbesluitvorming": 31 August, when the cabinet's budget decisions are taken.

Moments the calendar cannot know resolve to None, so that an official sets the date: a debate
("voor het commissiedebat over …", "voor het notaoverleg MIRT", "voor de behandeling van de
begroting"), unless a day is named; a letter or report without a period ("in de
voortgangsbrief", "in het verslag van de RBZ"); the verkiezingsreces; "na afloop van de
onderhandelingen".

`deadline_in` finds the deadline as worded in a commitment's text ("De minister stuurt de brief
na de zomer" → "na de zomer"), for readers of debate reports.
"""

import calendar
import re
from datetime import date, timedelta

MONTHS = {
    "januari": 1,
    "februari": 2,
    "maart": 3,
    "april": 4,
    "mei": 5,
    "juni": 6,
    "juli": 7,
    "augustus": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
NUMBER_WORDS = {
    "een": 1,
    "één": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "twaalf": 12,
}
QUARTER_WORDS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "laatste": 4}

FRIDAY, TUESDAY, WEDNESDAY = 4, 1, 2


def _weekday_on_or_after(year: int, month: int, day: int, weekday: int) -> date:
    first = date(year, month, day)
    return first + timedelta(days=(weekday - first.weekday()) % 7)


def summer_recess_start(year: int) -> date:
    return _weekday_on_or_after(year, 7, 2, FRIDAY)


def christmas_recess_start(year: int) -> date:
    return _weekday_on_or_after(year, 12, 17, FRIDAY)


def prinsjesdag(year: int) -> date:
    return _weekday_on_or_after(year, 9, 15, TUESDAY)


def verantwoordingsdag(year: int) -> date:
    return _weekday_on_or_after(year, 5, 15, WEDNESDAY)


# (pattern, the moment in a given year) for phrases that name a moment of the parliamentary year.
SEASON_PHRASES = [
    (r"\bna (?:de|het) zomer(?:reces|vakantie)?\b", lambda year: date(year, 9, 30)),
    (r"\bvoor (?:de|het) zomer(?:reces|vakantie)?\b", summer_recess_start),
    (r"\b(?:voor|in) de zomer\b", summer_recess_start),
    (r"\bvoor (?:het )?kerst(?:reces)?\b|\bvoor de kerst(?:vakantie)?\b", christmas_recess_start),
    (r"\bnajaar\b", christmas_recess_start),
    (r"\bvoorjaar\b", lambda year: date(year, 6, 20)),
    (
        r"\b(?:einde?|eind) (?:van )?(?:dit|het) jaar\b|\bjaareinde\b",
        lambda year: date(year, 12, 31),
    ),
    (r"\bprinsjesdag\b|\bmiljoenennota\b", prinsjesdag),
    (r"\bvoorjaarsnota\b", lambda year: date(year, 5, 31)),
    (r"\bnajaarsnota\b", lambda year: date(year, 11, 30)),
    (r"\baugustusbesluitvorming\b", lambda year: date(year, 8, 31)),
]
# A debate, a letter or a negotiation whose date the parliamentary calendar does not hold.
UNKNOWN_MOMENT = re.compile(
    r"\b(?:voor|tijdens|bij|na)\s+(?:de|het)\s+(?:behandeling\s+van\s+(?:de\s+|het\s+)?)?"
    r"[\w-]*(?:debat|overleg|begroting|begrotingsbehandeling|verkiezingsreces)\b"
    r"|\bvoor\s+behandeling\s+van\s+(?:de\s+|het\s+)?[\w-]*begroting"
    r"|\bna afloop van\b"
)
DAY_WORDS = {"vandaag": 0, "morgen": 1, "overmorgen": 2}
# The recess meant by "voor het reces" when the phrase names none: the next long one, if close.
UNNAMED_RECESS_HORIZON = timedelta(weeks=8)
NO_DATE = re.compile(
    r"\bzo (?:spoedig|snel) mogelijk\b|\bz\.s\.m\.?|\bbinnenkort\b|\bte zijner tijd\b"
    r"|\bop korte termijn\b"
)


def resolve_deadline(wording: str, made_on: date) -> date | None:
    """The due date a deadline phrase stands for, or None when it names no moment."""
    phrase = " ".join(wording.lower().split())
    if not phrase or NO_DATE.search(phrase):
        return None
    year_match = re.search(r"\b(20\d\d)\b", phrase)
    explicit_year = int(year_match.group(1)) if year_match else None
    next_year = bool(re.search(r"\b(?:volgend|komend)e? (?:jaar|voorjaar|najaar|zomer)\b", phrase))

    def moment(date_in_year) -> date:
        """The moment in the year meant: the stated one, else this year's or the next one."""
        if explicit_year:
            return date_in_year(explicit_year)
        year = made_on.year + (1 if next_year else 0)
        candidate = date_in_year(year)
        return candidate if candidate >= made_on else date_in_year(year + 1)

    def in_year(month: int, day: int) -> date:
        return moment(lambda year: date(year, month, day))

    day_word = re.search(r"\b(vandaag|morgen|overmorgen)\b", phrase)
    if day_word:
        return made_on + timedelta(days=DAY_WORDS[day_word.group(1)])
    week = re.search(r"\b(deze|volgende|komende) week\b", phrase)
    if week:
        friday = made_on + timedelta(days=(FRIDAY - made_on.weekday()) % 7)
        return friday if week.group(1) == "deze" else friday + timedelta(weeks=1)

    relative = re.search(r"\bbinnen (\d+|\w+) (dag|dagen|week|weken|maand|maanden)\b", phrase)
    if relative:
        amount = _number(relative.group(1))
        if amount is not None:
            unit = relative.group(2)
            if unit.startswith("dag"):
                return made_on + timedelta(days=amount)
            if unit.startswith("we"):
                return made_on + timedelta(weeks=amount)
            return _add_months(made_on, amount)

    day_month = re.search(r"\b(\d{1,2}) (" + "|".join(MONTHS) + r")\b", phrase)
    if day_month:
        day, month = int(day_month.group(1)), MONTHS[day_month.group(2)]
        if 1 <= day <= calendar.monthrange(explicit_year or made_on.year, month)[1]:
            return in_year(month, day)
    if UNKNOWN_MOMENT.search(phrase):
        return None

    annual_report = re.search(r"\bjaarverslag(?:en)? (20\d\d)\b", phrase)
    if annual_report:
        return verantwoordingsdag(int(annual_report.group(1)) + 1)

    quarter = re.search(r"\bq([1-4])\b|\b(" + "|".join(QUARTER_WORDS) + r") kwartaal\b", phrase)
    if quarter:
        number = int(quarter.group(1)) if quarter.group(1) else QUARTER_WORDS[quarter.group(2)]
        month = number * 3
        return moment(lambda year: date(year, month, calendar.monthrange(year, month)[1]))

    month_match = re.search(r"\b(voor|in|eind|begin|medio)? ?(" + "|".join(MONTHS) + r")\b", phrase)
    if month_match:
        prefix, month = month_match.group(1), MONTHS[month_match.group(2)]
        if prefix == "voor":
            return in_year(month, 1) - timedelta(days=1)
        if prefix == "begin":
            return in_year(month, 10)
        if prefix == "medio":
            return in_year(month, 15)
        return moment(lambda year: date(year, month, calendar.monthrange(year, month)[1]))

    for pattern, in_given_year in SEASON_PHRASES:
        if re.search(pattern, phrase):
            return moment(in_given_year)

    if re.search(r"\bvoor het reces\b", phrase):
        recess = min(
            moment(summer_recess_start),
            moment(christmas_recess_start),
        )
        return recess if recess - made_on <= UNNAMED_RECESS_HORIZON else None
    if re.search(r"\b(?:volgend|komend) jaar\b", phrase):
        return date(made_on.year + 1, 12, 31)
    if re.search(r"\bdit jaar\b", phrase):
        return date(made_on.year, 12, 31)
    if explicit_year and re.search(r"\b(?:in|voor|eind|uiterlijk) (20\d\d)\b", phrase):
        return date(explicit_year, 12, 31)
    return None


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return NUMBER_WORDS.get(token)


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# --- finding the deadline in a commitment's text ----------------------------------------------

_MONTH_NAMES = "|".join(MONTHS)
_NUMBER = r"(?:\d+|" + "|".join(NUMBER_WORDS) + r")"
# Words that may stand between a preposition and the moment: "voor de behandeling van de
# Defensiebegroting", "in het eerstvolgende halfjaarbericht".
_FILLER = (
    r"(?:(?:de|het|een|dit|deze|die|volgend|volgende|eerstvolgende|komend|komende|aanstaande|"
    r"aangekondigde|lopende|nieuwe|jaarlijkse|eerste|tweede|derde|vierde|laatste|behandeling|"
    r"van|der|plenaire|europese)\s+){0,5}"
)
# Moments and the documents that carry them, alone or closing a compound ("zomerreces",
# "Defensiebegroting", "voortgangsbrief", "tweeminutendebat").
_MOMENT = (
    r"(?:[\w-]*(?:reces|begroting|begrotingsbehandeling|besluitvorming|voortgangsbrief|"
    r"verzamelbrief|kamerbrief|rapportage|bericht|debat|overleg|nota)"
    r"|zomer|zomervakantie|kerst|kerstvakantie|voorjaar|najaar|jaar|jaareinde|kwartaal|"
    r"prinsjesdag|jaarverslag|verslag|ministerraad|onderhandelingen|evaluatie|[\w-]+-top|"
    r"(?:europese\s+)?raad|" + _MONTH_NAMES + r")"
)
# What may follow the moment: its year, its date or subject ("van 11 juli", "van de RBZ",
# "over de Voorjaarsnota"), an abbreviation ("MIRT").
_TAIL = (
    r"(?:\s+20\d\d)?"
    r"(?:\s+(?:van|over)\s+(?:(?:de|het|na de|voor de)\s+)?"
    r"(?:\d{1,2}\s+(?:" + _MONTH_NAMES + r")|zomer|(?-i:[A-Z])[\w'-]*)(?:\s+20\d\d)?"
    r"|\s+(?-i:[A-Z]{2,}\b))?"
)
_PREPOSITION = (
    r"(?:(?:kort|ruim|direct|vlak|nog|uiterlijk|ergens)\s+)?"
    r"(?:in aanloop naar|na afloop van|voorafgaand aan|ten tijde van|voor|vóór|na|in|bij|"
    r"tijdens|rond|rondom|omstreeks|begin|eind|einde|medio|uiterlijk|op)"
)
_DEADLINE_PATTERNS = [
    re.compile(
        r"\b"
        + _PREPOSITION
        + r"\s+"
        + _FILLER
        + r"\d{1,2}\s+(?:"
        + _MONTH_NAMES
        + r")"
        + r"(?:\s+20\d\d)?\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b" + _PREPOSITION + r"\s+" + _FILLER + _MOMENT + r"\b" + _TAIL, re.IGNORECASE),
    re.compile(
        r"\bbinnen\s+" + _NUMBER + r"\s+(?:dag|dagen|week|weken|maand|maanden)\b", re.IGNORECASE
    ),
    re.compile(
        r"\b(?:later\s+|eind\s+|einde\s+|begin\s+)?(?:dit|volgend|komend)e?\s+"
        r"(?:jaar|voorjaar|najaar|kwartaal)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:in\s+)?(?:het\s+)?(?:eerste|tweede|derde|vierde|laatste)\s+kwartaal"
        r"(?:\s+(?:van\s+)?20\d\d)?\b|\bQ[1-4](?:\s+20\d\d)?\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:vandaag|morgen|overmorgen|(?:deze|volgende|komende)\s+week)\b", re.IGNORECASE
    ),
    re.compile(
        r"\b(?:op korte termijn|zo (?:spoedig|snel) mogelijk|z\.s\.m\.?|binnenkort|"
        r"te zijner tijd)",
        re.IGNORECASE,
    ),
]
# Moments that lie behind the speaker: "vorig jaar", "twee jaar geleden".
_PAST = re.compile(r"\b(?:vorig|vorige|afgelopen|geleden|sinds)\b", re.IGNORECASE)


def deadline_in(text: str) -> str:
    """The deadline as the text words it ("na de zomer", "in de voortgangsbrief"), or "".

    Phrases that touch are taken together ("morgen tijdens het tweeminutendebat"); of several,
    the first that resolves to a date wins, else the first one.
    """
    spans = []
    for pattern in _DEADLINE_PATTERNS:
        for match in pattern.finditer(text):
            if not _PAST.search(text[max(0, match.start() - 12) : match.end() + 9]):
                spans.append([match.start(), match.end()])
    if not spans:
        return ""
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        if start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    phrases = [text[start:end].strip(" ,;") for start, end in merged]
    reference = date(2000, 1, 3)
    for phrase in phrases:
        if resolve_deadline(phrase, reference) is not None:
            return phrase
    return phrases[0]
