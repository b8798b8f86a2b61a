"""Find a policy's own "last updated" and "effective" dates in its extracted text.

Dates are looked for right after label cues (``Last updated:``, ``Stand:``, ``生效日期`` …), or a
few words later in the same sentence (``Effective: the earlier of 2023-05-01 or …``), line by line,
and parsed by dateparser on the short candidate string only. A date never gets a day it does not
show: ``Juni 2021`` is ``2021-06`` with month precision. An all-numeric date such as ``3/11/2025``
is read in the page locale's order; when the locale does not decide, the other numeric dates on the
page and the fetch time do ("last updated" is never after the fetch), then the document's previous
version (:func:`with_history`: "last updated" never goes back), else it stays ``ambiguous``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

Kind = Literal["updated", "effective"]
Precision = Literal["day", "month", "year"]

_DEFAULT_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "zh")
_TOP_LINES = 15  # a bare date line counts as the policy date only this close to the top
_MIN_YEAR = 1990
_MAX_SKIPPED_WORDS = 6  # words allowed between a label and its date ("the earlier of")


@dataclass(frozen=True)
class DetectedDate:
    """One date found in a policy, as written (``raw``) and as ISO text at its own precision."""

    kind: Kind
    raw: str
    iso: str
    precision: Precision
    ambiguous: bool = False
    upcoming: bool = False


@dataclass(frozen=True)
class PolicyDates:
    """The policy's last-updated and effective dates, either of which may be absent."""

    updated: DetectedDate | None = None
    effective: DetectedDate | None = None

    @property
    def primary(self) -> DetectedDate | None:
        """The date that best identifies the version: updated, else effective."""
        return self.updated or self.effective

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``from_dict`` inverts it)."""
        return {"updated": _as_dict(self.updated), "effective": _as_dict(self.effective)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> PolicyDates:
        """Rebuild from :meth:`to_dict` output."""
        data = data or {}
        return cls(
            updated=DetectedDate(**data["updated"]) if data.get("updated") else None,
            effective=DetectedDate(**data["effective"]) if data.get("effective") else None,
        )


def _as_dict(date: DetectedDate | None) -> dict[str, Any] | None:
    return asdict(date) if date else None


# --- label cues -------------------------------------------------------------------------------
# (language, kind, strong, pattern). A strong cue counts anywhere in a line; a weak one only at
# the start of a line or after a mention of the document ("This Privacy Policy applies from").
_CUES: list[tuple[str, Kind, bool, str]] = [
    ("en", "updated", True, r"(?:date\s+of\s+)?last\s+(?:updated|modified|revised|amended|changed|reviewed)"
     r"(?:\s+(?:on|date|as\s+of|in))?"),
    ("en", "updated", True, r"(?:date\s+of\s+)?last\s+(?:update|revision|modification|amendment)"
     r"(?:\s+date)?"),
    ("en", "updated", True, r"(?:updated|revision|revised|modified)\s+date"),
    ("en", "effective", True, r"effective\s+date"),
    ("en", "updated", False, r"(?:updated|revised|modified)(?:\s+(?:on|as\s+of|in))?"),
    ("en", "updated", False, r"version(?:\s+(?:date|dated|of|from))?"),
    ("en", "effective", False, r"effective(?:\s+(?:as\s+of|from|on|since|beginning|starting))?"),
    ("en", "effective", False, r"(?:applies|applicable|apply|in\s+effect|in\s+force|valid)\s+"
     r"(?:from|as\s+of|beginning|since|starting(?:\s+on)?)"),
    ("de", "updated", True, r"zuletzt\s+(?:aktualisiert|geändert|überarbeitet)(?:\s+am)?"),
    ("de", "updated", True, r"letzte\s+(?:aktualisierung|änderung|überarbeitung)(?:\s+am)?"),
    ("de", "updated", False, r"(?:aktualisiert\s+am|stand(?:\s+vom)?|version\s+vom)"),
    ("de", "effective", False, r"(?:gültig|wirksam|in\s+kraft)\s+(?:ab|seit)|gilt\s+ab"),
    ("fr", "updated", True, r"derni[eè]re\s+(?:mise\s+[aà]\s+jour|r[ée]vision|modification)(?:\s+le)?"),
    ("fr", "updated", False, r"mis[e]?\s+[aà]\s+jour(?:\s+le)?|version\s+du"),
    ("fr", "effective", True, r"(?:date\s+d['’]\s*)?entr[ée]e\s+en\s+vigueur(?:\s+le)?"),
    ("fr", "effective", False, r"en\s+vigueur(?:\s+(?:depuis\s+le|[aà]\s+(?:compter|partir)\s+du|le|du))?"),
    ("es", "updated", True, r"[úu]ltima\s+(?:actualizaci[óo]n|modificaci[óo]n|revisi[óo]n)"),
    ("es", "updated", True, r"fecha\s+de\s+(?:actualizaci[óo]n|revisi[óo]n)"),
    ("es", "updated", False, r"actualizad[oa]\s+(?:el|en)"),
    ("es", "effective", True, r"(?:fecha\s+de\s+)?entrada\s+en\s+vigor|fecha\s+de\s+vigencia"),
    ("es", "effective", False, r"(?:vigente|en\s+vigor)\s+(?:desde|a\s+partir\s+del?)"),
    ("it", "updated", True, r"ultim[oa]\s+(?:aggiornamento|modifica|revisione)"),
    ("it", "updated", True, r"data\s+(?:di|dell['’])\s*(?:ultimo\s+)?aggiornamento"),
    ("it", "updated", False, r"aggiornat[oa]\s+(?:il|al)"),
    ("it", "effective", True, r"data\s+di\s+entrata\s+in\s+vigore"),
    ("it", "effective", False, r"(?:in\s+vigore|efficace|valid[oa])\s+(?:dal|da|a\s+partire\s+dal)"),
    ("nl", "updated", True, r"laatst\s+(?:bijgewerkt|gewijzigd|aangepast|herzien)(?:\s+op)?"),
    ("nl", "updated", True, r"laatste\s+(?:update|wijziging|herziening)"),
    ("nl", "updated", False, r"bijgewerkt\s+op"),
    ("nl", "effective", True, r"ingangsdatum"),
    ("nl", "effective", False, r"(?:van\s+kracht|geldig|in\s+werking)\s+(?:vanaf|sinds|per|op)"),
    ("pt", "updated", True, r"(?:data\s+da\s+)?[úu]ltima\s+(?:atualiza[çc][ãa]o|altera[çc][ãa]o|revis[ãa]o)"),
    ("pt", "updated", False, r"atualizad[oa]\s+em"),
    ("pt", "effective", True, r"data\s+de\s+(?:vig[êe]ncia|entrada\s+em\s+vigor)"),
    ("pt", "effective", False, r"(?:em\s+vigor|vigente)\s+(?:desde|a\s+partir\s+de)"),
    ("zh", "updated", True, r"(?:最后|最近)?(?:更新|修订|修改)(?:日期|时间)|版本日期|(?:最后|最近)更新"),
    ("zh", "effective", True, r"生效(?:日期|时间)|施行日期"),
]  # fmt: skip


def _cue_alternatives(cjk: bool) -> str:
    return "|".join(f"(?P<c{i}>{pattern})" for i, (lang, _, _, pattern) in enumerate(_CUES) if (lang == "zh") == cjk)


_CUE_RE = re.compile(rf"(?<!\w)(?:{_cue_alternatives(cjk=False)})(?!\w)|{_cue_alternatives(cjk=True)}", re.IGNORECASE)
_DOCUMENT_WORDS = re.compile(
    r"polic|notice|statement|terms|agreement|document|version|privacy|datenschutz|erklärung|politique"
    r"|pol[ií]tica|informativa|beleid|verklaring|declara[çc][ãa]o|termos|条款|政策|协议|声明",
    re.IGNORECASE,
)
_PAST_VERSION = re.compile(
    r"previous|prior|earlier|former|archived|old(?:er)?\s+version|frühere|vorherige|précédente|anterior"
    r"|precedente|vorige",
    re.IGNORECASE,
)
_MARKDOWN_LINK = re.compile(r"!?\[[^\]\n]*\]\([^)\n]*\)")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_BRACKETS = str.maketrans({c: " " for c in "【】〔〕［］[]〖〗*_"})
_FILLER = re.compile(
    r"(?:[\s:：\-–—,.\"'“”„«»]|(?<!\w)(?:on|as\s+of|from|is|was|am|vom|ab|le|du|au|el|del|de|desde|il|dal"
    r"|op|per|em|en|since|in)(?!\w))*",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"(\d+)(?:st|nd|rd|th|er|e|º|ª)?\.?|([^\W\d_]{2,})\.?|([年月日号])", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,/\-.]*")
_NUMERIC = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})")
_YEAR = re.compile(r"[12]\d\d\d")  # a literal first character keeps the scan fast
_SENTENCE_END = re.compile(r"[.;!?。]\s")
_SKIPPABLE = re.compile(r"[\s:：,\-–—\"'“”„«»()]*[^\W\d_][\w'’-]*", re.UNICODE)


@dataclass(frozen=True)
class _Candidate:
    raw: str
    tokens: tuple[tuple[str, str], ...]  # ("num" | "word" | "cjk", text)


def _candidate(text: str) -> _Candidate | None:
    """The date-shaped prefix of ``text``: numbers and at most 3 words, ending at the year."""
    pos = _FILLER.match(text).end()
    start = pos
    tokens: list[tuple[str, str]] = []
    end = pos
    words = 0
    while len(tokens) < 7:
        pos = _SEPARATORS.match(text, pos).end()
        m = _TOKEN.match(text, pos)
        if not m:
            break
        number, word, cjk = m.groups()
        numbers = sum(kind == "num" for kind, _ in tokens)
        if numbers >= 3 and cjk is None:
            break  # year-first dates (ISO, 2023年2月21日) end after three numbers
        if number is not None:
            if len(number) > 4:
                return None  # a digit run such as an id or a timestamp
            tokens.append(("num", number))
        elif word is not None:
            words += 1
            if words > 3:
                break
            tokens.append(("word", word))
        else:
            tokens.append(("cjk", cjk))
        pos = end = m.end()
        if number is not None and len(number) == 4 and len(tokens) > 1:
            break  # a year closes a day- or month-first date
    if not any(kind == "num" and len(t) == 4 for kind, t in tokens):
        return None
    raw = " ".join(text[start:end].split()).replace(" ,", ",").strip(" ,")
    return _Candidate(raw.removesuffix(".") if tokens[-1][0] == "num" else raw, tuple(tokens))


@lru_cache(maxsize=64)
def _parser(languages: tuple[str, ...], date_order: str) -> DateDataParser:
    from dateparser.date import DateDataParser  # deferred: slow to import

    return DateDataParser(
        languages=list(languages),
        settings={
            "PREFER_DAY_OF_MONTH": "first",
            "REQUIRE_PARTS": ["month", "year"],
            "PARSERS": ["custom-formats", "absolute-time"],
            "DATE_ORDER": date_order,
        },
    )


def _split_language(language: str | None) -> tuple[str | None, str | None]:
    if not language:
        return None, None
    parts = re.split(r"[-_]", language.strip())
    return parts[0].lower() or None, (parts[1].upper() if len(parts) > 1 else None)


def _numeric_order(cand: _Candidate, language: str | None) -> tuple[str, bool]:
    """Date order for an all-numeric date and whether the page's locale leaves it ambiguous."""
    m = _NUMERIC.fullmatch(cand.raw.replace(" ", ""))
    if not m:
        return "DMY", False
    first, separator, second = int(m.group(1)), m.group(2), int(m.group(3))
    if first > 12 or second > 12:
        return ("DMY" if first > 12 else "MDY"), False
    base, region = _split_language(language)
    if base == "en" and region == "US":
        return "MDY", False
    if separator == "." or (base and base != "en"):
        return "DMY", False
    return "DMY", True


_Parsed = tuple[str, Precision, bool]  # iso, precision, ambiguous


@lru_cache(maxsize=4096)
def _parse(cand: _Candidate, languages: tuple[str, ...], page_language: str | None) -> _Parsed | None:
    """Parse a candidate into (iso, precision, ambiguous), or None (memoised: date lines recur every crawl)."""
    kinds = [kind for kind, _ in cand.tokens]
    if kinds == ["num"]:
        year = int(cand.tokens[0][1])
        return (f"{year:04d}", "year", False) if _plausible(year) else None
    order, ambiguous = _numeric_order(cand, page_language)
    if cand.tokens[0][0] == "num" and len(cand.tokens[0][1]) == 4:
        order = "YMD"
    data = _parser(languages, order).get_date_data(cand.raw)
    if data is None or data.date_obj is None or not _plausible(data.date_obj.year):
        return None
    if data.period == "day":
        return data.date_obj.strftime("%Y-%m-%d"), "day", ambiguous
    if data.period == "month":
        return data.date_obj.strftime("%Y-%m"), "month", False
    return None


def _plausible(year: int) -> bool:
    return _MIN_YEAR <= year <= datetime.now().year + 5


def _parse_in(cand: _Candidate, cue_language: str | None, page_language: str | None) -> _Parsed | None:
    """Parse in the cue's and the page's languages first, then in every supported language."""
    base, _ = _split_language(page_language)
    preferred = tuple(dict.fromkeys(lang for lang in (cue_language, base) if lang in _DEFAULT_LANGUAGES))
    parsed = _parse(cand, preferred, page_language) if preferred else None
    if parsed is None and preferred != _DEFAULT_LANGUAGES:
        parsed = _parse(cand, _DEFAULT_LANGUAGES, page_language)
    return parsed


def _clean(line: str) -> str:
    line = _MARKDOWN_LINK.sub(" \u2063 ", line)
    return _URL.sub(" \u2063 ", line).translate(_BRACKETS)


def _accepts(before: str, strong: bool) -> bool:
    """Whether a cue after ``before`` (its line so far) introduces the document's own date."""
    sentence = _SENTENCE_END.split(before)[-1]
    if _PAST_VERSION.search(sentence):
        return False
    if strong:
        return True
    return not sentence.strip(" \t#>-–—•·|:") or bool(_DOCUMENT_WORDS.search(sentence))


def _is_upcoming(kind: Kind, iso: str, fetched_at: datetime | None) -> bool:
    if kind != "effective" or fetched_at is None:
        return False
    return iso > fetched_at.strftime("%Y-%m-%d")[: len(iso)]


def detect_dates(text: str, *, language: str | None = None, fetched_at: datetime | None = None) -> PolicyDates:
    """Find the policy's updated and effective dates (first labelled one of each kind).

    ``language`` is the page's language tag (``en-US`` makes ``3/11/2025`` month-first);
    ``fetched_at`` marks effective dates after the fetch as ``upcoming``. Without any labelled
    date, a bare date line near the top (``January, 2019``) is taken as the updated date.
    """
    found: dict[Kind, DetectedDate] = {}
    for line in map(_clean, _lines_with_a_year(text)):
        for m in _CUE_RE.finditer(line):
            lang, kind, strong, _ = _CUES[int(m.lastgroup[1:])]
            if kind in found or not _accepts(line[: m.start()], strong):
                continue
            dated = _date_after(line[m.end() :], kind, lang, language)
            if dated:
                if dated.ambiguous:
                    dated = _disambiguated(dated, text, fetched_at)
                found[kind] = replace(dated, upcoming=_is_upcoming(kind, dated.iso, fetched_at))
        if len(found) == 2:
            break
    if not found:
        top_lines = map(_clean, text.split("\n", _TOP_LINES)[:_TOP_LINES])
        bare = next(filter(None, (_bare_date(line, language) for line in top_lines)), None)
        if bare is not None:
            found["updated"] = bare
    return PolicyDates(updated=found.get("updated"), effective=found.get("effective"))


def _date_after(rest: str, kind: Kind, cue_language: str, language: str | None) -> DetectedDate | None:
    """The date right after a cue, else one at most a few words later in its sentence (then it must show
    at least a month and a year: a bare year after words is no policy date)."""
    pos = 0
    for skipped in range(_MAX_SKIPPED_WORDS + 1):
        cand = _candidate(rest[pos:])
        parsed = cand and (skipped == 0 or len(cand.tokens) > 1) and _parse_in(cand, cue_language, language)
        if parsed:
            iso, precision, ambiguous = parsed
            return DetectedDate(kind, cand.raw, iso, precision, ambiguous)
        word = _SKIPPABLE.match(rest, pos)
        if not word or _SENTENCE_END.search(rest[pos : word.end() + 1]) or "|" in rest[pos : word.end()]:
            return None
        pos = word.end()
    return None


_ANY_NUMERIC = re.compile(r"(?<![\d./-])(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?![\d./-])")


def _readings(dated: DetectedDate) -> dict[str, date] | None:
    """The two readings of an all-numeric day/month date, by order, or None when it is not one."""
    m = _NUMERIC.fullmatch(dated.raw.replace(" ", ""))
    if not m:
        return None
    first, second, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
    try:
        return {"DMY": date(year, second, first), "MDY": date(year, first, second)}
    except ValueError:  # one part above 12: not ambiguous after all
        return None


def _disambiguated(dated: DetectedDate, text: str, fetched_at: datetime | None) -> DetectedDate:
    """An ambiguous day/month date read in the order the page's other numeric dates show (a part above
    12), else the one reading that is not after the fetch for a "last updated" date; else unchanged."""
    readings = _readings(dated)
    if readings is None:
        return dated
    orders = set()
    for other in _ANY_NUMERIC.finditer(text):
        a, b = int(other.group(1)), int(other.group(3))
        if a > 12 >= b:
            orders.add("DMY")
        elif b > 12 >= a:
            orders.add("MDY")
    if len(orders) != 1 and dated.kind == "updated" and fetched_at is not None:
        orders = {order for order, day in readings.items() if day <= fetched_at.date()}
    if len(orders) != 1:
        return dated
    return replace(dated, iso=readings[orders.pop()].isoformat(), ambiguous=False)


def with_history(dates: PolicyDates, earlier: PolicyDates) -> PolicyDates:
    """`dates` with an ambiguous date settled by the document's previous version's dates (`earlier`).

    A reading equal to the earlier date of its kind wins (the same day, written another way); else a
    "last updated" date is never before the earlier one. When neither decides, it stays ambiguous.
    """
    return PolicyDates(
        updated=_settled(dates.updated, earlier.updated), effective=_settled(dates.effective, earlier.effective)
    )


def _settled(dated: DetectedDate | None, before: DetectedDate | None) -> DetectedDate | None:
    readings = _readings(dated) if dated and dated.ambiguous and before and before.precision == "day" else None
    if dated is None or before is None or readings is None:
        return dated
    known = date.fromisoformat(before.iso)
    orders = {order for order, day in readings.items() if day == known}
    if not orders and dated.kind == "updated":
        orders = {order for order, day in readings.items() if day >= known}
    if len(orders) != 1:
        return dated
    return replace(dated, iso=readings[orders.pop()].isoformat(), ambiguous=False)


def _lines_with_a_year(text: str) -> Iterator[str]:
    """The lines holding a four-digit year, in order: only they can carry a dated label."""
    end = -1
    for m in _YEAR.finditer(text):
        if m.start() < end:
            continue  # another year on a line already given
        if text[m.start() - 1 : m.start()].isdigit() or text[m.end() : m.end() + 1].isdigit():
            continue
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        yield text[start:end]


def _bare_date(line: str, language: str | None) -> DetectedDate | None:
    """A line that is nothing but a month-and-year or full date (``January, 2019``)."""
    stripped = line.strip(" \t#>-–—•·|.")
    if not stripped or len(stripped) > 40 or not any(c.isalpha() or c in "/.-" for c in stripped):
        return None
    cand = _candidate(stripped)
    if cand is None or len(cand.tokens) < 2 or cand.raw != stripped.strip(" ,"):
        return None
    parsed = _parse_in(cand, None, language)
    if not parsed:
        return None
    iso, precision, ambiguous = parsed
    return DetectedDate("updated", cand.raw, iso, precision, ambiguous)
