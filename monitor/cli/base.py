"""The `monitor` command line (Typer + Rich): the Typer app, the global options and the error handling.

Commands live in the modules beside this one, grouped by what they do, and call only
:mod:`monitor.app`. Heavy modules load inside the command that needs them, so `monitor --help`
starts at once. Exit codes: 0 success, 1 something asked for does not exist (vendor, document,
version, alert) or a crawl cycle failed, 2 a bad config, bad usage or an unusable database. Every
error is one line on stderr; the global options may also come after the command
(`monitor history acme -c other.toml`).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console, RenderableType

from monitor.logs import LogFormat, configure_logging

if TYPE_CHECKING:
    from monitor.app.context import App
    from monitor.config import Config

cli = typer.Typer(
    help="Watch vendors' privacy policies and terms; report the changes that matter.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)

DocOption = Annotated[str | None, typer.Option("--doc", "-d", help="Document type, e.g. privacy_policy.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead (shapes in the README).")]
#: The global options, as `hoist_global_options` finds them after the command: those that take a value ...
GLOBAL_VALUED = ("--config", "-c", "--log-format")
#: ... and the flags.
GLOBAL_FLAGS = ("--verbose", "-v", "-vv", "-vvv")


class _State:
    config_file: Path | None = None
    verbose: int = 0
    log_format: LogFormat = "text"


state = _State()


class Failure(Exception):
    """A user-facing failure: one line on stderr and an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop the command with a one-line message and an exit code."""
    raise Failure(message, code)


@cli.callback()
def _options(
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Config file (default: $POLICY_MONITOR_CONFIG or ./config.toml)."),
    ] = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More logs (-v, -vv).")] = 0,
    log_format: Annotated[str, typer.Option("--log-format", help="Log lines as 'text' or 'json'.")] = "text",
) -> None:
    if log_format not in ("text", "json"):
        fail(f"--log-format must be 'text' or 'json', not {log_format!r}", 2)
    fmt: LogFormat = "json" if log_format == "json" else "text"
    configure_logging(verbose, fmt)
    state.config_file, state.verbose, state.log_format = config, verbose, fmt


def config_file() -> Path:
    """The config file the command reads."""
    from monitor.config import config_path

    return config_path(state.config_file)


def settings() -> Config:
    """The validated config (exit 2 with one line when it is not)."""
    from monitor.app import load_settings
    from monitor.config import ConfigError

    try:
        return load_settings(config_file())
    except ConfigError as exc:
        fail(str(exc), 2)


def settings_or_defaults() -> Config:
    """The config when its file exists (bad content still fails), else the defaults."""
    from monitor.config import Config

    return settings() if config_file().exists() else Config()


def open_application(config: Config | None = None, *, create: bool = True) -> App:
    """The application over the config's database (exit 2 when it cannot be opened)."""
    from monitor.app import StorageError, open_app

    try:
        return open_app(config or settings(), create=create)
    except StorageError as exc:
        fail(str(exc), 2)


def open_reader() -> App:
    """The application for a command that only reads: a database that does not exist yet is not created."""
    return open_application(create=False)


def show(renderable: RenderableType) -> None:
    """Print a table or view on stdout (plain aligned lines when stdout is not a terminal)."""
    from monitor.cli.views import emit

    emit(console, renderable)


def present(value: Any, view: Callable[[Any], RenderableType], as_json: bool) -> None:
    """Print a read model as JSON, or as the renderable `view` makes of it."""
    if as_json:
        print_json(value)
    else:
        show(view(value))


def print_json(value: Any) -> None:
    """Print a read model (dataclasses, lists of them) as one line of JSON on stdout."""
    from monitor.app import dumps

    sys.stdout.write(dumps(value) + "\n")


def hoist_global_options(args: Sequence[str]) -> list[str]:
    """`args` with the global options moved before the command, so that they may be given after it too."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest += args[index:]
            break
        if arg in GLOBAL_VALUED and index + 1 < len(args):
            front += args[index : index + 2]
            index += 2
            continue
        if arg in GLOBAL_FLAGS or ("=" in arg and arg.partition("=")[0] in GLOBAL_VALUED):
            front.append(arg)
        else:
            rest.append(arg)
        index += 1
    return front + rest


def main() -> None:
    """Entry point of the `monitor` console script: every error is one line, with its exit code."""
    try:
        sys.exit(_run(hoist_global_options(sys.argv[1:]) or ["--help"]))
    finally:
        # The process ends here: moving every object out of the collector's sight spares the
        # interpreter's last collection over all the loaded libraries (~0.1 s of a reading command).
        gc.freeze()


def _run(args: list[str]) -> int:
    """Run the command line `args`; the exit code, each error said in one line."""
    from monitor.app.errors import NotFound

    try:
        code = cli(args=args, prog_name="monitor", standalone_mode=False)
    except typer.TyperException as exc:  # a usage error (exit code 2: a misspelt command or option, ...)
        context = getattr(exc, "ctx", None)
        where = f" (see `{context.command_path} --help`)" if exc.exit_code == 2 and context else ""
        _say(" ".join(exc.format_message().split()) + where)
        return exc.exit_code
    except typer.Abort:
        _say("aborted")
        return 1
    except Failure as exc:
        _say(str(exc))
        return exc.code
    except NotFound as exc:
        _say(str(exc))
        return 1
    except Exception as exc:  # the database refused mid-command (locked, read-only, a full disk): exit 2
        from monitor.app import database_problem

        problem = database_problem(exc)
        if problem is None:
            raise
        _say(problem)
        return 2
    return code if isinstance(code, int) else 0


def _say(message: str) -> None:
    errors.print(f"error: {message}", highlight=False, markup=False, soft_wrap=True)
