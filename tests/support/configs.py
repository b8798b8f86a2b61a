"""Configs for loopback runs (tests, benches, the demo): one vendor per URL, fast crawl settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from monitor.config import AlertsConfig, ChannelConfig, Config, CrawlConfig, DocumentConfig, StorageConfig, VendorConfig

#: Crawl settings for loopback sites: no politeness delay, short timeouts, no retries.
FAST_CRAWL = CrawlConfig(delay=0, timeout=3, retries=0, autothrottle=False, cycle_timeout=60)


def loopback_config(
    database: Path,
    documents: Mapping[str, str | Sequence[DocumentConfig]],
    *,
    schedule: str | None = None,
    language: str | None = None,
    channels: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
    **crawl: object,
) -> Config:
    """A config with its SQLite database at `database` and one vendor per key of `documents`.

    Each vendor has a privacy policy at the URL given (with `schedule` and `language`), or the
    documents given; `channels` maps channel names to Apprise URLs; `names` the vendors' display
    names (default: their ids); `crawl` overrides :data:`FAST_CRAWL`.
    """

    def watched(value: str | Sequence[DocumentConfig]) -> list[DocumentConfig]:
        if isinstance(value, str):
            return [DocumentConfig(type="privacy_policy", url=value, language=language, schedule=schedule)]
        return list(value)

    return Config(
        storage=StorageConfig(url=f"sqlite:///{database}"),
        crawl=FAST_CRAWL.model_copy(update=crawl),
        alerts=AlertsConfig(channels=[ChannelConfig(name=n, url=u) for n, u in (channels or {}).items()]),
        vendors=[
            VendorConfig(id=vendor, name=(names or {}).get(vendor, vendor), documents=watched(value))
            for vendor, value in documents.items()
        ],
    )
