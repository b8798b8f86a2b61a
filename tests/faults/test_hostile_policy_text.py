"""Policy text written to attack its readers: markup, scripts, links and Slack control sequences.

A change whose new sentence carries them is recorded for real, queued and delivered to a real SMTP
server and a loopback Slack webhook; in the e-mail's HTML nothing runs or links, in Slack nothing
mentions, links or formats, and the plain-text part is plain text.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

from monitor.alerts.formats import slack_quote
from monitor.alerts.outbox import drain
from tests.support.sinks import MailSink, WebhookSink
from tests.test_alerts import BASE, SLACK_URL, edited, mail, parts, recorder, slack, slack_text

__all__ = ["mail", "slack"]  # the fixtures of tests/test_alerts.py, used here

ATTACK = (
    "We share your data with advertising partners <script>alert(1)</script> <img src=x onerror=alert(2)> "
    '<a href="javascript:alert(3)">partners</a> <!channel> <!here> <@U123> <http://evil.test|click> '
    "*bold* _italic_ ~struck~ `code`."
)
# Escaped in the page, so that the policy's text carries the markup as words; and a real link.
HOSTILE = edited(line5=html.escape(ATTACK) + ' See <a href="javascript:alert(4)">our partners</a>.')


class _Tags(HTMLParser):
    """Every start tag of a document with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def test_hostile_policy_text_is_inert_in_the_email_and_in_slack(
    tmp_path: Path, mail: MailSink, slack: WebhookSink
) -> None:
    fetch = recorder(tmp_path, {"mail": mail.url, "team-slack": SLACK_URL})
    mail.start()
    fetch(BASE)
    assert fetch(HOSTILE).severity == "MATERIAL"
    assert drain(fetch.engine, fetch.config, fetch.now).sent == 2
    (email,) = mail.messages
    text, markup = parts(email)

    document = _Tags()
    document.feed(markup)
    tags = {tag for tag, _ in document.tags}
    attributes = [(name, (value or "").strip().lower()) for _, attrs in document.tags for name, value in attrs]
    assert not tags & {"script", "img", "iframe", "object", "embed", "form"}
    assert not [name for name, _ in attributes if name.startswith("on")]
    assert not [value for name, value in attributes if name in ("href", "src") and not value.startswith("https:")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup and "&lt;!channel&gt;" in markup

    assert email.get_body(("plain",))["Content-Type"].startswith("text/plain")
    assert "<script>alert(1)</script>" in text and "<!channel>" in text  # words, in a part nothing renders

    said = slack_text(slack.posts[0])
    for control in ("<!channel>", "<!here>", "<@U123>", "<http://evil.test|click>", "<script", "<img", "<a "):
        assert control not in said
    assert "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;http://evil.test|click&gt;" in said
    for formatted in ("*bold*", "_italic_", "~struck~", "`code`"):
        assert formatted not in said
    assert slack_quote("*bold* _italic_ ~struck~ `code`") in said


def test_slack_quoting_escapes_and_neutralises_formatting() -> None:
    assert slack_quote("<!here> & *a* _b_ ~c~ `d`") == "&lt;!here&gt; &amp; ∗a∗ ˍbˍ ∼c∼ ˋdˋ"
