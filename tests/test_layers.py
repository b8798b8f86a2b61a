"""What may import what (docs/architecture.md), checked over the source with `ast`, lazy imports included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: (layer, a package prefix it must never import, why).
FORBIDDEN = [
    ("crawler", "monitor", "the crawler child is a leaf"),
    ("crawler", "storage", "the crawler child never touches the database"),
    ("storage", "monitor", "storage knows rows, not the domain"),
    ("storage", "crawler", "storage knows rows, not fetching"),
    ("monitor.text", "storage", "the text pipeline is pure"),
    ("monitor.text", "monitor.judge", "extraction comes before judging"),
    ("monitor.text", "monitor.alerts", "the text pipeline is pure"),
    ("monitor.text", "monitor.app", "the text pipeline is pure"),
    ("monitor.text", "monitor.config", "the text pipeline takes plain values, not the config"),
    ("monitor.judge", "storage", "judging is pure"),
    ("monitor.judge", "monitor.alerts", "judging is pure"),
    ("monitor.judge", "monitor.app", "judging is pure"),
    ("monitor.judge", "monitor.config", "judging takes plain values, not the config"),
    ("monitor.alerts", "monitor.app", "the application attaches the outbox, not the other way round"),
    ("monitor.config", "monitor.alerts", "the config schema does not load the channels"),
    ("monitor.config", "storage", "the config schema is plain"),
    ("monitor.cli", "storage", "faces go through monitor.app"),
    ("monitor.cli", "crawler", "faces go through monitor.app"),
    ("monitor.daemon", "storage", "faces go through monitor.app"),
    ("monitor.daemon", "crawler", "faces go through monitor.app"),
    ("monitor.feed", "storage", "faces go through monitor.app"),
    ("monitor.feed", "crawler", "faces go through monitor.app"),
    ("monitor.web", "storage", "faces go through monitor.app"),
    ("monitor.web", "crawler", "faces go through monitor.app"),
    ("monitor.web", "monitor.judge", "faces go through monitor.app"),
    ("monitor.web", "monitor.alerts", "faces go through monitor.app"),
]
FACES = ("monitor.cli", "monitor.daemon", "monitor.feed", "monitor.web")
INNER = ("monitor.text", "monitor.judge", "monitor.alerts", "monitor.app", "monitor.config", "storage", "crawler")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(modules: dict[str, set[str]]) -> list[str]:
    """`module imports target` lines for every forbidden import."""
    out = []
    for module, targets in sorted(modules.items()):
        for layer, banned, why in FORBIDDEN:
            if within(module, layer):
                out += [f"{module} imports {t} ({why})" for t in sorted(targets) if within(t, banned)]
    return out


def source_modules() -> dict[str, set[str]]:
    files = [p for package in ("crawler", "storage", "monitor") for p in (ROOT / package).rglob("*.py")]
    return {module_name(p): imported(p) for p in files if "migrations" not in p.parts}


def test_no_layer_imports_what_it_must_not() -> None:
    assert violations(source_modules()) == []


def test_the_faces_reach_the_core_only_through_monitor_app() -> None:
    modules = source_modules()
    faces = {m: targets for m, targets in modules.items() if any(within(m, face) for face in FACES)}
    assert faces, "no face found: the layout changed"
    reached = {t for targets in faces.values() for t in targets if any(within(t, inner) for inner in INNER)}
    assert not {t for t in reached if within(t, "storage") or within(t, "crawler")}
    assert any(within(t, "monitor.app") for t in reached)


@pytest.mark.parametrize(
    ("module", "target"),
    [
        ("storage.versions", "monitor.judge.semdiff"),
        ("monitor.text.pipeline", "monitor.config"),
        ("monitor.judge.decide", "storage.versions"),
        ("monitor.cli.reading", "storage.models"),
        ("monitor.daemon", "crawler.process"),
        ("monitor.web.pages", "storage.reviews"),
        ("monitor.web.server", "monitor.alerts.messages"),
        ("monitor.alerts.outbox", "monitor.app.events"),
    ],
)
def test_the_check_catches_a_forbidden_import(module: str, target: str) -> None:
    assert violations({module: {target}}) != []


def test_the_web_view_is_a_face() -> None:
    web = {m: targets for m, targets in source_modules().items() if within(m, "monitor.web")}
    assert {"monitor.web.server", "monitor.web.pages", "monitor.web.feeds", "monitor.web.api"} <= set(web)
    assert all(within(t, "monitor.app") for targets in web.values() for t in targets if within(t, "monitor.app"))
    assert any(within(t, "monitor.app") for t in web["monitor.web.pages"])


def test_imports_inside_functions_count() -> None:
    lazy = ROOT / "monitor" / "cli" / "reading.py"
    assert "monitor.app" in imported(lazy)  # the CLI imports the application inside its commands


def test_no_name_of_the_application_api_is_also_one_of_its_modules() -> None:
    # Importing monitor.app.X binds the module X on the package, hiding the lazy name X for good.
    import monitor.app

    modules = {path.stem for path in (ROOT / "monitor" / "app").glob("*.py")}
    assert not modules & set(monitor.app.__all__)
