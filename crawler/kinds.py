"""The registry idiom of every family of kinds: fetch outcomes, page checks, materiality rules, channels.

A family is a base class declared with a :class:`Registry` (``class Outcome(Kind, registry=OUTCOMES)``);
each subclass that names its own ``kind`` registers itself there, and the first line of its docstring
is its description. Third-party kinds come from the entry-point group ``policy_monitor.<family>``: each
entry point names a module (or a class in one) whose import defines the kinds, loaded on the first
look into the registry. It lives in the crawler package because that is the leaf every package may
import: the crawler child uses it for its outcomes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from importlib.metadata import entry_points
from typing import ClassVar, Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound="type[Kind]")


class Registry(Generic[K]):
    """The kinds of one family, by ``kind``, in definition order (third-party ones after the built-in ones)."""

    def __init__(self, family: str, title: str) -> None:
        self.family, self.title = family, title
        self._kinds: dict[str, K] = {}
        self._plugins_loaded = False

    @property
    def group(self) -> str:
        """The entry-point group third-party kinds of this family are published under."""
        return f"policy_monitor.{self.family}"

    def add(self, cls: K) -> None:
        """Register `cls` under its kind (a second class with the same kind is an error)."""
        if cls.kind in self._kinds:
            raise ValueError(f"{self.family}: two kinds named {cls.kind!r}")
        self._kinds[cls.kind] = cls

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for point in entry_points(group=self.group):
            try:
                point.load()
            except Exception as exc:  # a broken plugin must not stop the built-in kinds
                log.warning("cannot load a plugin kind", extra={"entry_point": point.value, "error": str(exc)})

    def _all(self) -> dict[str, K]:
        self._load_plugins()
        return self._kinds

    def __getitem__(self, kind: str) -> K:
        return self._all()[kind]

    def get(self, kind: str) -> K | None:
        """The class registered as `kind`, or None."""
        return self._all().get(kind)

    def __contains__(self, kind: object) -> bool:
        return kind in self._all()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._all()))

    def __len__(self) -> int:
        return len(self._all())

    def values(self) -> list[K]:
        """The registered classes."""
        return list(self._all().values())

    def items(self) -> list[tuple[str, K]]:
        """(kind, class) pairs."""
        return list(self._all().items())


class Kind:
    """Base of every family's base class: subclasses naming their own ``kind`` register in the family's registry."""

    kind: ClassVar[str]
    registry: ClassVar[Registry]  # type: ignore[type-arg]

    def __init_subclass__(cls, registry: Registry | None = None, **kwargs: object) -> None:  # type: ignore[type-arg]
        super().__init_subclass__(**kwargs)
        if registry is not None:
            cls.registry = registry
        elif "kind" in cls.__dict__:  # shared bases without a kind of their own are not registered
            cls.registry.add(cls)

    @classmethod
    def description(cls) -> str:
        """The first line of the class's docstring."""
        return (cls.__doc__ or cls.kind).strip().splitlines()[0]
