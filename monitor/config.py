"""The configuration file: schema, loading and one-line validation errors.

The default file is `config.toml` in the working directory; `--config` or the
`POLICY_MONITOR_CONFIG` environment variable name another one.  The storage URL
can be overridden with `POLICY_MONITOR_DATABASE_URL` (handy for containers).
"""

from __future__ import annotations

import difflib
import os
import string
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import tomli_w
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from crawler.job import FetchSettings, HttpUrl, RenderSettings, check_http_url
from monitor.judge.ignore import check_rule
from monitor.schedules import parse_schedule

CONFIG_ENV = "POLICY_MONITOR_CONFIG"
DATABASE_URL_ENV = "POLICY_MONITOR_DATABASE_URL"
DEFAULT_CONFIG = Path("config.toml")
DEFAULT_DATABASE_URL = "sqlite:///data/policy-monitor.db"

SLUG = r"^[a-z0-9][a-z0-9_-]*$"
LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$"
DIGEST_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"


class ConfigError(Exception):
    """A configuration problem, worded as one line: `file: key: what is wrong`."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _css(value: str | None) -> str | None:
    if value is not None:
        from monitor.text.selectors import SelectorError, compile_css  # lxml, only for a config that has selectors

        try:
            compile_css(value)
        except SelectorError as exc:
            raise ValueError(str(exc)) from None
    return value


CSS = Annotated[str, AfterValidator(_css)]


def _schedule(value: str) -> str:
    parse_schedule(value)  # ValueError says what is wrong
    return value


Schedule = Annotated[str, AfterValidator(_schedule)]


class RangeSelector(_Strict):
    """An Open Terms Archive range: the content between a start and an end boundary."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    start_before: CSS | None = Field(None, alias="startBefore")
    start_after: CSS | None = Field(None, alias="startAfter")
    end_before: CSS | None = Field(None, alias="endBefore")
    end_after: CSS | None = Field(None, alias="endAfter")

    @model_validator(mode="after")
    def _one_start_one_end(self) -> RangeSelector:
        if (self.start_before is None) == (self.start_after is None):
            raise ValueError("a range needs exactly one of startBefore / startAfter")
        if (self.end_before is None) == (self.end_after is None):
            raise ValueError("a range needs exactly one of endBefore / endAfter")
        return self

    def as_spec(self) -> dict[str, str]:
        """The range as the plain dict the extractor takes (OTA's camelCase keys)."""
        return self.model_dump(by_alias=True, exclude_none=True)


Selector = CSS | RangeSelector
SelectorSpec = Selector | list[Selector]


def _selector_as_spec(value: SelectorSpec | None) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, RangeSelector):
        return value.as_spec()
    return [_selector_as_spec(item) for item in value]


class DocumentConfig(_Strict):
    """One watched document of a vendor (its privacy policy, terms, ...)."""

    type: Annotated[str, Field(pattern=SLUG)]
    url: HttpUrl
    select: SelectorSpec | None = None
    remove: SelectorSpec | None = None
    language: Annotated[str, Field(pattern=LANGUAGE)] | None = None
    schedule: Schedule | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    render: bool = False
    wait_for: CSS | None = None

    @property
    def select_spec(self) -> Any:
        """`select` in the extractor's plain form (str, dict or list)."""
        return _selector_as_spec(self.select)

    @property
    def remove_spec(self) -> Any:
        """`remove` in the extractor's plain form (str, dict or list)."""
        return _selector_as_spec(self.remove)


class VendorConfig(_Strict):
    """A vendor and the documents watched for it; `ignore` lists sentences (or `re:` patterns) never to report."""

    id: Annotated[str, Field(pattern=SLUG)]
    name: Annotated[str, Field(min_length=1)]
    tags: list[str] = Field(default_factory=list)
    ignore: list[Annotated[str, AfterValidator(check_rule)]] = Field(default_factory=list)
    documents: Annotated[list[DocumentConfig], Field(min_length=1)]

    @field_validator("documents")
    @classmethod
    def _unique_types(cls, documents: list[DocumentConfig]) -> list[DocumentConfig]:
        seen: set[str] = set()
        for doc in documents:
            if doc.type in seen:
                raise ValueError(f"two documents of type {doc.type!r}")
            seen.add(doc.type)
        return documents


class StorageConfig(_Strict):
    """Where versions are kept (any SQLAlchemy URL; SQLite by default), and for how long repeated raw bodies."""

    url: str = DEFAULT_DATABASE_URL
    keep_fetches_days: Annotated[int, Field(ge=1, le=36500)] = 90  # `monitor gc`


class CrawlConfig(FetchSettings):
    """The crawler's fetch settings, plus how cycles are run: their time limit and default schedule."""

    cycle_timeout: Annotated[float, Field(gt=0)] = 1800.0
    default_schedule: Schedule = "12h"


class ChangesConfig(_Strict):
    """How changes are decided: what counts as not the policy, and how flip-flops are damped."""

    min_chars: Annotated[int, Field(ge=0)] = 200
    shrink_ratio: Annotated[float, Field(ge=0, le=1)] = 0.5
    flipflop_window: Annotated[int, Field(ge=0, le=50)] = 5
    flipflop_confirmations: Annotated[int, Field(ge=1, le=100)] = 3


class QueueConfig(_Strict):
    """Where crawl work runs: in the daemon (`local`), or as jobs on PostgreSQL that `monitor worker`s take.

    `procrastinate` jobs are one per host batch; a worker that sends no heartbeat for `stalled_after`
    seconds is taken for dead and its jobs are run again by the others.
    """

    backend: Literal["local", "procrastinate"] = "local"
    heartbeat: Annotated[float, Field(gt=0, le=600)] = 10.0
    stalled_after: Annotated[float, Field(gt=0, le=3600)] = 60.0

    @model_validator(mode="after")
    def _beats_in_time(self) -> QueueConfig:
        if self.stalled_after <= self.heartbeat:
            raise _Misplaced(("stalled_after",), f"must be longer than queue.heartbeat ({self.heartbeat:g} s)")
        return self


OPERATIONS = "operations"  # the event of the messages for operators: rendering unavailable, a channel paused


class ChannelConfig(_Strict):
    """Where alerts go: an Apprise URL, and which alerts it wants (`operations`: the operators' messages)."""

    name: Annotated[str, Field(pattern=SLUG)]
    url: Annotated[str, Field(min_length=1, repr=False)]  # checked with Apprise by monitor.app.load_settings
    severities: Annotated[list[Literal["MATERIAL", "REVIEW"]], Field(min_length=1)] = ["MATERIAL", "REVIEW"]
    events: Annotated[list[Literal["changes", "incidents", "reversions", "operations"]], Field(min_length=1)] = [
        "changes",
        "incidents",
        "reversions",
    ]
    vendors: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)

    def wants(self, event: str, severity: str | None, vendor_id: str, vendor_tags: Sequence[str]) -> bool:
        """Whether an alert of this event (and severity) about this vendor goes to the channel."""
        if event not in self.events or (severity is not None and severity not in self.severities):
            return False
        if not self.vendors and not self.tags:
            return True
        return vendor_id in self.vendors or bool(set(self.tags) & set(vendor_tags))


DIFF_URL_FIELDS = {"vendor", "document", "old", "new"}


class AlertsConfig(_Strict):
    """Alert channels, the REVIEW digest and delivery retries."""

    channels: list[ChannelConfig] = Field(default_factory=list)
    digest: Annotated[str, Field(pattern=DIGEST_TIME)] = "08:00"
    diff_url: str | None = None
    max_attempts: Annotated[int, Field(ge=1, le=50)] = 6
    backoff: Annotated[float, Field(gt=0)] = 60.0
    pause_after: Annotated[int, Field(ge=1, le=1000)] = 5
    probe_every: Annotated[float, Field(gt=0)] = 900.0

    @field_validator("channels")
    @classmethod
    def _unique_names(cls, channels: list[ChannelConfig]) -> list[ChannelConfig]:
        seen: set[str] = set()
        for index, channel in enumerate(channels):
            if channel.name in seen:
                raise _Misplaced((index, "name"), f"duplicate channel name {channel.name!r}")
            seen.add(channel.name)
        return channels

    @field_validator("diff_url")
    @classmethod
    def _diff_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        check_http_url(value)
        unknown = {name for _, name, _, _ in string.Formatter().parse(value) if name} - DIFF_URL_FIELDS
        if unknown:
            fields = ", ".join("{" + name + "}" for name in sorted(DIFF_URL_FIELDS))
            raise ValueError(f"unknown placeholder {{{sorted(unknown)[0]}}} (use {fields})")
        return value

    def channel(self, name: str) -> ChannelConfig | None:
        """The channel with this name, or None."""
        return next((c for c in self.channels if c.name == name), None)


class Config(_Strict):
    """The whole configuration file."""

    storage: StorageConfig = Field(default_factory=StorageConfig)
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    render: RenderSettings = Field(default_factory=RenderSettings)
    changes: ChangesConfig = Field(default_factory=ChangesConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    queue: QueueConfig = Field(default_factory=QueueConfig)
    vendors: list[VendorConfig] = Field(default_factory=list)
    path: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _queue_on_postgresql(self) -> Config:
        if self.queue.backend == "procrastinate" and not self.database_url.startswith("postgresql"):
            scheme = self.database_url.split(":", 1)[0]
            message = f"'procrastinate' needs a PostgreSQL storage.url (postgresql+psycopg://...), not {scheme}"
            raise _Misplaced(("queue", "backend"), message)
        return self

    @model_validator(mode="after")
    def _known_alert_vendors(self) -> Config:
        known = {vendor.id for vendor in self.vendors}
        for index, channel in enumerate(self.alerts.channels):
            unknown = [vendor_id for vendor_id in channel.vendors if vendor_id not in known]
            if unknown:
                where = ("alerts", "channels", index, "vendors")
                raise _Misplaced(where, f"unknown vendor {unknown[0]!r}")
        return self

    @field_validator("vendors")
    @classmethod
    def _unique_ids(cls, vendors: list[VendorConfig]) -> list[VendorConfig]:
        seen: set[str] = set()
        for index, vendor in enumerate(vendors):
            if vendor.id in seen:
                raise _DuplicateVendor(index, vendor.id)
            seen.add(vendor.id)
        return vendors

    def schedules(self) -> dict[str, list[tuple[str, str]]]:
        """The distinct crawl schedules and the (vendor id, document type) pairs under each."""
        out: dict[str, list[tuple[str, str]]] = {}
        for vendor in self.vendors:
            for doc in vendor.documents:
                out.setdefault(doc.schedule or self.crawl.default_schedule, []).append((vendor.id, doc.type))
        return out

    def vendor(self, vendor_id: str) -> VendorConfig | None:
        """The vendor with this id, or None."""
        return next((v for v in self.vendors if v.id == vendor_id), None)

    @property
    def database_url(self) -> str:
        """The storage URL, with a relative SQLite path resolved against the config file's folder."""
        url = os.environ.get(DATABASE_URL_ENV) or self.storage.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and url != "sqlite:///:memory:":
            path = Path(url.removeprefix(prefix))
            if not path.is_absolute():
                base = self.path.parent if self.path else Path.cwd()
                url = prefix + str((base / path).resolve())
        return url


class _Misplaced(ValueError):
    """A problem found by a validator above the key it is about; `where` is the key's path below it."""

    def __init__(self, where: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.where = where


class _DuplicateVendor(ValueError):
    def __init__(self, index: int, vendor_id: str) -> None:
        super().__init__(f"duplicate vendor id {vendor_id!r}")
        self.index = index


def config_path(explicit: Path | None = None) -> Path:
    """The config file to use: explicit, then $POLICY_MONITOR_CONFIG, then ./config.toml."""
    if explicit is not None:
        return explicit
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def load_config(path: Path) -> Config:
    """Read and validate a config file; any problem raises ConfigError with a one-line message."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> Config:
    """Validate the TOML `text` of the config file at `path` (which need not be written yet)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    try:
        return Config.model_validate({**raw, "path": path})
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc)}") from None


def save_config(config: Config, path: Path) -> Path:
    """Write `config` as a TOML file that `load_config` reads back equal (keys left at their default are omitted)."""
    data = config.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def _describe(exc: ValidationError) -> str:
    """One line for the first validation error: the dotted key and what is wrong.

    A misspelt key is reported before the required key it leaves missing, with the closest known key.
    """
    errors = [(_location(error), error) for error in exc.errors()]
    errors.sort(key=lambda e: e[1]["type"] != "extra_forbidden")
    field = errors[0][0]
    # A union (e.g. `select`) reports one error per alternative: the deepest is the telling one.
    loc, first = max(
        (e for e in errors if e[0][: len(field)] == field),
        key=lambda e: (len(e[0]), e[1]["type"] not in _TYPE_MISMATCH),
    )
    if first["type"] == "extra_forbidden":
        message = "unknown key" + did_you_mean(str(loc[-1]), _keys_at(loc[:-1]))
    elif first["type"] == "missing":
        message = "required key is missing"
    elif first["type"] in _TYPE_MISMATCH and {"select", "remove"} & set(loc):
        message = SELECTOR_HELP
    elif first["type"] == "string_pattern_mismatch":
        message = f"{first['input']!r} {_PATTERN_HELP.get(first['ctx']['pattern'], 'is not in the expected form')}"
    else:
        message = first["msg"].removeprefix("Value error, ")
    others = len({tuple(e[0][:2]) for e in errors}) - 1
    more = f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""
    return f"{_dotted(loc)}: {message}{more}"


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """`` (did you mean 'name'?)`` when a known word is close to `word`, else nothing."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _keys_at(loc: Sequence[Any]) -> list[str]:
    """The keys the table at `loc` (a path below the top level) may have."""
    model: type[BaseModel] | None = Config
    for part in loc:
        if model is None:
            return []
        if isinstance(part, str):
            field = next((f for name, f in model.model_fields.items() if part in (name, f.alias)), None)
            model = _model_in(field.annotation) if field else None
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items() if not f.exclude]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The first model class inside a type annotation (through lists, unions and Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for arg in get_args(annotation) if (m := _model_in(arg)) is not None), None)


SELECTOR_HELP = "must be a CSS selector, a range {startBefore|startAfter, endBefore|endAfter} or a list of them"
_TYPE_MISMATCH = {"string_type", "model_type", "list_type", "dict_type"}
_PATTERN_HELP = {
    SLUG: "must be lower-case letters, digits, '-' or '_'",
    LANGUAGE: "must be a language code such as 'en' or 'en-US'",
    DIGEST_TIME: "must be a UTC time such as '08:00'",
}


def _location(error: Any) -> list[Any]:
    loc = list(error["loc"])
    ctx_error = error.get("ctx", {}).get("error")
    if isinstance(ctx_error, _DuplicateVendor):
        loc += [ctx_error.index, "id"]
    elif isinstance(ctx_error, _Misplaced):
        loc += list(ctx_error.where)
    # Union members add their type name to the location (`str`, `RangeSelector`, ...): drop them.
    return [part for part in loc if isinstance(part, int) or (part.isidentifier() and part != "str")]


def _dotted(loc: list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"
