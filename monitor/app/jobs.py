"""The daemon's jobs, each run as its own process: `python -m monitor.app.jobs --config FILE JOB`.

`check [--schedule S | --catch-up]` runs one cycle through :func:`monitor.app.cycle.check_documents`
and then sends the alerts that are due; `send-alerts` only sends; `gc` applies the retention window
(:func:`monitor.app.retention.collect_garbage`). A job stops cleanly on SIGTERM or
SIGINT, and when the daemon that started it dies. Exit codes: 0 done, 1 the cycle failed, 2 a bad
config or an unusable database (locked past the busy timeout, read-only, a full disk): one line
`error: ...` on stderr, which the daemon reports once however many jobs fail the same way.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path

from monitor.app.alerting import send_due_alerts
from monitor.app.context import App, database_problem, load_settings, open_app
from monitor.app.cycle import check_documents
from monitor.app.retention import collect_garbage
from monitor.app.signals import stop_on_signals
from monitor.config import ConfigError
from monitor.logs import configure_logging

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    """Run one job; its exit code."""
    parser = argparse.ArgumentParser(prog="python -m monitor.app.jobs", description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("-v", "--verbose", action="count", default=0)
    parser.add_argument("--log-format", choices=("text", "json"), default="text")
    jobs = parser.add_subparsers(dest="job", required=True)
    check = jobs.add_parser("check", help="one crawl cycle, then send due alerts")
    check.add_argument("--schedule")
    check.add_argument("--catch-up", action="store_true")
    check.add_argument("--trigger", default="schedule")
    jobs.add_parser("send-alerts", help="send the alerts that are due")
    jobs.add_parser("gc", help="drop the raw bodies of unchanged fetches older than the retention window")
    args = parser.parse_args(argv)
    configure_logging(args.verbose, args.log_format)
    stop = stop_on_signals(watch_parent=True)
    try:
        return run(open_app(load_settings(args.config)), args, stop)
    except Exception as exc:
        problem = str(exc) if isinstance(exc, ConfigError) else database_problem(exc)
        if problem is None:
            raise
        print(f"error: {problem}", file=sys.stderr)
        return 2


def run(app: App, args: argparse.Namespace, stop: threading.Event) -> int:
    """Run the job `args` names on `app`; its exit code."""
    if args.job == "gc":
        removed = collect_garbage(app)
        log.info("gc", extra={"fetches": removed.fetches, "blobs": removed.blobs, "bytes": removed.bytes})
        return 0
    code = 0
    if args.job == "check":
        result = check_documents(app, schedule=args.schedule, catch_up=args.catch_up, trigger=args.trigger, stop=stop)
        if result.status not in ("finished", "interrupted"):
            log.warning("crawl run failed", extra={"run": result.run_id, "error": result.error})
            code = 1
    if app.config.alerts.channels and not stop.is_set():
        send_due_alerts(app)
    return code


if __name__ == "__main__":
    sys.exit(main())
