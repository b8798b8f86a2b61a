"""Real processes for the fault tests: the daemon's jobs, their children, and a mail server that stalls."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support.sinks import MailSink


def environment(database_url: str | None) -> dict[str, str]:
    """This process's environment for a child, on `database_url` when given (else the config's database)."""
    env = {k: v for k, v in os.environ.items() if k != "POLICY_MONITOR_DATABASE_URL"}
    if database_url is not None:
        env["POLICY_MONITOR_DATABASE_URL"] = database_url
    return env


def start_job(config: Path, *args: str, database_url: str | None = None) -> subprocess.Popen[str]:
    """`python -m monitor.app.jobs --config CONFIG ARGS` (on `database_url` when given), its output piped."""
    env = environment(database_url)
    command = [sys.executable, "-m", "monitor.app.jobs", "--config", str(config), *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def run_job(config: Path, *args: str, database_url: str | None = None, timeout: float = 120) -> tuple[int, str]:
    """Run a job to its end: its exit code and stderr."""
    job = start_job(config, *args, database_url=database_url)
    _, stderr = job.communicate(timeout=timeout)
    return job.returncode, stderr


def children(pid: int) -> list[int]:
    """The pids of the processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def command_line(pid: int) -> list[str]:
    """The arguments process `pid` was started with ([] once it is gone)."""
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []


def wait_for(condition: Callable[[], object], timeout: float = 60.0, what: str = "the condition") -> None:
    """Poll `condition` every 0.1 s until it is true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout:g} s waiting for {what}"
        time.sleep(0.1)


class StallingMailSink(MailSink):
    """A mail server that, while `stalling` is set, stops answering at `point`: after RCPT TO, or after
    keeping the message's DATA (the sender then waits for the final "250" that never comes)."""

    def __init__(self, point: str) -> None:
        super().__init__()
        assert point in ("rcpt", "data")
        self.point = point
        self.stalling = threading.Event()
        self.stalled = threading.Event()  # the server has reached the point and stalls there

    async def _stall(self) -> None:
        self.stalled.set()
        while self.stalling.is_set():
            await asyncio.sleep(0.05)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        """aiosmtpd hook: accept the recipient, then stall there if asked to."""
        envelope.rcpt_tos.append(address)
        if self.point == "rcpt" and self.stalling.is_set():
            await self._stall()
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """aiosmtpd hook: keep the message, then stall before answering if asked to."""
        answer = await super().handle_DATA(server, session, envelope)
        if self.point == "data" and self.stalling.is_set():
            await self._stall()
        return answer


def start_daemon(config: Path, log: Path, database_url: str | None = None) -> subprocess.Popen[bytes]:
    """`monitor -c CONFIG run` (on `database_url` when given), its stderr written to `log`."""
    env = environment(database_url)
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "monitor", "-c", str(config), "run"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, env=env,
        )  # fmt: skip
