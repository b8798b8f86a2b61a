"""The composition root: the configuration, the database and the recording events, put together once.

Every face opens an :class:`App` and hands it to the use cases. The outbox listens to the recording
events from here, so every path that records (a crawl cycle, a re-extraction, a future worker) queues
its alerts without remembering to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session

from monitor.app.errors import NotFound
from monitor.app.events import ChangeRecorded, Events, IncidentOpened, IncidentResolved
from monitor.config import Config, ConfigError, config_path, did_you_mean, load_config
from monitor.logs import hide
from storage.db import StorageError, database_problem, open_database

__all__ = [
    "App",
    "NotFound",
    "StorageError",
    "attach_outbox",
    "command_hint",
    "database_problem",
    "load_settings",
    "open_app",
    "unknown_vendor",
]


def unknown_vendor(config: Config, vendor_id: str) -> NotFound:
    """The error for a vendor the config does not list, with the closest id and the known ones."""
    ids = [v.id for v in config.vendors]
    known = ", ".join(ids) or "none configured"
    return NotFound(f"unknown vendor {vendor_id!r}{did_you_mean(vendor_id, ids)} (known: {known})")


def command_hint(config: Config, args: str) -> str:
    """The `monitor` command line to suggest, naming the config file when it is not the one found by default."""
    if config.path is None or config.path.resolve() == config_path().resolve():
        return f"`monitor {args}`"
    return f"`monitor -c {config.path} {args}`"


def load_settings(path: Path) -> Config:
    """Read and validate a config file, its alert channel URLs included; ConfigError says what is wrong.

    The channels' secrets, the web token and the database password are masked in every log line from
    then on (:func:`monitor.logs.hide`)."""
    config = load_config(path)
    hide([config.web.write_token or "", _password(config.database_url)])
    if config.alerts.channels:
        from monitor.alerts.channels import secrets_of, url_problem  # Apprise loads only when channels are configured

        for index, channel in enumerate(config.alerts.channels):
            if problem := url_problem(channel.url):
                raise ConfigError(f"{path}: alerts.channels[{index}].url: {problem}")
            hide(secrets_of(channel.url))
    return config


def _password(database_url: str) -> str:
    """The password in a database URL ("" when it has none or is no URL: opening it says so)."""
    try:
        return make_url(database_url).password or ""
    except ArgumentError:
        return ""


@dataclass
class App:
    """What the use cases work with: the config, the process-wide engine, the recording events."""

    config: Config
    engine: Engine
    events: Events = field(default_factory=Events)


def open_app(config: Config, *, create: bool = True) -> App:
    """The application over `config`'s database (migrated), with the outbox listening to its events.

    With `create=False` (the read-only commands), a database that does not exist yet is not created:
    the application reads an empty one. Raises :class:`storage.db.StorageError` when the database
    cannot be opened.
    """
    app = App(config, open_database(config.database_url, create=create))
    attach_outbox(app.events, config)
    return app


def attach_outbox(events: Events, config: Config) -> None:
    """Queue alerts for the changes and incidents recorded through `events`."""

    def change(session: Session, event: ChangeRecorded) -> None:
        from monitor.alerts.outbox import queue_change

        queue_change(session, event.change, config)

    def incident(session: Session, event: IncidentOpened | IncidentResolved) -> None:
        from monitor.alerts.outbox import queue_incident

        queue_incident(session, event.incident, config)

    if config.alerts.channels:
        events.on(ChangeRecorded, change)
        events.on(IncidentOpened, incident)
        events.on(IncidentResolved, incident)
