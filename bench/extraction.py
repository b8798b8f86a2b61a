"""Extraction benchmark on Open Terms Archive histories (../shared/corpus/ota).

For every recorded version with a raw snapshot (technical upgrades excluded) it compares our
text with OTA's own extraction (token-level F1 over word multisets), both with no selector and
with the OTA declaration in force at the version's date, checks the detected policy date against
the hand-checked ``policy_date`` and times the extraction. Prints per-vendor figures; exits 0.

Run: /tmp/venv/bin/python bench/extraction.py [--worst N]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor.text.dates import detect_dates
from monitor.text.extract import extract_document, extract_text
from monitor.text.language import detect_language
from monitor.text.normalize import text_hash

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "ota"
TARGETS = {"min_f1": 0.97, "median_f1": 0.99, "declared_median_f1": 0.99, "dates": 0.98}

_LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()]*\))*\)")
_MARKUP = re.compile(r"<br\s*/?>", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")


def tokens(text: str) -> Counter[str]:
    """Word multiset: NFKC, lower-cased, link targets and markdown markup ignored."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _MARKUP.sub(" ", _LINK_TARGET.sub("] ", text))
    return Counter(_WORD.findall(text))


def f1(ours: str, reference: str) -> float:
    a, b = tokens(ours), tokens(reference)
    common = sum((a & b).values())
    if not common:
        return 1.0 if not a and not b else 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def declaration_at(manifest: dict[str, Any], date: str) -> dict[str, Any]:
    """The OTA declaration in force at ``date`` (history entries end at their ``validUntil``)."""
    history = sorted(manifest.get("declaration_history") or [], key=lambda d: d["validUntil"])
    for entry in history:
        if date < entry["validUntil"]:
            return entry
    return manifest["declaration_current"]


@dataclass
class VendorResult:
    name: str
    f1: list[tuple[float, str]] = field(default_factory=list)
    declared_f1: list[tuple[float, str]] = field(default_factory=list)
    declaration_misses: list[str] = field(default_factory=list)  # declared select matched nothing
    dates_ok: int = 0
    date_misses: list[str] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)
    noise_stable: int = 0  # noise snapshots whose text hash equals their version's
    noise_total: int = 0

    @property
    def versions(self) -> int:
        return len(self.f1)


def run_vendor(directory: Path) -> VendorResult:
    manifest = json.loads((directory / "manifest.json").read_text())
    result = VendorResult(directory.name)
    for version in manifest["versions"]:
        html = directory / version["file"].replace(".md", ".html")
        if not html.exists():
            continue
        body = html.read_bytes()
        reference = (directory / version["file"]).read_text()
        declaration = declaration_at(manifest, version["date"])
        url = (version.get("snapshot") or {}).get("source_url") or declaration["fetch"]
        start = time.perf_counter()
        page = extract_document(body, content_type="text/html", base_url=url)
        result.ms.append((time.perf_counter() - start) * 1000)
        result.f1.append((f1(page.text, reference), version["file"]))
        declared = extract_text(body, base_url=url, select=declaration.get("select"), remove=declaration.get("remove"))
        if declared:
            result.declared_f1.append((f1(declared, reference), version["file"]))
        else:  # OTA's declaration history does not hold the selector used for this snapshot
            result.declaration_misses.append(version["file"])
        fetched = datetime.fromisoformat(version["date"].replace("Z", "+00:00"))
        language = detect_language(page.text, page.declared_language)
        primary = detect_dates(page.text, language=language, fetched_at=fetched).primary
        expected = (version.get("policy_date") or {}).get("iso")
        got = primary.iso if primary else None
        if got == expected:
            result.dates_ok += 1
        else:
            result.date_misses.append(f"{version['file']}: expected {expected}, got {got}")
    for noise in manifest.get("noise_snapshots") or []:
        paired = directory / noise["expected_same_policy_as"].replace(".md", ".html")
        if paired.exists() and (directory / noise["file"]).exists():
            texts = (extract_text(p.read_bytes()) for p in (paired, directory / noise["file"]))
            result.noise_total += 1
            result.noise_stable += len({text_hash(t) for t in texts}) == 1
    return result


def _summary(values: list[tuple[float, str]]) -> tuple[float, float]:
    scores = [v for v, _ in values] or [float("nan")]
    return min(scores), statistics.median(scores)


def report(results: list[VendorResult], worst: int) -> bool:
    ok = True
    all_ms: list[float] = []
    print(f"{'vendor':8} {'n':>3} {'F1 min':>7} {'median':>7} {'decl n':>6} {'min':>7} {'median':>7} {'dates':>8}")
    for r in results:
        if not r.versions:
            continue
        fmin, fmed = _summary(r.f1)
        dmin, dmed = _summary(r.declared_f1)
        accuracy = r.dates_ok / r.versions
        print(
            f"{r.name:8} {r.versions:3} {fmin:7.4f} {fmed:7.4f} {len(r.declared_f1):6} {dmin:7.4f} "
            f"{dmed:7.4f} {r.dates_ok:3}/{r.versions:<3} ({accuracy:.0%})"
        )
        ok &= fmin >= TARGETS["min_f1"] and fmed >= TARGETS["median_f1"]
        ok &= not dmed < TARGETS["declared_median_f1"] and accuracy >= TARGETS["dates"]
        all_ms.extend(r.ms)
    for r in results:
        for score, name in sorted(r.f1)[:worst]:
            print(f"  worst no-selector {r.name}/{name}: {score:.4f}")
        for score, name in sorted(r.declared_f1)[:worst]:
            print(f"  worst declared    {r.name}/{name}: {score:.4f}")
        for miss in r.date_misses:
            print(f"  date miss {r.name}/{miss}")
        if r.noise_total:
            print(f"  {r.name}: noise snapshots hashing like their version: {r.noise_stable}/{r.noise_total}")
        if r.declaration_misses:
            print(
                f"  {r.name}: the declaration in force matches nothing in {len(r.declaration_misses)} "
                f"snapshots (declaration history incomplete), e.g. {r.declaration_misses[0]}"
            )
    if all_ms:
        ms = sorted(all_ms)
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        median = statistics.median(ms)
        print(f"extraction ms: median {median:.1f}, p95 {p95:.1f}, max {ms[-1]:.1f} over {len(ms)} pages")
        ok &= median <= 10 and p95 <= 40
    print("targets met" if ok else "targets NOT met")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worst", type=int, default=3, help="worst files to list per vendor")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} not found")
        return 0
    extract_text(b"<p>warm-up</p>")
    detect_dates("Last updated: May 25, 2018")
    results = [run_vendor(d) for d in sorted(CORPUS.iterdir()) if (d / "manifest.json").exists()]
    report(results, args.worst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
