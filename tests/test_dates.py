"""Date detection on synthetic policy lines."""

from __future__ import annotations

from datetime import datetime

import pytest

from monitor.text.dates import DetectedDate, PolicyDates, detect_dates, with_history


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Last updated: 【April】 【17th】, 【 2023】", "2023-04-17"),
        ("Updated date: 18 Feb 2024", "2024-02-18"),
        ("Updated on November 17, 2021.", "2021-11-17"),
        ("Last updated: May 25, 2018", "2018-05-25"),
        ("Last updated 21 December 2021", "2021-12-21"),
        ("Last revised: 31st October 2022", "2022-10-31"),
        ("Last modified: 02nd October 2024", "2024-10-02"),
        ("Updated: 15 December, 2021", "2021-12-15"),
        ("Last updated Jun 20, 2024", "2024-06-20"),
        ("Last updated: July 17th 2024", "2024-07-17"),
        ("Stand: 31. January 2022", "2022-01-31"),
        ("Zuletzt aktualisiert am 11.05.2021", "2021-05-11"),
        ("Last updated: 29/04/2022", "2022-04-29"),
        ("Last updated: 2024-12-23", "2024-12-23"),
        ("Stand: Juni 2021", "2021-06"),
        ("Dernière mise à jour : 3 mars 2022", "2022-03-03"),
        ("Última actualización: 25 de mayo de 2018", "2018-05-25"),
        ("Ultimo aggiornamento: 5 maggio 2021", "2021-05-05"),
        ("Laatst bijgewerkt op 3 maart 2022", "2022-03-03"),
        ("Última atualização: 12 de janeiro de 2023", "2023-01-12"),
        ("更新日期:2023年2月21日", "2023-02-21"),
        ("Version of 1 March 2020", "2020-03-01"),
        ("# Privacy Notice\n\n**Last Updated:** _March 3, 2023_", "2023-03-03"),
    ],
)
def test_labelled_dates(text: str, iso: str) -> None:
    primary = detect_dates(text).primary
    assert primary is not None
    assert primary.iso == iso


def test_month_precision_never_invents_a_day() -> None:
    date = detect_dates("Stand: Juni 2021", language="de").updated
    assert date == DetectedDate("updated", "Juni 2021", "2021-06", "month")


def test_bare_month_year_line_near_the_top() -> None:
    text = "Scanner App Privacy Policy\n309658237541l\nJanuary, 2019\nWe respect your privacy."
    date = detect_dates(text).updated
    assert date is not None
    assert (date.iso, date.precision) == ("2019-01", "month")


def test_bare_date_far_down_is_ignored() -> None:
    text = "\n".join(["Intro"] + [f"Paragraph {n} about data." for n in range(30)] + ["March, 2019"])
    assert detect_dates(text).primary is None


def test_two_labels_on_one_line() -> None:
    dates = detect_dates("Revision date: [August 30, 2021] Effective date: [October 20, 2021]")
    assert dates.updated is not None and dates.updated.iso == "2021-08-30"
    assert dates.effective is not None and dates.effective.iso == "2021-10-20"
    assert dates.primary == dates.updated


def test_effective_only_and_upcoming() -> None:
    text = "This Privacy Policy applies from April 4, 2026. The previous version applies until then."
    dates = detect_dates(text, fetched_at=datetime(2026, 3, 6))
    assert dates.updated is None
    assert dates.primary is not None and dates.primary.iso == "2026-04-04"
    assert dates.primary.kind == "effective" and dates.primary.upcoming
    assert not detect_dates(text, fetched_at=datetime(2026, 5, 1)).primary.upcoming


@pytest.mark.parametrize(
    ("language", "iso", "ambiguous"),
    [
        ("en-US", "2025-03-11", False),
        ("en", "2025-11-03", True),
        (None, "2025-11-03", True),
        ("de", "2025-11-03", False),
    ],
)
def test_numeric_order_follows_the_locale(language: str | None, iso: str, ambiguous: bool) -> None:
    date = detect_dates("Last updated: 3/11/2025", language=language).updated
    assert date is not None
    assert (date.iso, date.ambiguous) == (iso, ambiguous)


def test_unambiguous_numeric_dates_are_not_flagged() -> None:
    date = detect_dates("Last updated: 29/04/2022", language="en").updated
    assert date is not None and not date.ambiguous
    dotted = detect_dates("Last updated: 11.05.2021").updated
    assert dotted is not None and dotted.iso == "2021-05-11" and not dotted.ambiguous


def test_updated_wins_over_effective_and_both_are_kept() -> None:
    dates = detect_dates("Effective date: 2020-04-25\nLast updated: 2020-03-25")
    assert dates.primary is not None and dates.primary.iso == "2020-03-25"
    assert dates.effective is not None and dates.effective.iso == "2020-04-25"


@pytest.mark.parametrize(
    "text",
    [
        "© 2024 Example Widgets Ltd. All rights reserved.",
        "309658237541l",
        "The GDPR, which took effect on 25 May 2018, protects you.",
        "The previous version, last updated May 1, 2020, is [archived here](https://example.org/p-2020-05-01).",
        "Older versions: [Policy of 2 June 2019](https://example.org/privacy-2019-06-02)",
        "Version 2.1",
        "We keep logs for 30 days under Art. 46.",
        "Last updated: 【 】",
        "Stand der Technik",
        "",
    ],
)
def test_not_a_policy_date(text: str) -> None:
    assert detect_dates(text).primary is None


def test_round_trip_through_json_dict() -> None:
    dates = detect_dates("Revision date: August 30, 2021\nEffective date: October 20, 2021")
    assert PolicyDates.from_dict(dates.to_dict()) == dates
    assert PolicyDates.from_dict(PolicyDates().to_dict()) == PolicyDates()


def test_per_call_cost_is_small() -> None:
    import time

    text = "\n".join(["Privacy Policy", "Last updated: May 25, 2018"] + ["We process your data."] * 2000)
    detect_dates(text)  # warm the parser caches
    start = time.perf_counter()
    detect_dates(text)
    assert time.perf_counter() - start < 0.05


@pytest.mark.parametrize(
    ("text", "language", "kind", "iso"),
    [
        ("Effective: the earlier of 2023-05-01 or your acceptance", "en", "effective", "2023-05-01"),
        ("Effective date: for existing users, May 1, 2023", "en", "effective", "2023-05-01"),
        ("Gültig ab: voraussichtlich 1. Mai 2023", "de", "effective", "2023-05-01"),
        ("Stand: zuletzt geändert am 3. März 2024", "de", "updated", "2024-03-03"),
        ("En vigueur : à compter du 1er mai 2023", "fr", "effective", "2023-05-01"),
        ("Date d'entrée en vigueur : au plus tard le 1er mai 2023", "fr", "effective", "2023-05-01"),
    ],
)
def test_words_between_the_label_and_the_date(text: str, language: str, kind: str, iso: str) -> None:
    date = getattr(detect_dates(text, language=language), kind)
    assert date is not None and date.iso == iso


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Last updated: see below. We collected data in March 2019.", "en"),  # the sentence ended
        ("Effective for users who joined in 2019", "en"),  # a bare year after words is no policy date
        ("Effective: once you accept the terms of the offer made in the app, 2023-05-01", "en"),  # too far
        ("Stand: siehe unten. Seit Mai 2019 gilt etwas anderes.", "de"),
        ("En vigueur : voir ci-dessous. Depuis mai 2019 rien.", "fr"),
    ],
)
def test_words_between_stop_at_the_sentence(text: str, language: str) -> None:
    assert detect_dates(text, language=language).primary is None


@pytest.mark.parametrize(
    ("text", "language", "fetched", "iso", "ambiguous"),
    [
        # other numeric dates on the page show the order
        ("Last updated: 3/11/2025\nEffective date: 12/20/2024", "en", None, "2025-03-11", False),
        ("Last updated: 3/11/2025\nOlder terms: 20/12/2024", "en", None, "2025-11-03", False),
        # "last updated" is never after the fetch
        ("Last updated: 3/11/2025", "en", datetime(2025, 4, 1), "2025-03-11", False),
        ("Last updated: 11/3/2025", None, datetime(2025, 4, 1), "2025-03-11", False),
        # nothing decides: both readings are before the fetch, no other date
        ("Last updated: 3/11/2025", "en", datetime(2026, 4, 1), "2025-11-03", True),
        # an effective date may lie ahead: the fetch time does not decide it
        ("Effective date: 3/11/2025", "en", datetime(2025, 4, 1), "2025-11-03", True),
        # German and French pages read day first, whatever else is on the page
        ("Stand: 3.11.2025\nAlt: 12/20/2024", "de", datetime(2026, 4, 1), "2025-11-03", False),
        ("Dernière mise à jour : 03/11/2025", "fr", datetime(2026, 4, 1), "2025-11-03", False),
    ],
)
def test_numeric_dates_resolved_by_the_page_and_the_fetch(
    text: str, language: str | None, fetched: datetime | None, iso: str, ambiguous: bool
) -> None:
    date = detect_dates(text, language=language, fetched_at=fetched).primary
    assert date is not None
    assert (date.iso, date.ambiguous) == (iso, ambiguous)


@pytest.mark.parametrize(
    ("text", "earlier", "iso", "ambiguous"),
    [
        # the same day as the previous version's date, written another way
        ("Last updated: 3/11/2025", "Last updated: November 3, 2025", "2025-11-03", False),
        ("Effective date: 3/11/2025", "Effective date: 11 March 2025", "2025-03-11", False),
        # "last updated" never goes back: only one reading is after the previous version's date
        ("Last updated: 3/11/2025", "Last updated: June 1, 2025", "2025-11-03", False),
        ("Mise à jour : 10/4/2025", "Mise à jour : 10 avril 2025", "2025-04-10", False),
        # both readings after it: nothing decides
        ("Last updated: 3/11/2025", "Last updated: January 5, 2025", "2025-11-03", True),
        # an effective date may move either way: only the same day decides it
        ("Effective date: 3/11/2025", "Effective date: June 1, 2025", "2025-11-03", True),
    ],
)
def test_an_ambiguous_date_is_settled_by_the_previous_version(
    text: str, earlier: str, iso: str, ambiguous: bool
) -> None:
    now = datetime(2026, 4, 1)
    dates = with_history(detect_dates(text, fetched_at=now), detect_dates(earlier))
    date = dates.primary
    assert date is not None
    assert (date.iso, date.ambiguous) == (iso, ambiguous)


def test_history_leaves_unambiguous_dates_alone() -> None:
    dates = detect_dates("Dernière mise à jour : 03/11/2025", language="fr")
    assert with_history(dates, detect_dates("Dernière mise à jour : 1 décembre 2025", language="fr")) == dates
