"""Microsoft Teams through a Workflows (Power Automate) webhook: the alert as an Adaptive Card.

Apprise's ``workflows://`` service posts the card (its template); the changed sentences are rich
text runs, removed words struck through and added ones in bold green, so no policy text is read
as markdown. Registered through the ``policy_monitor.channels`` entry point, as a third-party kind
would be.
"""

from __future__ import annotations

from typing import Any

from apprise.plugins.workflows import NotifyWorkflows

from monitor.alerts.channels import Channel
from monitor.alerts.formats import CHAT_SENTENCES, clip_words, more, reason
from monitor.alerts.messages import Message, Sentence
from monitor.judge.textdiff import DELETE, INSERT

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
SEVERITY_COLOURS = {"MATERIAL": "attention", "REVIEW": "warning"}


class TeamsChannel(Channel):
    """Microsoft Teams (workflows://... from a Teams Workflows webhook): an Adaptive Card with the changed sentences."""

    kind = "teams"

    @classmethod
    def accepts(cls, plugin: Any) -> bool:
        return isinstance(plugin, NotifyWorkflows)

    def payload(self, message: Message) -> dict[str, Any]:
        return {"title": message.subject, "card": card(message)}

    def send(self, payload: dict[str, Any], message_id: str) -> str | None:
        return self._notify_with_template(payload["card"], payload["title"], payload["title"])


def card(message: Message, limit: int = CHAT_SENTENCES) -> dict[str, Any]:
    """The Workflows message holding one Adaptive Card for `message`."""
    body: list[dict[str, Any]] = []
    if message.severity:
        colour = SEVERITY_COLOURS.get(message.severity, "default")
        body.append(_text(message.severity, color=colour, weight="bolder", size="small"))
    body += [_text(message.title, size="large", weight="bolder"), _text(message.headline)]
    if message.facts:
        body.append({"type": "FactSet", "facts": [{"title": label, "value": value} for label, value in message.facts]})
    for item in message.items:
        body += [_text(item.title, weight="bolder", separator=True), _text(item.headline)]
        body += [_text(f"Full diff: {see}", isSubtle=True) for see in item.see]
    for sentence in message.sentences[:limit]:
        body += _sentence(sentence)
    footer = [more(len(message.sentences) - limit)] if len(message.sentences) > limit else []
    footer += [f"Note: {note}" for note in message.notes[:2]]
    footer += [f"Full diff: {see}" for see in message.see]
    body += [_text(line, isSubtle=True, size="small") for line in footer]
    content: dict[str, Any] = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": "1.4",
        "msteams": {"width": "full"},
        "body": body,
    }
    if message.link:
        content["actions"] = [{"type": "Action.OpenUrl", "title": "Open the full diff", "url": message.link}]
    attachment = {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": content}
    return {"type": "message", "attachments": [attachment]}


def _text(text: str, **style: Any) -> dict[str, Any]:
    """A plain-text block: a one-run RichTextBlock, so that nothing in it is read as markdown."""
    run_style = {key: style.pop(key) for key in ("weight", "size", "color", "isSubtle") if key in style}
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **run_style}], **style}


def _sentence(sentence: Sentence) -> list[dict[str, Any]]:
    runs = []
    for op, text in clip_words(sentence.words):
        if op == DELETE:
            runs.append({"type": "TextRun", "text": text, "strikethrough": True, "color": "attention"})
        elif op == INSERT:
            runs.append({"type": "TextRun", "text": text, "weight": "bolder", "color": "good"})
        else:
            runs.append({"type": "TextRun", "text": text})
    blocks = [
        _text(f"{sentence.section} · {sentence.kind}", isSubtle=True, size="small", separator=True),
        {"type": "RichTextBlock", "inlines": runs},
    ]
    return blocks + [_text(reason(*pair), isSubtle=True, size="small") for pair in sentence.evidence[:3]]
