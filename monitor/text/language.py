"""Language of a policy text: the page's declared ``lang`` checked against a stopword detector."""

from __future__ import annotations

import re
from collections import Counter

_STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to in is that for are with as by this be or we you your our on not from at"
        " which will have may any such",
        "de": "der die das und ist nicht zu den von mit sich des auf für im dem ein eine einer wir sie"
        " werden oder auch bei ihre ihrer diese",
        "fr": "le la les et des est pas du une que qui dans pour sur au aux ces nous vous votre vos"
        " ou par sont être avec",
        "es": "el la los las y de que en un una por con para es su sus se del al como nos usted o no sobre sus",
        "it": "il lo la gli le e di che un una per con del della dei delle sono non nel alla ai come suoi vostri dati",
        "nl": "de het een en van in is dat op te zijn met voor niet aan er ook uw wij worden door als bij deze",
        "pt": "o a os as e de que em um uma para com não por do da dos das se seus suas ao você nós são pelo pela",
    }.items()
}
_WORD = re.compile(r"[^\W\d_]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SAMPLE_CHARS = 20_000  # enough to be sure, and keeps the cost flat on huge pages
_MIN_HITS = 20


def _base(tag: str) -> str:
    return re.split(r"[-_]", tag.strip())[0].lower()


def _normalise_tag(tag: str) -> str:
    parts = re.split(r"[-_]", tag.strip())
    return "-".join([parts[0].lower(), *(p.upper() if len(p) == 2 else p for p in parts[1:])])


def guess_language(text: str) -> str | None:
    """A confident stopword guess (``en``, ``de``, ``fr``, ``es``, ``it``, ``nl``, ``pt``, ``zh``)."""
    sample = text[:_SAMPLE_CHARS]
    if len(_CJK.findall(sample)) > len(sample) / 5:
        return "zh"
    words = Counter(w.lower() for w in _WORD.findall(sample))
    scores = {lang: sum(words[w] for w in stop) for lang, stop in _STOPWORDS.items()}
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < _MIN_HITS or top < 1.5 * second:
        return None
    return best


def sentence_language(text: str) -> str | None:
    """The language whose stopwords a short text uses most (strictly more than any other), else None."""
    words = [w.lower() for w in _WORD.findall(text)]
    scores = sorted(((sum(w in stop for w in words), lang) for lang, stop in _STOPWORDS.items()), reverse=True)
    (top, best), (second, _) = scores[0], scores[1]
    return best if top > second else None


def detect_language(text: str, declared: str | None) -> str | None:
    """The text's language tag: ``declared`` (e.g. ``en-US``) unless the text clearly says otherwise."""
    guessed = guess_language(text)
    if declared and declared.strip():
        tag = _normalise_tag(declared)
        if guessed is None or _base(tag) == guessed:
            return tag
    return guessed
