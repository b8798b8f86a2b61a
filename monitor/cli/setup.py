"""Commands that set up what is watched: a starter config, and adding a vendor from its policy's URL."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from monitor.cli import views
from monitor.cli.base import cli, config_file, console, errors, fail, settings

PANEL = "Setting up"
PREVIEW_LINES = 25


@cli.command(rich_help_panel=PANEL)
def init(
    path: Annotated[Path | None, typer.Argument(help="Where to write it (default: the config file).")] = None,
) -> None:
    """Write a commented starter config (never over an existing file)."""
    from monitor import app

    target = path or config_file()
    if target.exists():
        fail(f"{target} exists already: edit it, or name another file", 2)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(app.starter_config(), encoding="utf-8")
    console.print(f"Wrote {target}. Next: monitor -c {target} add URL", highlight=False, markup=False)


@cli.command(rich_help_panel=PANEL)
def add(
    url: Annotated[str, typer.Argument(help="The http(s) URL of the vendor's policy.")],
    vendor_id: Annotated[str | None, typer.Option("--id", help="Vendor id (default: the site's name).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Vendor name (default: from the id).")] = None,
    doc_type: Annotated[str, typer.Option("--type", help="Document type.")] = "privacy_policy",
    tags: Annotated[list[str] | None, typer.Option("--tag", help="A vendor tag (repeat for more).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would be extracted.")] = False,
) -> None:
    """Fetch a policy page once, show the text and dates read from it, and append the vendor to the config file.

    The file keeps its comments and layout; `monitor crawl VENDOR` then records the first version.
    """
    from monitor import app
    from monitor.config import ConfigError

    path = config_file()
    if not path.exists():
        fail(f"{path}: file not found (write a starter with `monitor init`)", 2)
    config = settings()
    vendor_id = vendor_id or app.suggested_vendor_id(url)
    extracted = app.preview(config, url)
    lines = extracted.text.rstrip("\n").splitlines()
    sys.stdout.write("\n".join(lines[:PREVIEW_LINES]) + "\n")
    if len(lines) > PREVIEW_LINES:
        console.print(f"… {len(lines) - PREVIEW_LINES} more lines (`monitor extract {url}` prints them all)",
                      style="dim", markup=False, highlight=False)  # fmt: skip
    errors.print(views.dates_line(extracted.language, extracted.dates), highlight=False, markup=False)
    if dry_run:
        console.print("Nothing written (--dry-run).")
        return
    try:
        app.add_vendor(path, vendor_id, name or vendor_id.replace("-", " ").title(), doc_type, url, tags or ())
    except ConfigError as exc:
        fail(str(exc), 2)
    console.print(f"Added {vendor_id} ({doc_type}) to {path}. Next: monitor crawl {vendor_id}", highlight=False,
                  markup=False)  # fmt: skip
