"""Rich renderables for the CLI: tables of vendors, versions and outcomes, and coloured diffs.

Tables fit 80 columns: dates never shrink (their columns keep their width), long texts wrap. Free text
(errors, headlines, URLs) goes in as :class:`~rich.text.Text`, so that brackets such as `[render]` are
never read as markup. Without a terminal, :func:`emit` prints a table as plain aligned lines, one per
row, with nothing cut.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, Group, RenderableType
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
    from monitor.app.retention import Collected
    from monitor.app.saved_pages import ReplayLine
    from monitor.app.technical import Reextracted
    from monitor.judge.textdiff import Hunk
    from monitor.text.dates import PolicyDates

CONTEXT_LINES = 1
OK_OUTCOMES = {"ok"}
DATE: dict[str, Any] = {"no_wrap": True, "min_width": 16}  # `2026-12-02 14:45`, never cut
DAY: dict[str, Any] = {"no_wrap": True, "min_width": 10}  # `2026-12-02`
NUMBER: dict[str, Any] = {"justify": "right", "no_wrap": True}
WRAP: dict[str, Any] = {"ratio": 1, "overflow": "fold"}


def when(moment: datetime | None) -> str:
    """A UTC timestamp to the minute, or a dash."""
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def whole(values: Iterable[str]) -> dict[str, Any]:
    """Column options that keep values such as ids whole: as wide as the longest, never wrapped."""
    return {"no_wrap": True, "min_width": max((len(value) for value in values), default=1)}


def table(title: str | Text | None, columns: dict[str, dict[str, Any]], **options: Any) -> Table:
    """A table in the CLI's style, its columns set up as given (header: Rich column options)."""
    made = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left", **options)
    for header, settings in columns.items():
        made.add_column(header, **settings)
    return made


def emit(console: Console, renderable: RenderableType) -> None:
    """Print `renderable`; a table printed without a terminal becomes plain aligned lines, nothing cut."""
    if console.is_terminal or not isinstance(renderable, Table):
        console.print(renderable)
        return
    console.print("\n".join(plain_lines(renderable)), markup=False, highlight=False, soft_wrap=True)


def plain_lines(shown: Table) -> list[str]:
    """A table as text: its title, its header, one line per row (a cell's lines joined by `; `)."""
    columns = [[_plain(cell) for cell in column.cells] for column in shown.columns]
    rows = [[_plain(column.header) for column in shown.columns]] if shown.show_header else []
    rows += [list(row) for row in zip(*columns, strict=True)]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(len(shown.columns))]
    right = [column.justify == "right" for column in shown.columns]
    lines = [_plain(shown.title)] if shown.title else []
    for row in rows:
        cells = [cell.rjust(w) if r else cell.ljust(w) for cell, w, r in zip(row, widths, right, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _plain(cell: Any) -> str:
    text = cell.plain if isinstance(cell, Text) else str(cell or "")
    return "; ".join(line for line in text.splitlines() if line.strip())


def outcome_text(outcome: str | None) -> Text:
    """An outcome kind, green when good and red otherwise."""
    if outcome is None:
        return Text("never fetched", style="dim")
    return Text(outcome, style="green" if outcome in OK_OUTCOMES else "red")


def vendors_table(rows: Iterable[WatchedDocument]) -> Table:
    """The table of watched documents and how their last fetch went."""
    rows = list(rows)
    ids = {"vendor": whole(r.vendor_id for r in rows), "document": whole(r.document_type for r in rows)}
    columns = {**ids, "last fetch": DATE, "outcome": WRAP, "vers.": NUMBER, "policy date": DAY}
    shown = table("Watched documents (times in UTC)", columns)
    for row in rows:
        outcome = outcome_text(row.outcome)
        if row.error and row.outcome not in OK_OUTCOMES:
            outcome.append(f"\n{row.error}", style="dim")
        shown.add_row(
            Text(row.vendor_id),
            Text(row.document_type),
            when(row.last_fetch),
            outcome,
            str(row.versions),
            row.policy_date or "-",
        )
    return shown


def history_table(title: str, versions: Sequence[VersionSummary]) -> Table:
    """One row per version: first and last seen, policy date, size, line changes and what changed."""
    columns = {"#": NUMBER, "first / last seen": DATE, "policy date": DAY, "chars": NUMBER, "lines": NUMBER}
    shown = table(Text(title), {**columns, "change": WRAP})
    for version in versions:
        change = version.change
        lines = Text(f"+{version.lines_added}", style="green").append(f" -{version.lines_removed}", style="red")
        shown.add_row(
            str(version.seq),
            f"{when(version.first_seen)}\n{when(version.last_seen)}",
            version.policy_date or "-",
            f"{version.size:,}",
            lines,
            _with_verdict(change_text(change) if change else Text("first version", style="dim"), version),
        )
    return shown


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
    columns = {"vendor": {}, "document": {}, "outcome": {}, "decision": {}, "version": NUMBER, "detail": WRAP}
    shown = table("Crawl results", columns)
    for vendor_id, doc_type, recorded in rows:
        shown.add_row(
            Text(vendor_id),
            Text(doc_type),
            outcome_text(recorded.outcome),
            decision_text(recorded),
            f"#{recorded.version_seq}" if recorded.version_seq else "-",
            Text(recorded_detail(recorded)),
        )
    return shown


DECISION_STYLES = {
    "first_version": "bold",
    "new_version": "bold yellow",
    "reverted": "bold yellow",
    "unchanged": "dim",
    "flip_flop": "dim",
    "inaccessible": "red",
    "suspect": "magenta",
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
    shown = table("Re-extraction", {"vendor": {}, "document": {}, "result": {}, "version": NUMBER, "detail": WRAP})
    for row in done:
        shown.add_row(
            Text(row.vendor_id), Text(row.document_type), row.result, str(row.version_seq or "-"), Text(row.detail)
        )
    return shown


def outcomes_table(outcomes: Family, checks: Family) -> Table:
    """The fetch outcomes, then the page checks, and whether a page with each is usable."""
    shown = table("Fetch outcomes", {"kind": {"no_wrap": True}, "page usable": {}, "meaning": WRAP})
    for info in outcomes.kinds:
        shown.add_row(info.kind, info.details["page usable"], Text(info.description))
    for info in checks.kinds:
        shown.add_row(info.kind, "no", Text(info.description))
    return shown


def drained_line(drained: Drained) -> str:
    """``Alerts: 2 sent, 1 to retry, 0 failed.``, with the alerts queued again and those held by a paused channel."""
    line = f"Alerts: {drained.sent} sent, {drained.retrying} to retry, {drained.failed} failed"
    if drained.requeued:
        line += f", {drained.requeued} queued again after their channel's configuration changed"
    if drained.held:
        line += f", {drained.held} waiting for a paused channel"
    return line + "."


def collected_line(collected: Collected) -> str:
    """``Dropped the raw bodies of 120 fetches before 2026-09-03 (kept 90 days): 118 blobs, 9,412 bytes.``"""
    verb = "Would drop" if collected.dry_run else "Dropped"
    return (
        f"{verb} the raw bodies of {collected.fetches} fetches before {collected.before:%Y-%m-%d %H:%M} UTC"
        f" (kept {collected.keep_fetches_days} days): {collected.blobs} blobs, {collected.bytes:,} bytes."
    )


def replay_line(line: ReplayLine) -> Text:
    """One replayed file: name, decision and severity, rules, policy date and summary."""
    text = Text(f"{line.file}  ")
    text.append(f"{line.decision:<13}", style=DECISION_STYLES.get(line.decision, ""))
    text.append(f" {line.severity or '-':<8}", style=SEVERITY_STYLES.get(line.severity or "", "dim"))
    text.append(f" {','.join(line.rules) or '-':<12} {line.policy_date or '-':<10} ")
    text.append(line.summary)
    return text


def status_view(report: Status) -> Table:
    """`monitor status`: runs, incidents, alerts, paused channels, database size and health."""
    shown = table("policy-monitor status (times in UTC)", {"what": {"style": "bold", "no_wrap": True}, "value": WRAP})
    shown.show_header = False
    run = report.last_run
    last = f"#{run.id} {run.trigger}, started {when(run.started_at)}, {run.status}" if run else "none yet"
    shown.add_row("last run", Text(last + (f" ({run.error})" if run and run.error else "")))
    next_runs = "\n".join(f"{r.job}: {when(r.next_run_at)}" for r in report.next_runs)
    shown.add_row("next runs", Text(next_runs or "no schedule stored"))
    incidents = [
        f"{i.vendor_id} {i.document_type}: {i.kind} since {when(i.opened_at)} ({i.reason})" for i in report.incidents
    ]
    shown.add_row("open incidents", Text("\n".join(incidents) or "none"))
    shown.add_row("alerts", ", ".join(f"{n} {status}" for status, n in sorted(report.alerts.items())) or "none")
    if report.paused_channels:
        paused = [f"{c.name} since {when(c.paused_at)}, next probe {when(c.probe_at)}" for c in report.paused_channels]
        shown.add_row("paused channels", Text("\n".join(paused), style="red"))
    if (load := report.workload) is not None:
        daemon = "running" if load.daemon_running else "not running"
        workers = f", {load.workers} worker{'s' if load.workers != 1 else ''} alive" if load.backend != "local" else ""
        jobs = ", ".join(f"{n} {status}" for status, n in sorted(load.jobs.items())) or "none"
        shown.add_row("workload", Text(f"{load.backend} queue, daemon {daemon}{workers}; jobs: {jobs}"))
        oldest = "none"
        if (due := load.oldest_due) is not None:
            since = "never fetched" if due.due_since is None else f"due since {when(due.due_since)}"
            oldest = f"{due.vendor_id} {due.document_type}, {since}"
        shown.add_row("oldest due", Text(oldest))
    size = f"{report.database_bytes / 1_048_576:.1f} MB" if report.database_bytes is not None else "none yet"
    shown.add_row("database", size)
    health = Text("healthy", style="green") if report.healthy else Text("\n".join(report.problems), style="bold red")
    shown.add_row("health", health)
    return shown


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


STATUS_STYLES = {"queued": "yellow", "sent": "green", "failed": "bold red", "dismissed": "dim", "digested": "dim"}


def outbox_table(rows: Iterable[AlertRow]) -> Table:
    """The outbox, newest first: one entry per alert, its first line when, where, status and attempts, then
    what it is about and its last error (so that an alert takes two or three lines at 80 columns)."""
    shown = table("Alert outbox (times in UTC)", {"#": NUMBER, "alert": WRAP}, show_header=False)
    for row in rows:
        entry = Text(f"{when(row.created_at)}  {row.channel}  {row.kind}  ")
        status = row.status + (f" in #{row.digest_id}" if row.digest_id else "")
        entry.append(status, style=STATUS_STYLES.get(row.status, ""))
        entry.append(f", {row.attempts} {'try' if row.attempts == 1 else 'tries'}")
        if row.status == "queued":
            entry.append(f", next {when(row.next_attempt_at)}")
        entry.append(f"\n{row.about}", style="bold")
        if row.last_error and row.status != "sent":
            entry.append(f"\nlast error: {row.last_error}", style="red")
        shown.add_row(f"#{row.id}", entry)
    return shown


def channels_table(channels: Iterable[ChannelInfo]) -> Table:
    """Configured channels: name, kind (and whether paused), URL with its secrets masked, and what each wants."""
    shown = table("Alert channels", {"name": {}, "kind": {}, "url (secrets masked)": WRAP, "sends": WRAP})
    for channel in channels:
        scope = ", ".join([*channel.vendors, *(f"tag {tag}" for tag in channel.tags)]) or "all vendors"
        sends = f"{', '.join(channel.events)}; {'/'.join(channel.severities)}; {scope}"
        kind = Text(channel.kind)
        if channel.paused_since:
            kind.append(f"\npaused since\n{when(channel.paused_since)}", style="red")
        shown.add_row(Text(channel.name), kind, Text(channel.masked_url), Text(sends))
    return shown


def kinds_table(family: Family) -> Table:
    """One registry: each kind, what it means, and what else its family says of it."""
    extra = list(dict.fromkeys(key for info in family.kinds for key in info.details))
    shown = table(family.title, {"kind": {"no_wrap": True}, **{key: {} for key in extra}, "description": WRAP})
    for info in family.kinds:
        shown.add_row(info.kind, *(info.details.get(key, "") for key in extra), Text(info.description))
    return shown


def explanation_view(explained: Explanation) -> RenderableType:
    """`monitor explain`: the severity, how it follows, each rule with its evidence, notes, alerts, verdict."""
    from monitor.judge.materiality import RANK

    head = Text(f"{explained.vendor_id} {explained.document_type}: version {explained.old_seq} -> {explained.new_seq} ")
    head.append(explained.severity, style=SEVERITY_STYLES.get(explained.severity, ""))
    head.append(f" ({explained.kind}{', ' + when(explained.detected_at) + ' UTC' if explained.detected_at else ''})")
    parts: list[RenderableType] = [head, Text(explained.headline, style="bold"), Text(explained.how, style="dim")]
    shown = table("Rules that fired, most telling first", {"rule": {"no_wrap": True}, "severity": {"no_wrap": True},
                  "why": WRAP, "evidence": {"ratio": 2, "overflow": "fold"}}, show_lines=True)  # fmt: skip
    for fired in sorted(explained.evidence, key=lambda f: -RANK.get(f.severity, 0)):
        evidence = Text()
        if fired.old:
            evidence.append(f"- {fired.old}\n", style="red")
        if fired.new:
            evidence.append(f"+ {fired.new}\n", style="green")
        evidence.append(f"words: {', '.join(fired.terms) or '-'}", style="dim")
        severity = Text(fired.severity, style=SEVERITY_STYLES.get(fired.severity, ""))
        shown.add_row(fired.rule, severity, Text(fired.title), evidence)
    parts.append(shown if explained.evidence else Text("No rule fired: the texts do not differ.", style="dim"))
    parts += [Text(f"Note: {note}") for note in explained.notes]
    sent = "; ".join(f"{channel} ({kind}, {status})" for channel, kind, status in explained.alerts)
    parts.append(Text(f"Alerts: {sent or 'none'}"))
    if explained.verdict:
        verdict, author, note = explained.verdict
        parts.append(Text(f"Person's verdict: {verdict} by {author}{': ' + note if note else ''}", style="bold"))
    return Group(*parts)


def labels_table(rows: Iterable[LabelRow]) -> Table:
    """People's verdicts next to the machine's severity."""
    rows = list(rows)
    ids = {"vendor": whole(r.vendor_id for r in rows), "document": whole(r.document_type for r in rows)}
    columns = {**ids, "versions": {"no_wrap": True}, "verdict": {}, "machine": {}, "by": {}, "when": DATE, "note": WRAP}
    shown = table("Verdicts (times in UTC)", columns)
    for row in rows:
        agree = row.machine is None or row.machine == row.verdict
        shown.add_row(
            Text(row.vendor_id),
            Text(row.document_type),
            f"{row.previous or '-'} -> {row.version}",
            Text(row.verdict, style=SEVERITY_STYLES.get(row.verdict, "")),
            Text(row.machine or "-", style="" if agree else "bold"),
            Text(row.author),
            when(row.labelled_at),
            Text(row.note or ""),
        )
    return shown
