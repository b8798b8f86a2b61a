"""Sentence splitting and the sentence-level diff."""

from __future__ import annotations

import pytest

from monitor.judge.semdiff import SemanticDiff, Unit, canonical, link_targets, semantic_diff
from monitor.judge.sentences import Sentence, split_block, split_sentences
from monitor.judge.textdiff import DELETE, EQUAL, INSERT

POLICY = """# Privacy notice
We respect your privacy.
## Sharing
We share data with hosting providers. We never sell data.
- Payment processors
## Retention
We keep logs for 30 days.
We delete backups after a year."""


@pytest.mark.parametrize(
    ("line", "sentences"),
    [
        ("We use tools, e.g. Analytics. They help.", ["We use tools, e.g. Analytics.", "They help."]),
        ("See i.e. The rules. Done.", ["See i.e. The rules.", "Done."]),
        ("Acme Co., Ltd. Runs it. Then stop.", ["Acme Co., Ltd. Runs it.", "Then stop."]),
        ("Acme Inc. And more. Next one.", ["Acme Inc. And more.", "Next one."]),
        ("See section No. 5 here. Next.", ["See section No. 5 here.", "Next."]),
        ("Section 1.1 applies. Next.", ["Section 1.1 applies.", "Next."]),
        ("We comply with U.S. Law. Next.", ["We comply with U.S. Law.", "Next."]),
        ("It costs 3.50 EUR. Next.", ["It costs 3.50 EUR.", "Next."]),
        ("Visit https://a.example/b.c/d. Next.", ["Visit https://a.example/b.c/d.", "Next."]),
        ("Read [the rules. Here](https://a.example). Next.", ["Read [the rules. Here](https://a.example).", "Next."]),
        ("Mail privacy@a.example.org. Next.", ["Mail privacy@a.example.org.", "Next."]),
        ("Kids under 13. We check! Really? Yes.", ["Kids under 13.", "We check!", "Really?", "Yes."]),
        ("Daten, z. B. Namen. Weiter.", ["Daten, z. B. Namen.", "Weiter."]),
        ("Gilt ab dem 1. Mai 2024. Weiter.", ["Gilt ab dem 1. Mai 2024.", "Weiter."]),
        ("Es sind 3. Weitere folgen.", ["Es sind 3.", "Weitere folgen."]),
        ("- First item. Second part.", ["- First item.", "Second part."]),
        ("2. Numbered item. More.", ["2. Numbered item.", "More."]),
        ("Cell one. Text | Cell two. Text", ["Cell one. Text | Cell two. Text"]),
        ("no stop at the end", ["no stop at the end"]),
        ("He said. and went on.", ["He said. and went on."]),
    ],
)
def test_split_block(line: str, sentences: list[str]) -> None:
    assert split_block(line) == sentences


def test_split_sentences_keeps_heading_paths() -> None:
    sentences = split_sentences(POLICY)
    assert sentences[0] == Sentence((), "# Privacy notice")
    assert Sentence(("Privacy notice",), "## Sharing") in sentences
    assert Sentence(("Privacy notice", "Sharing"), "We never sell data.") in sentences
    assert Sentence(("Privacy notice", "Sharing"), "- Payment processors") in sentences
    assert sentences[-1] == Sentence(("Privacy notice", "Retention"), "We delete backups after a year.")
    assert len(sentences) == 9


def test_pure_reordering_gives_only_moved_units() -> None:
    new = POLICY.replace(
        "We keep logs for 30 days.\nWe delete backups after a year.",
        "We delete backups after a year.\nWe keep logs for 30 days.",
    )
    diff = semantic_diff(POLICY, new)
    assert diff.units and {u.kind for u in diff.units} == {"moved"}
    within_a_line = POLICY.replace("providers. We never sell data.", "providers.")
    within_a_line = within_a_line.replace("## Sharing", "## Sharing\nWe never sell data.")
    assert {u.kind for u in semantic_diff(POLICY, within_a_line).units} == {"moved"}


def test_sentence_moved_to_another_section() -> None:
    new = POLICY.replace(" We never sell data.", "").replace("a year.", "a year.\nWe never sell data.")
    (unit,) = semantic_diff(POLICY, new).units
    assert unit == Unit("moved", "We never sell data.", "We never sell data.", ("Privacy notice", "Retention"),
                        ((EQUAL, "We never sell data."),))  # fmt: skip


def test_modified_sentence_carries_its_word_diff() -> None:
    new = POLICY.replace("We keep logs for 30 days.", "We keep server logs for 90 days.")
    (unit,) = semantic_diff(POLICY, new).units
    assert (unit.kind, unit.old) == ("modified", "We keep logs for 30 days.")
    assert unit.new == "We keep server logs for 90 days."
    assert unit.section == ("Privacy notice", "Retention")
    assert (INSERT, " server") in unit.words or (INSERT, "server ") in unit.words
    assert (DELETE, "30") in unit.words and (INSERT, "90") in unit.words
    assert "".join(t for op, t in unit.words if op != INSERT) == unit.old
    assert "".join(t for op, t in unit.words if op != DELETE) == unit.new


def test_added_and_removed_sentences() -> None:
    new = POLICY.replace("We respect your privacy.", "Totally different words appear here.")
    new += "\nWe also run audits every quarter."
    kinds = [(u.kind, u.old, u.new) for u in semantic_diff(POLICY, new).units]
    assert kinds == [
        ("removed", "We respect your privacy.", None),
        ("added", None, "Totally different words appear here."),
        ("added", None, "We also run audits every quarter."),
    ]


def test_sections_count_kinds_and_label_them() -> None:
    new = POLICY.replace("We share data with hosting providers.", "We share data with hosting providers and banks.")
    new = new.replace("- Payment processors", "- Payment processors\n- Auditors")
    new = new.replace("We keep logs for 30 days.\nWe delete backups after a year.",
                      "We delete backups after a year.\nWe keep logs for 30 days.")  # fmt: skip
    diff = semantic_diff(POLICY, new)
    summaries = {s.section: s for s in diff.sections()}
    sharing = summaries[("Privacy notice", "Sharing")]
    assert sharing.counts == {"added": 1, "modified": 1}
    assert sharing.label == "Privacy notice > Sharing (2 sentences changed)"
    assert summaries[("Privacy notice", "Retention")].label == "Privacy notice > Retention (1 sentence moved)"
    top = semantic_diff("Intro here.", "Intro there.").sections()
    assert [s.label for s in top] == ["(top) (1 sentence changed)"]


def test_normalisation_only_differences_give_an_empty_diff() -> None:
    noisy = POLICY.replace("We respect", "We\u00a0 respect").replace("never", "ne\u200bver") + "\n\n"
    diff = semantic_diff(POLICY, noisy)
    assert diff.is_empty and diff.units == () and diff.sections() == []
    assert semantic_diff("It’s “ours”.", 'It\'s "ours".').is_empty
    assert not semantic_diff(POLICY, POLICY + "\nNew.").is_empty


def test_diff_round_trips_through_dict() -> None:
    diff = semantic_diff(POLICY, POLICY.replace("30 days", "60 days") + "\nAdded here.")
    data = diff.to_dict()
    assert data["units"][0]["kind"] == "modified" and data["units"][0]["section"] == ["Privacy notice", "Retention"]
    assert SemanticDiff.from_dict(data) == diff


def test_large_replaced_region_is_paired_within_the_cap() -> None:
    old = "\n".join(f"Sentence number {i} talks about topic {i % 7}." for i in range(400))
    new = "\n".join(f"Sentence number {i} talks about subject {i % 7}." for i in range(400))
    units = semantic_diff(old, new).units
    assert len(units) == 400 and all(u.kind == "modified" for u in units)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("## **How We Share Data**", "## How we share data"),
        ("1.  Your name", "- Your name"),
        ("Read [our terms](https://a.example/t) now .", "Read [our terms](http://www.a.example/t2) now."),
        ("Write to dpo [at] acme [dot] example.", "Write to dpo@acme.example."),
        ("Write to [email\u00a0protected].", "Write to dpo@acme.example."),  # addresses are compared apart
        ("This applies from 1 May 2024.", "This applies from May 1st, 2024."),
        ("Gilt ab dem 1. Mai 2024.", "Gilt ab dem 01.05.2024."),
        ("Elle s'applique à partir du 1er mai 2024.", "Elle s'applique à partir du 01/05/2024."),
        ("This applies from 13 May 2024.", "This applies from 13/05/2024."),  # only one order is a date
        ("This applies from May 13, 2024.", "This applies from 05/13/2024."),
        ("Minato-ku,Tokyo", "Minato-ku, Tokyo"),
        ("We collect your name &amp; e-mail.", "We collect your name & e-mail."),
    ],
)
def test_canonical_forms_of_cosmetic_variants_are_equal(old: str, new: str) -> None:
    assert canonical(old) == canonical(new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("We share data with hosts.", "We share data with Hosts."),  # body text keeps its case ("US", "us")
        ("This applies from 1 May 2024.", "This applies from 1 May 2023."),
        ("This applies from 1 May 2024.", "This applies from 01/05/2024."),  # or January 5 on a US page
        ("Elle s'applique à partir du 1er mai 2024.", "Elle s'applique à partir du 05/01/2024."),  # 5 janvier
        ("Write to dpo [at] acme [dot] example.", "Call dpo [at] acme [dot] example."),
        ("We keep logs for 30 days.", "We keep logs for 90 days."),
    ],
)
def test_canonical_forms_keep_real_differences(old: str, new: str) -> None:
    assert canonical(old) != canonical(new)


def test_link_targets_are_compared_apart() -> None:
    assert link_targets("See [FAQ](https://a.example/faq) or https://b.example/x.") == (
        "https://a.example/faq",
        "https://b.example/x.",
    )


def test_a_duplicate_copy_removed_or_repeated_is_no_change() -> None:
    old = "We collect your name and e-mail.\nWe collect your name and e-mail.\nWe share it with hosts."
    assert semantic_diff(old, "We collect your name and e-mail.\nWe share it with hosts.").is_empty
    single = "We collect your name and e-mail.\nWe share it with hosts."
    assert semantic_diff(single, old).is_empty
    units = semantic_diff(old, "We share it with hosts.").units  # no copy stays: both are removals
    assert [u.kind for u in units] == ["removed", "removed"]


def test_a_cosmetic_edit_in_place_is_modified_and_a_far_one_moved() -> None:
    (unit,) = semantic_diff(POLICY, POLICY.replace("We never sell data.", "We **never** sell data.")).units
    assert unit.kind == "modified"
    far = POLICY.replace(" We never sell data.", "").replace("a year.", "a year.\nWe *never* sell data.")
    (unit,) = semantic_diff(POLICY, far).units
    assert (unit.kind, unit.new) == ("moved", "We *never* sell data.")


CONTENTS = """# Policy
- 1. Data
- 2. Rights
- 3. Contact
## 1. Data
We collect your name.
## 2. Rights
You may delete your data.
You may object to marketing.
## 3. Contact
Write to privacy@acme.example."""


def test_sections_the_contents_list_but_the_body_lacks_are_incomplete() -> None:
    broken = CONTENTS.replace("## 2. Rights\nYou may delete your data.\nYou may object to marketing.\n", "")
    units = semantic_diff(CONTENTS, broken).units
    assert units and all(u.incomplete and u.kind == "removed" for u in units)
    restored = semantic_diff(broken, CONTENTS.replace("Write to", "Please write to")).units
    assert {(u.kind, u.incomplete) for u in restored} == {("added", True), ("modified", False)}
    assert Unit.from_dict(units[0].to_dict()) == units[0]


def test_a_section_removed_from_contents_and_body_is_a_real_removal() -> None:
    gone = CONTENTS.replace("- 2. Rights\n", "").replace(
        "## 2. Rights\nYou may delete your data.\nYou may object to marketing.\n", ""
    )
    units = semantic_diff(CONTENTS, gone).units
    assert units and not any(u.incomplete for u in units)
