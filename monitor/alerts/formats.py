"""A :class:`~monitor.messages.Message` as plain text, as an HTML e-mail, and as Slack Block Kit.

All policy text is escaped for its format: HTML entities in e-mail, Slack's ``&amp; &lt; &gt;`` in chat
(so ``<!channel>`` or ``<http://evil|click>`` stay text), and in chat its formatting characters
(asterisk, underscore, tilde, backtick) are replaced by look-alikes.
Chat messages are sized with a budget (a few sentences, clipped around their changed words) and say
how many more changes there are; e-mail shows every changed sentence up to a larger cap.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from typing import Any

from monitor.alerts.messages import Message, Sentence
from monitor.judge.textdiff import DELETE, INSERT

EMAIL_SENTENCES = 25
DIGEST_SENTENCES = 2  # per change in a digest
CHAT_SENTENCES = 3
CHAT_CONTEXT_WORDS = 8  # unchanged words kept on each side of a change in chat
CHAT_SENTENCE_CHARS = 600
SLACK_HEADER_CHARS = 150
SEVERITY_COLOURS = {"MATERIAL": "#c62828", "REVIEW": "#b7791f"}
KIND_COLOURS = {"incident_opened": "#6b7280", "incident_resolved": "#2e7d32", "test": "#1d4ed8"}
_SPACE = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)


def colour(message: Message) -> str:
    """The accent colour of a message: by severity, else by kind."""
    return SEVERITY_COLOURS.get(message.severity or "", KIND_COLOURS.get(message.kind, "#374151"))


def more(count: int) -> str:
    """``and 3 more changes``."""
    return f"and {count} more change{'s' if count != 1 else ''}"


# --- plain text ---------------------------------------------------------------------------------------


def to_text(message: Message, limit: int = EMAIL_SENTENCES) -> str:
    """Plain text: removed words read ``[-so-]`` and added ones ``{+so+}`` (as in ``monitor diff``)."""
    lines = [message.title, message.headline]
    if message.facts:
        lines += ["", *(f"{label}: {value}" for label, value in message.facts)]
    for item in message.items:
        lines += ["", f"* {item.title}: {item.headline}"]
        lines += [f"  {label}: {value}" for label, value in item.facts]
        lines += _sentences_text(item, DIGEST_SENTENCES, "  ")
        lines += [f"  Full diff: {pointer}" for pointer in _pointers(item)]
    lines += _sentences_text(message, limit)
    if message.notes:
        lines += ["", *(f"Note: {note}" for note in message.notes)]
    if _pointers(message):
        lines += ["", *(f"Full diff: {pointer}" for pointer in _pointers(message))]
    return "\n".join(lines).strip() + "\n"


def _sentences_text(message: Message, limit: int, indent: str = "") -> list[str]:
    lines = []
    for sentence in message.sentences[:limit]:
        lines += ["", f"{indent}[{sentence.section}] {sentence.kind}", f"{indent}  {text_words(sentence.words)}"]
        lines += [f"{indent}  - {reason(title, terms)}" for title, terms in sentence.evidence]
    if len(message.sentences) > limit:
        lines += ["", indent + more(len(message.sentences) - limit)]
    return lines


def _pointers(message: Message) -> list[str]:
    """Where to see the whole diff: the commands, then the link."""
    return [*message.see, *([message.link] if message.link else [])]


def reason(title: str, terms: str) -> str:
    """A rule's title and the terms it found: ``new sharing with third parties: advertising partners``."""
    return f"{title}: {terms}" if terms else title


def text_words(words: Iterable[tuple[int, str]]) -> str:
    """A word diff with ``[-removed-]`` and ``{+added+}`` markers."""
    marks = {DELETE: ("[-", "-]"), INSERT: ("{+", "+}")}
    return "".join(_wrap(text, *marks[op]) if op in marks else text for op, text in words)


def _wrap(text: str, left: str, right: str, escape: Callable[[str], str] = str) -> str:
    """``text`` between markers, its leading and trailing spaces kept outside them."""
    match = _SPACE.match(text)
    assert match is not None
    before, core, after = match.groups()
    return f"{before}{left}{escape(core)}{right}{after}" if core else escape(text)


# --- HTML e-mail --------------------------------------------------------------------------------------

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{subject}</title></head>
<body style="margin:0;padding:24px;background:#f3f4f6;color:#111827;
font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif">
<div style="max-width:720px;margin:0 auto;background:#ffffff;border-radius:8px;
border-top:6px solid {colour};padding:24px 28px">
{body}
<p style="margin:28px 0 0;font-size:12px;color:#6b7280">Sent by policy-monitor.</p>
</div></body></html>
"""
_DEL = "background:#fde2e1;color:#9b1c1c;text-decoration:line-through"
_INS = "background:#d9f2e1;color:#14532d;text-decoration:none;font-weight:600"
_MUTED = "color:#6b7280;font-size:13px"


def to_html(message: Message, limit: int = EMAIL_SENTENCES) -> str:
    """A self-contained HTML e-mail (inline styles only); every piece of text is escaped."""
    esc = html.escape
    parts = []
    if message.severity:
        parts.append(
            f'<p style="margin:0 0 6px"><span style="background:{colour(message)};color:#fff;border-radius:4px;'
            f'padding:2px 8px;font-size:12px;font-weight:700;letter-spacing:.04em">{esc(message.severity)}</span></p>'
        )
    parts.append(f'<h1 style="margin:0 0 4px;font-size:22px">{esc(message.title)}</h1>')
    parts.append(f'<p style="margin:0 0 18px;font-size:16px;color:#374151">{esc(message.headline)}</p>')
    parts.append(_facts_html(message.facts))
    for item in message.items:
        parts.append(f'<h2 style="margin:26px 0 4px;font-size:17px">{esc(item.title)}</h2>')
        parts.append(f'<p style="margin:0 0 8px">{esc(item.headline)}</p>')
        parts.append(_facts_html(item.facts))
        parts.append(_sentences_html(item, DIGEST_SENTENCES))
        parts.append(_see_html(item))
    if message.sentences:
        parts.append('<h2 style="margin:26px 0 8px;font-size:17px">What changed</h2>')
    parts.append(_sentences_html(message, limit))
    parts.extend(f'<p style="margin:14px 0 0;{_MUTED}">{esc(note)}</p>' for note in message.notes)
    parts.append(_see_html(message))
    return _PAGE.format(subject=esc(message.subject), colour=colour(message), body="\n".join(p for p in parts if p))


def _facts_html(facts: Iterable[tuple[str, str]]) -> str:
    rows = "".join(
        f'<tr><th style="text-align:left;vertical-align:top;padding:3px 16px 3px 0;white-space:nowrap;{_MUTED};'
        f'font-weight:600">{html.escape(label)}</th><td style="padding:3px 0">{html.escape(value)}</td></tr>'
        for label, value in facts
    )
    return f'<table style="border-collapse:collapse;font-size:14px">{rows}</table>' if rows else ""


def _sentences_html(message: Message, limit: int) -> str:
    parts = [_sentence_html(sentence) for sentence in message.sentences[:limit]]
    if len(message.sentences) > limit:
        parts.append(f'<p style="{_MUTED}">{html.escape(more(len(message.sentences) - limit))}</p>')
    return "\n".join(parts)


def _sentence_html(sentence: Sentence) -> str:
    words = "".join(
        f'<del style="{_DEL}">{html.escape(text)}</del>'
        if op == DELETE
        else f'<ins style="{_INS}">{html.escape(text)}</ins>'
        if op == INSERT
        else html.escape(text)
        for op, text in sentence.words
    )
    reasons = "".join(
        f"<li><strong>{html.escape(title)}</strong>{': ' + html.escape(terms) if terms else ''}</li>"
        for title, terms in sentence.evidence
    )
    evidence = f'<ul style="margin:6px 0 0;padding-left:18px;{_MUTED}">{reasons}</ul>' if reasons else ""
    return (
        '<div style="margin:0 0 14px;padding:10px 14px;border-left:3px solid #d1d5db;background:#f9fafb">'
        f'<div style="{_MUTED};margin-bottom:4px">{html.escape(sentence.section)} · {sentence.kind}</div>'
        f'<div style="font-size:15px;line-height:1.5">{words}</div>{evidence}</div>'
    )


def _see_html(message: Message) -> str:
    lines = [f'<code style="background:#f3f4f6;padding:2px 6px">{html.escape(see)}</code>' for see in message.see]
    if message.link:
        lines.append(f'<a href="{html.escape(message.link)}" style="color:#1d4ed8">open the full diff</a>')
    return f'<p style="margin:16px 0 0;font-size:14px">Full diff: {" or ".join(lines)}</p>' if lines else ""


# --- Slack Block Kit ----------------------------------------------------------------------------------


#: Slack mrkdwn's formatting characters, and look-alikes it does not format (mrkdwn has no escape for them).
_SLACK_FORMATTING = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})


def slack_escape(text: str) -> str:
    """Text safe inside Slack mrkdwn: only ``&``, ``<`` and ``>`` need escaping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_quote(text: str) -> str:
    """Quoted policy text in mrkdwn: escaped, and its ``*bold*``, ``_italic_``, ``~strike~`` and code
    markers replaced by look-alikes, so that a policy cannot format (or mention) anything in chat."""
    return slack_escape(text).translate(_SLACK_FORMATTING)


def clip_words(words: Iterable[tuple[int, str]], context: int = CHAT_CONTEXT_WORDS) -> list[tuple[int, str]]:
    """A word diff for chat: unchanged runs shortened to ``context`` words next to each change."""
    pairs = list(words)
    last = len(pairs) - 1
    return [
        (op, _clip(text, context, first=index == 0, last=index == last) if op not in (DELETE, INSERT) else text)
        for index, (op, text) in enumerate(pairs)
    ]


def slack_words(words: Iterable[tuple[int, str]], context: int = CHAT_CONTEXT_WORDS) -> str:
    """A word diff in mrkdwn: removed words ~struck~, added ones *bold*, long unchanged runs clipped."""
    pairs = clip_words(words, context)
    out = []
    for index, (op, text) in enumerate(pairs):
        if op == INSERT and index and pairs[index - 1][0] == DELETE:
            out.append(" ")  # ~old~ *new*: Slack only formats markers that stand apart
        if op == DELETE:
            out.append(_wrap(text, "~", "~", slack_quote))
        elif op == INSERT:
            out.append(_wrap(text, "*", "*", slack_quote))
        else:
            out.append(slack_quote(text))
    line = "".join(out)
    return line if len(line) <= CHAT_SENTENCE_CHARS else line[: CHAT_SENTENCE_CHARS - 1].rstrip() + "…"


def _clip(text: str, context: int, *, first: bool, last: bool) -> str:
    """An unchanged run shortened to ``context`` words next to each change around it."""
    words = text.split(" ")
    if len(words) <= 2 * context + 1:
        return text
    head = [] if first else words[:context]
    tail = [] if last else words[-context:]
    return " ".join([*head, "…", *tail]) if head or tail else text


def to_slack(message: Message, limit: int = CHAT_SENTENCES) -> dict[str, Any]:
    """A Slack attachment (colour bar, plain-text fallback and Block Kit blocks), sized for chat."""
    title = message.title if not message.severity else f"{message.severity} · {message.title}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(title, SLACK_HEADER_CHARS)}},
        _mrkdwn(f"*{slack_quote(message.headline)}*"),
    ]
    if message.facts:
        blocks.append(_facts_block(message.facts))
    for item in message.items:
        blocks.append(_mrkdwn(f"*{slack_quote(item.title)}*: {slack_quote(item.headline)}"))
        facts = [slack_quote(f"{label}: {value}") for label, value in item.facts[:3]]
        blocks.append(_context([*facts, *_see_lines(item)]))
    shown = message.sentences[:limit]
    if shown:
        blocks.append({"type": "divider"})
    for sentence in shown:
        head = f"_{slack_quote(sentence.section)}_ · {sentence.kind}"
        blocks.append(_mrkdwn(f"{head}\n>{slack_words(sentence.words)}"))
        if sentence.evidence:
            blocks.append(_context([slack_quote(reason(*pair)) for pair in sentence.evidence[:3]]))
    rest = len(message.sentences) - len(shown)
    footer = [more(rest)] if rest > 0 else []
    footer += [slack_quote(f"Note: {note}") for note in message.notes[:2]]
    footer += _see_lines(message)
    if footer:
        blocks.append(_context(footer))
    return {"color": colour(message), "fallback": message.subject, "blocks": blocks}


def _see_lines(message: Message) -> list[str]:
    lines = [f"Full diff: `{slack_escape(see)}`" for see in message.see]
    if message.link:
        lines.append(f"<{message.link}|Open the full diff>")
    return lines


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, 3000)}}


def _facts_block(facts: Iterable[tuple[str, str]]) -> dict[str, Any]:
    fields = [{"type": "mrkdwn", "text": _cut(f"*{label}*\n{slack_quote(value)}", 2000)} for label, value in facts]
    return {"type": "section", "fields": fields[:10]}


def _context(lines: Iterable[str]) -> dict[str, Any]:
    """A context block of mrkdwn lines (already escaped)."""
    elements = [{"type": "mrkdwn", "text": _cut(line, 3000)} for line in lines]
    return {"type": "context", "elements": elements[:10]}
