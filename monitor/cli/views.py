"""Rich renderables for the CLI: tables of vendors, versions and outcomes, and coloured diffs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from monitor.alerts.outbox import Drained
    from monitor.app.alerting import ChannelInfo
    from monitor.app.explain import Explanation
    from monitor.app.health import Status
    from monitor.app.labels import LabelRow
    from monitor.app.reads import AlertRow, ChangeSummary, VersionSummary, WatchedDocument
    from monitor.app.record import Recorded
    from monitor.app.registries import Family
    from monitor.app.saved_pages import ReplayLine
    from monitor.app.technical import Reextracted
    from monitor.judge.textdiff import Hunk
    from monitor.text.dates import PolicyDates

CONTEXT_LINES = 1
OK_OUTCOMES = {"ok"}


def when(moment: datetime | None) -> str:
    """A UTC timestamp to the minute, or a dash."""
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def outcome_text(outcome: str | None) -> Text:
    """An outcome kind, green when good and red otherwise."""
    if outcome is None:
        return Text("never fetched", style="dim")
    return Text(outcome, style="green" if outcome in OK_OUTCOMES else "red")


def vendors_table(rows: Iterable[WatchedDocument]) -> Table:
    """The table of watched documents and how their last fetch went."""
    table = Table(title="Watched documents (times in UTC)")
    for column in ("vendor", "name", "document", "last fetch", "outcome", "versions", "policy date"):
        table.add_column(column, justify="right" if column == "versions" else "left")
    for row in rows:
        outcome = outcome_text(row.outcome)
        if row.error and row.outcome not in OK_OUTCOMES:
            outcome.append(f"\n{row.error}", style="dim")
        table.add_row(
            row.vendor_id,
            row.vendor_name,
            row.document_type,
            when(row.last_fetch),
            outcome,
            str(row.versions),
            row.policy_date or "-",
        )
    return table


def history_table(title: str, versions: Sequence[VersionSummary]) -> Table:
    """One line per version: first and last seen, policy date, size, line changes and what changed."""
    table = Table(title=title)
    for column in ("#", "first seen", "last seen", "policy date", "chars", "lines +", "lines -", "change"):
        table.add_column(column, justify="right" if column in ("#", "chars", "lines +", "lines -") else "left")
    for version in versions:
        change = version.change
        table.add_row(
            str(version.seq),
            when(version.first_seen),
            when(version.last_seen),
            version.policy_date or "-",
            f"{version.size:,}",
            Text(f"+{version.lines_added}", style="green"),
            Text(f"-{version.lines_removed}", style="red"),
            _with_verdict(change_text(change) if change else Text("first version", style="dim"), version),
        )
    return table


def _with_verdict(text: Text, version: VersionSummary) -> Text:
    if version.verdict:
        text.append(f" | person: {version.verdict} ({version.verdict_by})", style="bold")
    return text


def change_text(change: ChangeSummary) -> Text:
    """A change's kind, severity, rule ids and headline."""
    text = Text()
    if change.kind != "new_version":
        text.append(f"{change.kind}{' (flagged)' if change.flagged else ''} ", style="italic")
    text.append(change.severity, style=SEVERITY_STYLES.get(change.severity, ""))
    if change.rules:
        text.append(f" [{', '.join(change.rules)}]", style="dim")
    text.append(f" {change.headline}")
    return text


def cycle_table(rows: Iterable[tuple[str, str, Recorded]]) -> Table:
    """What one crawl cycle recorded for each (vendor, document)."""
    table = Table(title="Crawl results")
    for column in ("vendor", "document", "outcome", "decision", "version", "detail"):
        table.add_column(column)
    for vendor_id, doc_type, recorded in rows:
        table.add_row(
            vendor_id,
            doc_type,
            outcome_text(recorded.outcome),
            decision_text(recorded),
            f"#{recorded.version_seq}" if recorded.version_seq else "-",
            recorded_detail(recorded),
        )
    return table


DECISION_STYLES = {
    "first_version": "bold",
    "new_version": "bold yellow",
    "reverted": "bold yellow",
    "unchanged": "dim",
    "flip_flop": "dim",
    "inaccessible": "red",
}


def decision_text(recorded: Recorded) -> Text:
    """The decision, with the severity of the change it made."""
    text = Text(recorded.decision.replace("_", " "), style=DECISION_STYLES.get(recorded.decision, ""))
    if recorded.severity:
        text.append(f" {recorded.severity}", style=SEVERITY_STYLES.get(recorded.severity, ""))
    return text


SEVERITY_STYLES = {"MATERIAL": "bold red", "REVIEW": "yellow", "NOISE": "dim"}


def recorded_detail(recorded: Recorded) -> str:
    """One line: the change's headline and rules, or why the page could not be read."""
    parts = []
    if recorded.headline:
        parts.append(recorded.headline)
    if recorded.rules:
        parts.append(f"[{', '.join(recorded.rules)}]")
    if recorded.reason:
        parts.append(recorded.reason)
    if recorded.incident:
        parts.append(f"(incident {recorded.incident})")
    return " ".join(parts)


def reextract_table(done: Iterable[Reextracted]) -> Table:
    """What `monitor reextract` did, one row per document."""
    table = Table(title="Re-extraction")
    for column in ("vendor", "document", "result", "version", "detail"):
        table.add_column(column)
    for row in done:
        table.add_row(row.vendor_id, row.document_type, row.result, str(row.version_seq or "-"), row.detail)
    return table


def outcomes_table(outcomes: Family, checks: Family) -> Table:
    """The fetch outcomes, then the page checks, and whether a page with each is usable."""
    table = Table(title="Fetch outcomes")
    table.add_column("kind")
    table.add_column("page usable")
    table.add_column("meaning")
    for info in outcomes.kinds:
        table.add_row(info.kind, info.details["page usable"], info.description)
    for info in checks.kinds:
        table.add_row(info.kind, "no", info.description)
    return table


def drained_line(drained: Drained) -> str:
    """``Alerts: 2 sent, 1 to retry, 0 failed.``."""
    return f"Alerts: {drained.sent} sent, {drained.retrying} to retry, {drained.failed} failed."


def replay_line(line: ReplayLine) -> Text:
    """One replayed file: name, decision and severity, rules, policy date and summary."""
    text = Text(f"{line.file}  ")
    text.append(f"{line.decision:<13}", style=DECISION_STYLES.get(line.decision, ""))
    text.append(f" {line.severity or '-':<8}", style=SEVERITY_STYLES.get(line.severity or "", "dim"))
    text.append(f" {','.join(line.rules) or '-':<12} {line.policy_date or '-':<10} ")
    text.append(line.summary)
    return text


def status_view(report: Status) -> RenderableType:
    """`monitor status`: runs, incidents, alerts, database size and health."""
    table = Table(title="policy-monitor status (times in UTC)", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    run = report.last_run
    last = f"#{run.id} {run.trigger}, started {when(run.started_at)}, {run.status}" if run else "none yet"
    table.add_row("last run", last + (f" ({run.error})" if run and run.error else ""))
    table.add_row("next runs", "\n".join(f"{job}: {when(at)}" for job, at in report.next_runs) or "no schedule stored")
    incidents = [
        f"{i.vendor_id} {i.document_type}: {i.kind} since {when(i.opened_at)} ({i.reason})" for i in report.incidents
    ]
    table.add_row("open incidents", "\n".join(incidents) or "none")
    table.add_row("alerts", ", ".join(f"{n} {status}" for status, n in sorted(report.alerts.items())) or "none")
    size = f"{report.database_bytes / 1_048_576:.1f} MB" if report.database_bytes is not None else "unknown"
    table.add_row("database", size)
    health = Text("healthy", style="green") if report.healthy else Text("; ".join(report.problems), style="bold red")
    table.add_row("health", health)
    return table


def dates_line(language: str | None, dates: PolicyDates) -> str:
    """One line naming the detected language and the policy's dates."""
    found = [d for d in (dates.updated, dates.effective) if d is not None]
    described = [
        f"{d.kind} {d.iso} ({d.precision}{', ambiguous' if d.ambiguous else ''}{', upcoming' if d.upcoming else ''})"
        f" from {d.raw!r}"
        for d in found
    ]
    return f"language: {language or 'unknown'}; dates: {'; '.join(described) or 'none found'}"


def diff_view(old: str, new: str, *, markers: bool = False) -> RenderableType:
    """A coloured diff: changed lines with their words struck out or added, unchanged runs folded.

    With `markers` (for output without colour), removed words read `[-so-]` and added ones `{+so+}`.
    """
    from monitor.judge.textdiff import line_hunks

    hunks = line_hunks(old, new)
    if all(h.kind == "equal" for h in hunks):
        return Text("The texts are identical.", style="dim")
    parts: list[Text] = []
    for index, hunk in enumerate(hunks):
        if hunk.kind == "equal":
            parts.extend(_folded(hunk.old, first=index == 0, last=index == len(hunks) - 1))
        else:
            parts.extend(_changed_lines(hunk, markers))
    return Group(*parts)


def _folded(lines: list[str], *, first: bool, last: bool) -> list[Text]:
    head = [] if first else lines[:CONTEXT_LINES]
    tail = [] if last else lines[-CONTEXT_LINES:]
    hidden = len(lines) - len(head) - len(tail)
    if hidden <= 0:
        return [Text("  " + line, style="dim") for line in lines]
    out = [Text("  " + line, style="dim") for line in head]
    out.append(Text(f"  … {hidden} unchanged line{'s' if hidden > 1 else ''} …", style="dim italic"))
    out.extend(Text("  " + line, style="dim") for line in tail)
    return out


def _changed_lines(hunk: Hunk, markers: bool) -> list[Text]:
    from monitor.judge.textdiff import DELETE, INSERT, word_diff

    if hunk.kind == "removed":
        return [Text("- " + line, style="red") for line in hunk.old]
    if hunk.kind == "added":
        return [Text("+ " + line, style="green") for line in hunk.new]
    text = Text("~ ", style="yellow")
    for op, chunk in word_diff("\n".join(hunk.old), "\n".join(hunk.new)):
        if op == DELETE:
            text.append(f"[-{chunk}-]" if markers else chunk, style="bold red strike")
        elif op == INSERT:
            text.append(f"{{+{chunk}+}}" if markers else chunk, style="bold green underline")
        else:
            text.append(chunk)
    return [text]


STATUS_STYLES = {"queued": "yellow", "sent": "green", "failed": "bold red", "digested": "dim"}


def outbox_table(rows: Iterable[AlertRow]) -> Table:
    """The outbox, newest first: each alert's channel, what it is about, status, attempts and last error."""
    table = Table(title="Alert outbox (times in UTC)")
    for column in ("#", "created", "channel", "kind", "about", "status", "tries", "next try", "last error"):
        table.add_column(column, justify="right" if column in ("#", "tries") else "left")
    for row in rows:
        waiting = row.status == "queued"
        table.add_row(
            str(row.id),
            when(row.created_at),
            row.channel,
            row.kind,
            row.about,
            Text(row.status + (f" in #{row.digest_id}" if row.digest_id else ""), style=STATUS_STYLES[row.status]),
            str(row.attempts),
            when(row.next_attempt_at) if waiting else "-",
            Text(row.last_error or "", style="red"),
        )
    return table


def channels_table(channels: Iterable[ChannelInfo]) -> Table:
    """Configured channels: name, kind, URL with its secrets masked, and what each wants."""
    table = Table(title="Alert channels")
    for column in ("name", "kind", "url (secrets masked)", "sends"):
        table.add_column(column, overflow="fold")
    for channel in channels:
        scope = ", ".join([*channel.vendors, *(f"tag {tag}" for tag in channel.tags)]) or "all vendors"
        sends = f"{', '.join(channel.events)}; {'/'.join(channel.severities)}; {scope}"
        table.add_row(channel.name, channel.kind, channel.masked_url, sends)
    return table


def kinds_table(family: Family) -> Table:
    """One registry: each kind, what it means, and what else its family says of it."""
    table = Table(title=family.title)
    extra = list(dict.fromkeys(key for info in family.kinds for key in info.details))
    for column in ("kind", *extra, "description"):
        table.add_column(column)
    for info in family.kinds:
        table.add_row(info.kind, *(info.details.get(key, "") for key in extra), info.description)
    return table


def explanation_view(explained: Explanation) -> RenderableType:
    """`monitor explain`: the severity, how it follows, each rule with its evidence, notes, alerts, verdict."""
    from monitor.judge.materiality import RANK

    head = Text(f"{explained.vendor_id} {explained.document_type}: version {explained.old_seq} -> {explained.new_seq} ")
    head.append(explained.severity, style=SEVERITY_STYLES.get(explained.severity, ""))
    head.append(f" ({explained.kind}{', ' + when(explained.detected_at) + ' UTC' if explained.detected_at else ''})")
    parts: list[RenderableType] = [head, Text(explained.headline, style="bold"), Text(explained.how, style="dim")]
    table = Table(title="Rules that fired, most telling first", show_lines=True)
    for column in ("rule", "severity", "why", "evidence"):
        table.add_column(column, overflow="fold")
    for fired in sorted(explained.evidence, key=lambda f: -RANK.get(f.severity, 0)):
        evidence = Text()
        if fired.old:
            evidence.append(f"- {fired.old}\n", style="red")
        if fired.new:
            evidence.append(f"+ {fired.new}\n", style="green")
        evidence.append(f"words: {', '.join(fired.terms) or '-'}", style="dim")
        severity = Text(fired.severity, style=SEVERITY_STYLES.get(fired.severity, ""))
        table.add_row(fired.rule, severity, fired.title, evidence)
    parts.append(table if explained.evidence else Text("No rule fired: the texts do not differ.", style="dim"))
    parts += [Text(f"Note: {note}") for note in explained.notes]
    sent = "; ".join(f"{channel} ({kind}, {status})" for channel, kind, status in explained.alerts)
    parts.append(Text(f"Alerts: {sent or 'none'}"))
    if explained.verdict:
        verdict, author, note = explained.verdict
        parts.append(Text(f"Person's verdict: {verdict} by {author}{': ' + note if note else ''}", style="bold"))
    return Group(*parts)


def labels_table(rows: Iterable[LabelRow]) -> Table:
    """People's verdicts next to the machine's severity."""
    table = Table(title="Verdicts (times in UTC)")
    for column in ("vendor", "document", "version", "verdict", "machine", "by", "when", "note"):
        table.add_column(column, overflow="fold")
    for row in rows:
        agree = row.machine is None or row.machine == row.verdict
        table.add_row(
            row.vendor_id,
            row.document_type,
            f"{row.previous or '-'} -> {row.version}",
            Text(row.verdict, style=SEVERITY_STYLES.get(row.verdict, "")),
            Text(row.machine or "-", style="" if agree else "bold"),
            row.author,
            when(row.labelled_at),
            row.note or "",
        )
    return table
