"""Materiality on real histories: replays ../shared/corpus/ota and scores each change against hand labels.

Per vendor the raw snapshots are replayed through ``monitor.replay.replay`` in the order bench/replay.py
uses (technical upgrades at their snapshot time, noise snapshots after the snapshot they pair with). Each
labelled pair (previous version -> version, ``materiality_labels.json``) is scored by what the replay did
from the step after the previous version up to the version itself: the highest severity of the changes
recorded there (so a technical upgrade inside a pair counts for it, as in the labels), else "flip-flop"
when the version came back as an earlier text, else "unchanged". Prints the confusion matrix (label x our
outcome), MATERIAL recall and precision, the share of NOISE pairs (flip-flops aside) that reach a person,
per-rule counts and the misclassified pairs.

``--labels FILE`` adds person-made labels: what ``monitor labels --json`` prints (``vendor_id``,
``verdict``, ``first_seen``, ``machine``), or a list of ``{"vendor", "file", "label"}``. A label
on a corpus version (same vendor, case aside, first seen at the file's timestamp) overrides the
bundled one; the others are scored against the severity the machine gave when it was labelled.

Run: python bench/materiality.py [--labels FILE] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from replay import CORPUS, NEW, Step, steps  # bench/replay.py, beside this script

from monitor.app.saved_pages import ReplayLine, replay
from monitor.judge.materiality import RANK, RULES

LABELS = CORPUS / "materiality_labels.json"
SEVERITIES = ("MATERIAL", "REVIEW", "NOISE")
OUTCOMES = (*SEVERITIES, "flip-flop", "unchanged")
ALERTED = frozenset({"MATERIAL", "REVIEW"})
TARGETS = {"material_recall": 0.95, "material_precision": 0.85, "noise_alerted_share": 0.05}


@dataclass(frozen=True)
class Label:
    """A hand label of one version pair."""

    vendor: str
    file: str
    label: str
    rules: tuple[str, ...] = ()
    flipflop: bool = False
    what: str = ""
    machine: str | None = None  # a person's label on a stored change: the severity it had then


@dataclass
class Scored:
    """A labelled pair and what the replay made of it."""

    label: Label
    outcome: str  # one of OUTCOMES, or "no snapshot"
    rules: list[str] = field(default_factory=list)
    summary: str = ""


def stamp(name: str) -> str:
    """A version's key: the timestamp its files are named by (``2022-05-24T12-31-52Z``)."""
    return name.split(".", 1)[0]


def read_labels(path: Path) -> dict[tuple[str, str], Label]:
    """Labels by (vendor, stamp): the bundled per-vendor file, ``monitor labels --json`` output, or a
    list of ``{"vendor", "file", "label"}`` (``rules``, ``what`` optional)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = [{"vendor": vendor, **item} for vendor, items in data.items() for item in items]
    labels = {}
    for item in data:
        if "verdict" in item:
            item = _from_monitor(item)
        name = str(item["file"])
        flipflop = "returns to the text of" in item.get("what", "")
        label = Label(item["vendor"], name, item["label"].upper(), tuple(item.get("rules", ())), flipflop,
                      item.get("what", ""), item.get("machine"))  # fmt: skip
        labels[(label.vendor.casefold(), stamp(name))] = label
    return labels


def _from_monitor(row: dict) -> dict:
    """A ``monitor labels --json`` row as a label item: the version is named by when it was first seen."""
    return {
        "vendor": row["vendor_id"],
        "file": row["first_seen"].replace(":", "-"),
        "label": row["verdict"],
        "what": row.get("note") or "",
        "machine": row.get("machine"),
    }


def score_stored(labels: dict[tuple[str, str], Label], corpus: set[tuple[str, str]]) -> list[Scored]:
    """Person labels that name no corpus version, scored against the machine's severity when labelled."""
    return [Scored(label, label.machine or "unchanged") for key, label in labels.items() if key not in corpus]


def score_vendor(vendor: Path, labels: dict[tuple[str, str], Label]) -> list[Scored]:
    """Replay one vendor and score each of its labelled versions."""
    manifest = json.loads((vendor / "manifest.json").read_text(encoding="utf-8"))
    plan = steps(vendor)
    lines = list(replay([step.path for step in plan]))
    where = {stamp(step.md.name): i for i, step in enumerate(plan) if step.role == "version" and step.md}
    scored = []
    previous: str | None = None
    for version in manifest["versions"]:
        key = stamp(version["file"])
        label = labels.get((vendor.name.casefold(), key))
        if label is not None and previous is not None:
            if key in where and previous in where:
                scored.append(_score(label, plan, lines, where[previous] + 1, where[key] + 1))
            else:
                scored.append(Scored(label, "no snapshot"))
        previous = key
    return scored


def _score(label: Label, plan: list[Step], lines: list[ReplayLine], start: int, end: int) -> Scored:
    """The outcome of the replay steps ``start:end`` (the last one is the labelled version)."""
    changes = [line for line in lines[start:end] if line.decision in NEW and line.severity]
    if changes:
        top = max(changes, key=lambda line: RANK[line.severity or "NOISE"])
        rules = sorted({rule for line in changes for rule in line.rules}, key=list(RULES).index)
        return Scored(label, top.severity or "NOISE", rules, top.summary)
    last = lines[end - 1]
    return Scored(label, "flip-flop" if last.decision == "reversion" else "unchanged", [], last.summary)


def report(scored: list[Scored]) -> None:
    """Print the confusion matrix, the headline figures, per-rule counts and the misclassified pairs."""
    matrix = Counter((s.label.label, s.outcome) for s in scored)
    columns = (*OUTCOMES, "no snapshot")
    print(f"{'label':<10}" + "".join(f"{c:>13}" for c in columns) + f"{'total':>8}")
    for label in SEVERITIES:
        row = [matrix[(label, c)] for c in columns]
        print(f"{label:<10}" + "".join(f"{n:>13}" for n in row) + f"{sum(row):>8}")
    replayed = [s for s in scored if s.outcome != "no snapshot"]
    material = [s for s in replayed if s.label.label == "MATERIAL"]
    found = sum(s.outcome == "MATERIAL" for s in material)
    called = [s for s in replayed if s.outcome == "MATERIAL"]
    right = sum(s.label.label == "MATERIAL" for s in called)
    noise = [s for s in replayed if s.label.label == "NOISE" and not s.label.flipflop]
    alerted = [s for s in noise if s.outcome in ALERTED]
    flipflops = [s for s in replayed if s.label.flipflop]
    flip_alerted = sum(s.outcome in ALERTED for s in flipflops)
    figures = {
        "material_recall": found / len(material) if material else 1.0,
        "material_precision": right / len(called) if called else 1.0,
        "noise_alerted_share": len(alerted) / len(noise) if noise else 0.0,
    }
    print(
        f"MATERIAL recall {found}/{len(material)} = {figures['material_recall']:.3f}"
        f" (target >= {TARGETS['material_recall']})"
    )
    print(
        f"MATERIAL precision {right}/{len(called)} = {figures['material_precision']:.3f}"
        f" (target >= {TARGETS['material_precision']})"
    )
    print(
        f"NOISE pairs reaching a person: {len(alerted)}/{len(noise)} = {figures['noise_alerted_share']:.3f}"
        f" (target <= {TARGETS['noise_alerted_share']}; flip-flops apart)"
    )
    print(f"flip-flop pairs alerted: {flip_alerted}/{len(flipflops)} (target 0)")
    met = (figures["material_recall"] >= TARGETS["material_recall"]
           and figures["material_precision"] >= TARGETS["material_precision"]
           and figures["noise_alerted_share"] <= TARGETS["noise_alerted_share"] and not flip_alerted)  # fmt: skip
    print("targets met" if met else "targets NOT met")
    _rule_table(replayed)
    wrong = [s for s in replayed if s.outcome != s.label.label and not (s.label.label == "NOISE"
             and s.outcome in ("NOISE", "flip-flop", "unchanged"))]  # fmt: skip
    print(f"misclassified: {len(wrong)}")
    for s in wrong:
        print(
            f"  {s.label.vendor:<7} {s.label.file[:20]} {s.label.label:<8} -> {s.outcome:<9}"
            f" ours {','.join(s.rules) or '-'}  label {','.join(s.label.rules)}"
        )
        print(f"      {s.summary[:110]}")
        print(f"      label: {s.label.what[:110]}")


def _rule_table(replayed: list[Scored]) -> None:
    """Per rule: pairs where it fired, where it set the outcome, how many of those the label agrees with."""
    fired: Counter[str] = Counter()
    decisive: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    named: Counter[str] = Counter()
    for s in replayed:
        for rule in s.rules:
            fired[rule] += 1
            named[rule] += rule in s.label.rules
            if RULES[rule].severity == s.outcome:
                decisive[rule] += 1
                correct[rule] += s.label.label == s.outcome
    print(f"{'rule':<5}{'fired':>6}{'decisive':>9}{'correct':>8}{'precision':>10}{'in label':>9}")
    for rule in RULES:
        if fired[rule]:
            share = f"{correct[rule] / decisive[rule]:.2f}" if decisive[rule] else "-"
            print(f"{rule:<5}{fired[rule]:>6}{decisive[rule]:>9}{correct[rule]:>8}{share:>10}{named[rule]:>9}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, help="a JSON list of person-made labels to add")
    parser.add_argument("--verbose", action="store_true", help="print every scored pair")
    args = parser.parse_args()
    if not LABELS.exists():
        print(f"labels not found at {LABELS}: nothing to measure")
        return 0
    bundled = read_labels(LABELS)
    people = read_labels(args.labels) if args.labels else {}
    labels = bundled | people
    scored: list[Scored] = []
    for vendor in sorted(p for p in CORPUS.iterdir() if (p / "manifest.json").exists()):
        scored += score_vendor(vendor, labels)
    if args.verbose:
        for s in scored:
            print(
                f"{s.label.vendor:<7} {s.label.file[:20]} {s.label.label:<8} {s.outcome:<11}"
                f" {','.join(s.rules)[:50]:<50} {s.summary[:60]}"
            )
    report(scored)
    stored = score_stored(people, set(bundled))
    if stored:
        print(f"\nperson labels on stored changes ({len(stored)}), against the severity the machine gave:")
        report(stored)
    return 0


if __name__ == "__main__":
    sys.exit(main())
