"""Semantic diff + materiality benchmark.

1. Speed: a generated ~200 KB policy with 30 scattered edits, semantic_diff + classify timed over 20 runs
   (median and p95 in ms; target <= 50 ms).
2. Precision, if ../shared/corpus/ota exists: consecutive versions of each service replayed (technical
   upgrades skipped), severity counts per service and the headline of every MATERIAL change.

Run: /tmp/venv/bin/python bench/classify.py [--evidence]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from monitor.judge.materiality import classify
from monitor.judge.semdiff import semantic_diff
from monitor.text.dates import detect_dates

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ota"
TARGET_MS = 50.0
RUNS = 20

_SUBJECTS = ["We", "Our service", "The company", "Our team", "Each vendor", "The platform"]
_VERBS = ["collect", "store", "review", "process", "protect", "organise", "update", "analyse"]
_OBJECTS = ["account details", "usage records", "support tickets", "billing entries", "profile fields",
            "device settings", "preference flags", "session summaries"]  # fmt: skip
_PURPOSES = ["to run the service", "to answer questions", "to keep systems stable", "to meet legal duties",
             "to improve quality", "to prevent abuse"]  # fmt: skip
_HEADINGS = ["Overview", "Information we handle", "How we use it", "Sharing", "Retention", "Your choices",
             "Security", "Contact"]  # fmt: skip


def synthetic_policy(size: int = 200_000, seed: int = 7) -> str:
    """A generated policy of about ``size`` characters: headings, paragraphs and list items."""
    rng = random.Random(seed)
    lines: list[str] = ["# Synthetic Privacy Notice", "Last updated: March 3, 2024"]
    total, serial = 0, 0
    while total < size:
        serial += 1
        lines.append(f"## {serial}. {rng.choice(_HEADINGS)} part {serial}")
        for _ in range(rng.randint(3, 6)):
            sentences = [
                f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_PURPOSES)} "
                f"in case {serial}.{rng.randint(1, 999)}, for up to {rng.randint(2, 90)} days."
                for _ in range(rng.randint(1, 4))
            ]
            prefix = "- " if rng.random() < 0.25 else ""
            lines.append(prefix + " ".join(sentences))
            total += len(lines[-1]) + 1
    return "\n".join(lines)


_EDITS = [
    lambda s: s.replace(" days.", " years.", 1),
    lambda s: s.replace("We ", "We do not ", 1),
    lambda s: s.rstrip(".") + " and share them with advertising partners.",
    lambda s: s + " We may also keep your precise location.",
    lambda s: s.replace("process", "handle", 1),
    lambda s: "",
]


def edited(text: str, edits: int = 30, seed: int = 11) -> str:
    """``text`` with ``edits`` edits on lines spread evenly through it."""
    rng = random.Random(seed)
    lines = text.split("\n")
    step = len(lines) // (edits + 1)
    for i in range(1, edits + 1):
        n = i * step
        if lines[n].startswith("#"):
            n += 1
        lines[n] = rng.choice(_EDITS)(lines[n])
    return "\n".join(line for line in lines if line)


def bench_speed() -> None:
    old = synthetic_policy()
    new = edited(old)
    times, result, units = [], None, 0
    for _ in range(RUNS):
        start = time.perf_counter()
        diff = semantic_diff(old, new)
        result = classify(diff)
        times.append((time.perf_counter() - start) * 1000)
        units = len(diff.units)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    verdict = "OK" if statistics.median(times) <= TARGET_MS else "SLOW"
    print(f"speed: {len(old) / 1000:.0f} KB policy, 30 edits -> {units} units, {result.severity}: {result.headline}")
    print(f"  semantic_diff + classify over {RUNS} runs: median {statistics.median(times):.1f} ms, "
          f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms (target <= {TARGET_MS:.0f} ms: {verdict})")  # fmt: skip


_SETEXT = re.compile(r"^(=+|-+)\s*$")
_BULLET = re.compile(r"^\s*[*+-]\s+")
_ORDERED = re.compile(r"^\s*(\d+)\\?\.\s+")


def ota_to_lines(markdown: str) -> str:
    """OTA's markdown in ``extract_text``'s line format: ``#`` headings, ``- `` items, no blank lines."""
    out: list[str] = []
    for raw in markdown.splitlines():
        line = raw.strip()
        setext = _SETEXT.match(line)
        if setext and out and not out[-1].startswith(("#", "- ")):
            out[-1] = ("# " if setext.group(1)[0] == "=" else "## ") + out[-1]
            continue
        if not line or line in ("* * *", "***", "---"):
            continue
        line = _ORDERED.sub(r"\1. ", _BULLET.sub("- ", line.lstrip("> ")))
        if not line:
            continue
        out.append(" ".join(line.replace("**", "").replace("\\", "").split()))
    return "\n".join(out)


def bench_corpus(show_evidence: bool) -> None:
    if not CORPUS.is_dir():
        print(f"corpus: {CORPUS} absent, skipped")
        return
    for service in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        manifest = json.loads((service / "manifest.json").read_text(encoding="utf-8"))
        language = manifest.get("language")
        versions = sorted(p for p in service.glob("*.md") if not p.name.endswith(".technical-upgrade.md"))
        counts: Counter[str] = Counter()
        material: list[str] = []
        times: list[float] = []
        previous = previous_dates = None
        for path in versions:
            text = ota_to_lines(path.read_text(encoding="utf-8"))
            fetched = datetime.strptime(path.name[:20], "%Y-%m-%dT%H-%M-%SZ")
            dates = detect_dates(text, language=language, fetched_at=fetched)
            if previous is not None:
                start = time.perf_counter()
                result = classify(semantic_diff(previous, text), old_dates=previous_dates, new_dates=dates)
                times.append((time.perf_counter() - start) * 1000)
                counts[result.severity] += 1
                if result.severity == "MATERIAL":
                    notes = f" [{'; '.join(result.notes)}]" if result.notes else ""
                    material.append(f"    {path.name[:10]} {result.headline}{notes}  {','.join(result.rules)}")
                    if show_evidence:
                        material += [f"        {e.rule} {e.terms}: {e.old!r} -> {e.new!r}" for e in result.evidence
                                     if e.rule.startswith("M")]  # fmt: skip
            previous, previous_dates = text, dates
        summary = ", ".join(f"{k} {counts[k]}" for k in ("MATERIAL", "REVIEW", "NOISE"))
        slowest = max(times, default=0.0)
        print(f"{service.name}: {len(versions) - 1} changes: {summary} (slowest {slowest:.0f} ms)")
        print("\n".join(material))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evidence", action="store_true", help="print the MATERIAL evidence too")
    args = parser.parse_args()
    bench_speed()
    bench_corpus(args.evidence)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
