"""The registries of kinds, as the faces list them: fetch outcomes, page checks, materiality rules, channels."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.kinds import Registry


@dataclass(frozen=True)
class KindInfo:
    """One registered kind: its key, its description and what else its family says of it."""

    kind: str
    description: str
    details: dict[str, str]


@dataclass(frozen=True)
class Family:
    """A registry: its name, its title and its kinds, in order."""

    name: str
    title: str
    kinds: tuple[KindInfo, ...]


def registries() -> list[Registry]:  # type: ignore[type-arg]
    """Every registry of kinds, each with its third-party kinds loaded."""
    from crawler.outcomes import OUTCOMES
    from monitor.alerts.channels import CHANNELS
    from monitor.judge.inaccessible import CHECKS
    from monitor.judge.materiality import RULES

    return [OUTCOMES, CHECKS, RULES, CHANNELS]


def kinds(family: str | None = None) -> list[Family]:
    """Every registry (or the one named `family`) with its kinds and their descriptions."""
    from monitor.alerts.channels import FALLBACK

    out = []
    for registry in registries():
        if family is not None and registry.family != family:
            continue
        listed = []
        for kind, cls in registry.items():
            details = {}
            if registry.family == "outcomes":
                details["page usable"] = "no" if cls.inaccessible else "yes"
            if registry.family == "rules":
                details["severity"] = cls.severity
            if registry.family == "channels" and cls is FALLBACK:
                details["fallback"] = "yes"
            listed.append(KindInfo(kind, cls.description(), details))
        out.append(Family(registry.family, registry.title, tuple(listed)))
    return out


def family_names() -> list[str]:
    """The names of the registries (outcomes, checks, rules, channels)."""
    return [registry.family for registry in registries()]
