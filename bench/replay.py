"""Change decisions on real histories: replays ../shared/corpus/ota through the whole pipeline.

Per vendor, the version snapshots (technical upgrades at their real fetch time) are replayed in
time order, each noise snapshot right after the snapshot it pairs with, and blocked pages at their
time. Prints alerts (MATERIAL or REVIEW changes after the first version), alerts on noise files
(target 0), what the captcha page became, versions found, and misses: versions whose text really
differs from the previous distinct text (by Open Terms Archive's own extraction, link targets
ignored) that were not recorded as new versions. Also times the replay.

Run: python bench/replay.py [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from monitor.app.saved_pages import ReplayLine, replay
from monitor.text.language import guess_language

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ota"
ALERTS = {"MATERIAL", "REVIEW"}
NEW = {"first_version", "new_version", "reverted"}
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_WORD = re.compile(r"[^\W_]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|\\?\[email\s+protected\\?\]")


@dataclass
class Step:
    """One file to replay and what the corpus says it is."""

    path: Path
    role: str  # version | noise | blocked | technical
    md: Path | None = None
    identical_to: str | None = None


@dataclass
class Report:
    vendor: str
    alerts: list[ReplayLine] = field(default_factory=list)
    noise_alerts: list[ReplayLine] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    found: int = 0
    expected: int = 0
    misses: list[str] = field(default_factory=list)
    seconds: float = 0.0


def plain(md: Path) -> str:
    """OTA's text as its words: NFKC, link targets, markdown markup and e-mail obfuscation ignored."""
    text = unicodedata.normalize("NFKC", md.read_text(encoding="utf-8"))
    text = _EMAIL.sub(" email ", _LINK_TARGET.sub("]", text))
    return " ".join(_WORD.findall(text))


def steps(vendor: Path) -> list[Step]:
    """The vendor's files in replay order."""
    manifest = json.loads((vendor / "manifest.json").read_text())
    timed: list[tuple[str, Step]] = []
    for version in manifest["versions"]:
        snap = version.get("snapshot")
        if snap:
            step = Step(vendor / snap["file"], "version", vendor / version["file"], version.get("identical_to"))
            timed.append((version["date"], step))
    for upgrade in manifest.get("technical_upgrades") or []:
        snap = upgrade.get("snapshot")
        if snap and (vendor / snap["file"]).exists():
            timed.append((snap["snapshot_date"], Step(vendor / snap["file"], "technical", vendor / upgrade["file"])))
    for blocked in manifest.get("blocked_snapshots") or []:
        timed.append((blocked["date"], Step(vendor / blocked["file"], "blocked")))
    timed.sort(key=lambda pair: pair[0])
    ordered = [step for _, step in timed]
    for noise in manifest.get("noise_snapshots") or []:
        after = next(i for i, s in enumerate(ordered) if s.path.name == noise["paired_raw_snapshot"])
        ordered.insert(after + 1, Step(vendor / noise["file"], "noise"))
    return ordered


def evaluate(vendor: Path, verbose: bool) -> Report:
    """Replay one vendor and score the decisions."""
    manifest = json.loads((vendor / "manifest.json").read_text())
    language = manifest.get("language")
    plan = steps(vendor)
    report = Report(vendor.name)
    start = time.perf_counter()
    lines = list(replay([s.path for s in plan]))
    report.seconds = time.perf_counter() - start
    previous: str | None = None
    for step, line in zip(plan, lines, strict=True):
        if verbose:
            rules = ",".join(line.rules)
            print(
                f"  {step.role:<9} {line.file[:20]} {line.decision:<13} {line.severity or '-':<8} {rules[:40]:<40}"
                f" {line.summary[:70]}"
            )
        is_new = line.decision in NEW
        report.found += is_new
        if is_new and line.decision != "first_version" and line.severity in ALERTS:
            report.alerts.append(line)
            if step.role == "noise":
                report.noise_alerts.append(line)
        if step.role == "blocked":
            report.blocked.append(f"{line.file}: {line.decision} ({line.outcome})")
        if step.role not in ("version", "technical") or step.md is None:
            continue
        text = plain(step.md)
        other_language = language and guess_language(text) not in (None, language)
        if previous is not None and text != previous and not step.identical_to and not other_language:
            report.expected += 1
            if not is_new:
                report.misses.append(f"{line.file}: {line.decision} ({line.summary[:60]})")
        if not other_language:
            previous = text
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every replayed file")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}: nothing to measure")
        return 0
    print(
        f"{'vendor':<8} {'files':>5} {'alerts':>6} {'noise alerts':>12} {'versions':>8} {'expected':>8}"
        f" {'misses':>6} {'s':>6}"
    )
    for vendor in sorted(p for p in CORPUS.iterdir() if (p / "manifest.json").exists()):
        if args.verbose:
            print(vendor.name)
        report = evaluate(vendor, args.verbose)
        files = len(steps(vendor))
        print(
            f"{report.vendor:<8} {files:>5} {len(report.alerts):>6} {len(report.noise_alerts):>12}"
            f" {report.found:>8} {report.expected:>8} {len(report.misses):>6} {report.seconds:>6.1f}"
        )
        for line in report.alerts:
            print(f"    alert  {line.file[:20]} {line.severity:<8} {line.summary[:90]}")
        for blocked in report.blocked:
            print(f"    blocked {blocked}")
        for miss in report.misses:
            print(f"    miss   {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
