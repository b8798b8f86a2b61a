"""Materiality rules: a positive and a negative synthetic fixture per rule id, dates, notes, severity."""

from __future__ import annotations

import pytest

from monitor.judge.materiality import RULES, Classification, Evidence, classify
from monitor.judge.semdiff import semantic_diff
from monitor.text.dates import DetectedDate, PolicyDates

# (rule id, old text, new text): the rule must fire on the positive fixture and not on the negative one.
POSITIVE = [
    ("M1", "We collect your name.", "We collect your name and precise location."),
    ("M1", "# Data we collect\n- Your name", "# Data we collect\n- Your name\n- Your government-issued ID"),
    ("M2", "We use your data to run the service.", "We use your data to run the service and for advertising."),
    ("M2", "We use your data to provide the app.", "We use your data to train our AI models and provide the app."),
    ("M3", "We share your data with service providers.", "We share your data with advertising partners."),
    ("M3", "Hosting is done in house.", "Hosting is done in house.\nWe disclose your data to data brokers."),
    ("M3", "Wir geben Daten an Dienstleister weiter.", "Wir geben Daten an Dienstleister und Datenhändler weiter."),
    ("M4", "We do not sell your personal data.", "We sell your personal data."),
    ("M4", "We will not share your data with others.", "We may share your data with others."),
    ("M4", "We share data only with your consent.", "We share data with your partners."),
    ("M4", "Intro.\nWe never rent your information.", "Intro."),
    ("M4", "Wir verkaufen Ihre Daten nicht.", "Wir verkaufen Ihre Daten."),
    ("M4", "Nous ne vendons pas vos données.", "Nous vendons vos données."),
    ("M4", "We encrypt data in transit.", "We protect data in transit."),
    ("M5", "We transfer data to the United States.", "We transfer data to the United States and China."),
    ("M5", "Transfers rely on standard contractual clauses.", "Transfers rely on our judgement."),
    ("M6", "The controller is Acme Ltd.", "The controller is Globex Inc."),
    ("M7", "You can access, delete or correct data on request.", "You can access or correct data on request."),
    ("M7", "Send a request by e-mail and we answer free of charge.", "Send a request and we answer, for a fee."),
    ("M7", "We respond to your request within 30 days.", "We respond to your request within 90 days."),
    ("M8", "We retain logs for 30 days.", "We retain logs for 2 years."),
    ("M8", "We retain logs for 30 days.", "We retain logs indefinitely."),
    ("M8", "Nous conservons les journaux 30 jours.", "Nous conservons les journaux 6 mois."),
    ("M9", "We do not knowingly serve children under 13.", "We do not knowingly serve children under 16."),
    ("M9", "Everybody aged 16 or older may register.", "Everybody aged 18 or older may register."),
    ("M10", "We send newsletters only if you opt in.", "We send newsletters unless you opt out."),
    ("M10", "Welcome.", "Welcome. By using the app you consent to this processing."),
    ("M11", "We process this data with your consent.", "We process this data based on our legitimate interests."),
    ("M12", "# Changes to this policy\nWe will notify you by e-mail before changes.",
     "# Changes to this policy\nChanges are effective upon posting."),
    ("M13", "We use cookies for login.", "We use cookies and tracking pixels for login."),
    ("M13", "We honour Do Not Track signals.", "We do not honour Do Not Track signals."),
    ("M14", "This policy applies to our website.", "This policy applies to our website and the Zed mobile apps."),
    ("R1", "Write to privacy@acme.example with questions.", "Write to dpo@acme.example with questions."),
    ("R2", "We keep your account details safe from misuse.", "We protect your account details against abuse."),
    ("R3", "# FAQ\nWhat do we do?", "# FAQ\nWhat do we do?\nHere is a short answer about it."),
    ("R4", "# Overview\nHello.", "# Overview\nHello.\n# California residents\nThis part covers your state."),
    ("R5", "We protect data in transit.", "We encrypt data in transit."),
    ("R6", "# A\nFirst point here.\n# B\nSecond point here.", "# B\nSecond point here.\n# A\nFirst point here."),
    ("N1", "We collect **your** name.", "We collect your name."),
    ("N1", "Intro.\nWe collect your name.", "Intro.\n#\nWe collect your name."),
    ("N2", "We colect your name.", "We collect your name."),
    ("N2", "we collect your name", "We collect your name."),
    ("N3", "Last updated: March 3, 2023\nWe collect your name.", "Last updated: May 20, 2024\nWe collect your name."),
    ("N4", "© 2023 Acme. All rights reserved.", "© 2024 Acme. All rights reserved."),
    ("N5", "Read [our terms](https://a.example/t?v=1).", "Read [our terms](https://a.example/t?v=2)."),
    ("N5", "See https://a.example/terms for details.", "See http://www.a.example/terms for details."),
    ("N6", "Session 8f3a9c2e1b7d4f60 started.", "Session 1c0d2e3f4a5b6c7d started."),
    ("N7", "## 3. Sharing\nWe share nothing.", "## 4. Sharing\nWe share nothing."),
]  # fmt: skip

NEGATIVE = [
    ("M1", "We collect your name and precise location.", "We collect your name."),
    ("M1", "We collect your name.", "We collect your name, as described, in full."),
    ("M2", "We use your data for advertising.", "We use your data for advertising only."),
    ("M3", "We share data with hosts and advertising partners.", "We share data with hosts."),
    ("M3", "We keep things simple.", "We keep things simple. We do not share data with data brokers."),
    ("M4", "We sell your personal data.", "We do not sell your personal data."),
    ("M4", "We do not sell your data.", "We never sell your data."),
    ("M4", "If you do not use the app, nothing happens.", "Nothing happens when the app is idle."),
    ("M5", "We transfer data to the United States and China.", "We transfer data to the United States."),
    ("M6", "The controller is Acme Ltd.", "The data controller is Acme Ltd."),
    ("M7", "You can access or correct data on request.", "You can access, delete or correct data on request."),
    ("M7", "We respond to your request within 90 days.", "We respond to your request within 30 days."),
    ("M8", "We retain logs for 30 days.", "We retain server logs for 30 days."),
    ("M9", "We do not knowingly serve children under 13.", "We never knowingly serve children under 13."),
    ("M10", "We send newsletters unless you opt out.", "We send newsletters only if you opt in."),
    ("M11", "We process this data based on our legitimate interests.", "We process it based on legitimate interests."),
    ("M12", "# Changes to this policy\nChanges are effective upon posting.",
     "# Changes to this policy\nWe will notify you by e-mail before changes."),
    ("M13", "We use cookies and tracking pixels.", "We use cookies."),
    ("M14", "This policy applies to our website and apps.", "This policy applies to our website."),
    ("R1", "Write to privacy@acme.example with questions.", "Write to privacy@acme.example with any questions."),
    ("R1", "Wir löschen Daten, die vor dem 1. Mai 2024 erhoben wurden.",
     "Wir löschen Daten, die vor dem 01.05.2023 erhoben wurden."),  # a numeric date is no phone number
    ("R2", "We do not sell your personal data.", "We sell your personal data."),
    ("R3", "# Overview\nWe collect data.", "# Overview\nWe collect data.\nWe also store it."),
    ("R4", "# Overview\nHello.", "# Overview\nHello.\nThis part covers your account."),
    ("R5", "We encrypt data in transit.", "We encrypt all data in transit."),
    ("R6", "# A\nFirst point here.\n# B\nSecond point here.", "# A\nFirst point now.\n# B\nSecond point here."),
    ("N1", "We collect your name.", "We collect your full name."),
    ("N2", "We collect your name.", "We collect your names and photos."),
    ("N2", "We may share your data.", "We may not share your data."),
    ("N3", "We retain logs for 30 days.", "We retain logs for 60 days."),
    ("N4", "© 2023 Acme. All rights reserved.", "© 2023 Globex. All rights reserved."),
    ("N5", "Read [our terms](https://a.example/t).", "Read [our new terms](https://a.example/t)."),
    ("N6", "Session 8f3a9c2e1b7d4f60 started.", "Session 8f3a9c2e1b7d4f60 ended."),
    ("N7", "## 3. Sharing\nWe share nothing.", "## 3. Disclosure\nWe share nothing."),
]  # fmt: skip


def _rules(old: str, new: str) -> tuple[str, ...]:
    return classify(semantic_diff(old, new)).rules


def test_every_rule_has_a_positive_and_a_negative_fixture() -> None:
    assert {rule for rule, _, _ in POSITIVE} == set(RULES) == {rule for rule, _, _ in NEGATIVE}


@pytest.mark.parametrize(("rule", "old", "new"), POSITIVE)
def test_rule_fires(rule: str, old: str, new: str) -> None:
    assert rule in _rules(old, new)


@pytest.mark.parametrize(("rule", "old", "new"), NEGATIVE)
def test_rule_does_not_fire(rule: str, old: str, new: str) -> None:
    assert rule not in _rules(old, new)


def test_registry_lists_id_severity_title_and_doc() -> None:
    assert list(RULES)[:3] == ["M1", "M2", "M3"]
    for rule_id, rule in RULES.items():
        assert rule.kind == rule_id and rule.severity == {"M": "MATERIAL", "R": "REVIEW", "N": "NOISE"}[rule_id[0]]
        assert rule.title and rule.__doc__


def _dates(updated: str | None = None, effective: str | None = None, upcoming: bool = False) -> PolicyDates:
    return PolicyDates(
        updated=DetectedDate("updated", updated, updated, "day") if updated else None,
        effective=DetectedDate("effective", effective, effective, "day", upcoming=upcoming) if effective else None,
    )


def test_date_only_change_is_noise_with_a_note() -> None:
    old = "# Privacy\nLast updated: March 3, 2023\nWe collect your name."
    new = "# Privacy\nLast updated: May 20, 2024\nWe collect your name."
    result = classify(semantic_diff(old, new), old_dates=_dates("2023-03-03"), new_dates=_dates("2024-05-20"))
    assert (result.severity, result.rules) == ("NOISE", ("N3",))
    assert result.notes == ("only the date changed (now 2024-05-20)",)
    assert result.headline == "only the date changed (now 2024-05-20)"


def test_change_without_a_date_update_is_noted() -> None:
    diff = semantic_diff("We share data with hosts.", "We share data with hosts and advertising partners.")
    result = classify(diff, old_dates=_dates("2023-03-03"), new_dates=_dates("2023-03-03"))
    assert result.severity == "MATERIAL"
    assert "changed without updating its date" in result.notes
    moved_date = classify(diff, old_dates=_dates("2023-03-03"), new_dates=_dates("2024-01-01"))
    assert "changed without updating its date" not in moved_date.notes


def test_upcoming_effective_date_is_noted() -> None:
    diff = semantic_diff("We keep logs.", "We keep logs for a while.")
    result = classify(diff, new_dates=_dates(effective="2030-04-04", upcoming=True))
    assert "takes effect on 2030-04-04" in result.notes
    assert "takes effect on 2030-04-04" not in classify(diff, new_dates=_dates(effective="2020-04-04")).notes


def test_severity_is_the_maximum_over_sentences() -> None:
    old = "# Sharing\nWe share data with hosts.\n# Other\nWe like tea.\nWe colect names."
    new = "# Sharing\nWe share data with hosts and data brokers.\n# Other\nWe like coffee.\nWe collect names."
    result = classify(semantic_diff(old, new))
    assert result.severity == "MATERIAL"
    assert set(result.rules) == {"M3", "R2", "N2"}
    assert result.headline == "new sharing with data brokers in Sharing (+1 more change)"
    assert classify(semantic_diff("We like tea.\nWe colect names.", "We like coffee.\nWe collect names.")).severity == (
        "REVIEW"
    )
    assert classify(semantic_diff("We colect names.", "We collect names.")).severity == "NOISE"


def test_unexplained_change_is_review_not_noise() -> None:
    result = classify(semantic_diff("# Sharing\nWe like tea.\nWe eat cake.", "# Sharing\nWe like coffee.\nWe eat pie."))
    assert (result.severity, result.rules) == ("REVIEW", ("R2",))
    assert result.headline == "2 sentences reworded in Sharing"


def test_large_change_is_noted() -> None:
    old = "\n".join(f"Topic {i} is handled by team {i}." for i in range(120))
    new = "\n".join(f"Subject {i} goes to group {i} now." for i in range(120))
    assert "large change: 240 sentences changed" in classify(semantic_diff(old, new)).notes
    assert not any("large" in note for note in classify(semantic_diff(old, old + "\nMore.")).notes)


def test_empty_diff_is_noise_without_rules() -> None:
    result = classify(semantic_diff("We  collect it.", "We collect it."))
    assert (result.severity, result.rules, result.headline) == ("NOISE", (), "no change")


def test_evidence_names_the_terms() -> None:
    result = classify(semantic_diff("We do not sell your data.", "We may sell your data."))
    assert result.evidence == (
        Evidence("M4", "We do not sell your data.", "We may sell your data.", ("not to sell", "now “may”")),
    )


def test_classification_round_trips_through_dict() -> None:
    result = classify(semantic_diff("We retain logs for 30 days.", "We retain logs indefinitely."))
    assert Classification.from_dict(result.to_dict()) == result
    assert result.to_dict()["evidence"][0]["terms"] == ["30 days → none", "indefinitely"]


# --- families of failure seen on real histories (invented examples, real shapes) ----------------------------
# (family, old, new, expected severity): each family has a positive case and a negative one of the same shape,
# in English, German and French.
_CTX = "# How we use your information\nWe care about your privacy.\n"
_CTX_DE = "# Wie wir Ihre Daten verwenden\nIhre Privatsphäre ist uns wichtig.\n"
_CTX_FR = "# Comment nous utilisons vos données\nVotre vie privée compte pour nous.\n"
FAMILIES = [
    ("qualifier dropped", "We encrypt your data in transit and at rest.", "We encrypt your data in transit.",
     "MATERIAL"),
    ("qualifier dropped", "We encrypt your data in transit.", "We encrypt your data in transit and at rest.",
     "REVIEW"),
    ("period made vague", "We delete your messages after 90 days.", "We keep your messages as long as necessary.",
     "MATERIAL"),
    ("period made vague", "We delete your messages after 90 days.", "We erase your messages after 90 days.",
     "REVIEW"),
    ("choice model", "To use the app, you must allow Bluetooth access.",
     "We may ask you to allow Bluetooth access, and you can refuse.", "MATERIAL"),
    ("choice model", "We may ask you to allow Bluetooth access, and you can refuse.",
     "To use the app, you must allow Bluetooth access.", "MATERIAL"),
    ("choice model", "To use the app, you must allow Bluetooth access.",
     "You must allow Bluetooth access to use the app.", "REVIEW"),
    ("storage countries", "Your data is stored on servers in Germany and Ireland.",
     "Your data is stored on servers in Germany, Ireland and Singapore.", "MATERIAL"),
    ("storage countries", "Your data is stored on servers in Germany, Ireland and Singapore.",
     "Your data is stored on servers in Germany and Ireland.", "MATERIAL"),
    ("storage countries", "Your data is stored on servers in Germany and Ireland.",
     "Your data is kept on servers in Ireland and Germany.", "REVIEW"),
    ("rights channel", "To delete your account, write to privacy@acme.example.",
     "To delete your account, write to privacy@acme.example or use the form at acme.example/delete.", "MATERIAL"),
    ("rights channel", "Send deletion requests to privacy@acme.example.",
     "Send deletion requests through the web form in the app.", "MATERIAL"),
    ("rights channel", "Send deletion requests to privacy@acme.example.",
     "Please send your deletion requests to privacy@acme.example.", "REVIEW"),
    ("new use of existing data", _CTX + "We use your location to show profiles near you.",
     _CTX + "We use your location to show profiles near you and to estimate your home town.", "MATERIAL"),
    ("new use of existing data", _CTX + "- To show profiles near you",
     _CTX + "- To show profiles near you\n- To test new features", "MATERIAL"),
    ("new use of existing data", _CTX + "We use your location to show profiles near you.",
     _CTX + "We use your location to show you profiles that are near you.", "REVIEW"),
    ("new use of existing data", _CTX + "We use your payment data to help us detect fraud.",
     _CTX + "We use your payment data to help us prevent fraud.", "REVIEW"),
    ("new audience", "Your matches can see your profile.", "Users nearby can see your profile and your distance.",
     "MATERIAL"),
    ("new audience", "Only your matches can see your profile.", "Your profile can only be seen by your matches.",
     "REVIEW"),
    ("who may use a right", "If you live in Virginia, you may appeal our decision.",
     "If you live in Virginia, Texas or Oregon, you may appeal our decision.", "MATERIAL"),
    ("who may use a right", "If you live in Virginia or Texas, you may appeal our decision.",
     "If you live in Texas or Virginia, you may appeal our decision.", "REVIEW"),
    ("new representative", "# Contact\nWrite to us at privacy@acme.example.",
     "# Contact\nWrite to us at privacy@acme.example.\nUK GDPR Representative: Prighter Group", "MATERIAL"),
    ("new representative", "# Contact\nUK GDPR Representative: Prighter Group",
     "# Contact\nUK GDPR representative: Prighter Group.", "NOISE"),
    # cosmetic changes: markup, links, obfuscation, typos, date formats, duplicates, negation
    ("markup", "## How we share data\nWe share data with hosts.",
     "## **How We Share Data**\nWe share data with hosts.", "NOISE"),
    ("markup", "## How we share data\nWe share data with hosts.",
     "## **Who receives data**\nWe share data with hosts.", "REVIEW"),
    ("list spacing", "# Data\n1.  Your name\n-   Your e-mail", "# Data\n1. Your name\n- Your e-mail", "NOISE"),
    ("list spacing", "# Data\n1. Your name\n- Your e-mail", "# Data\n1. Your name\n- Your e-mail\n- Your photos",
     "MATERIAL"),
    ("duplicate line", "We collect your name.\nWe collect your name.\nWe share it with hosts.",
     "We collect your name.\nWe share it with hosts.", "NOISE"),
    ("duplicate line", "We collect your name.\nWe collect your e-mail.\nWe share it with hosts.",
     "We collect your name.\nWe share it with hosts.", "REVIEW"),
    ("link target", "Read [our FAQ](https://acme.example/faq/1) about profiling.",
     "Read [our FAQ](https://acme.example/help/privacy) about profiling.", "NOISE"),
    ("link target", "To delete your data, [contact us](mailto:privacy@acme.example).",
     "To delete your data, [contact us](https://acme.example/forms/delete).", "MATERIAL"),
    ("https", "Read [our terms](http://acme.example/terms).", "Read [our terms](https://acme.example/terms).",
     "NOISE"),
    ("e-mail obfuscation", "Write to dpo [at] acme [dot] example with questions.",
     "Write to dpo@acme.example with questions.", "NOISE"),
    ("e-mail obfuscation", "Write to dpo [at] acme [dot] example with questions.",
     "Write to privacy@acme.example with questions.", "REVIEW"),
    ("e-mail obfuscation", "Contact our DPO at [[email protected]](https://acme.example/cdn-cgi/l/email-protection#1a2b).",
     "Contact our DPO at [dpo@acme.example](mailto:dpo@acme.example).", "NOISE"),
    ("e-mail obfuscation", "Contact our DPO at [dpo@acme.example](mailto:dpo@acme.example).",
     "Contact our DPO at [gdpr@acme.example](mailto:gdpr@acme.example).", "REVIEW"),
    ("a/an typo", "We collect a e-mail address.", "We collect an e-mail address.", "NOISE"),
    ("a/an typo", "We collect a e-mail address.", "We collect no e-mail address.", "REVIEW"),
    ("same day, other format", "This policy applies from 1 May 2024.", "This policy applies from May 1, 2024.",
     "NOISE"),
    ("same day, other format", "We delete data collected before 1 May 2024.",
     "We delete data collected before 1 May 2023.", "REVIEW"),
    ("negation", "We collect your name.", "We collect your name. We do not collect ID documents.", "REVIEW"),
    ("negation", "We collect your name.", "We collect your name. We collect ID documents.", "MATERIAL"),
    ("negation", "Wir erheben Ihren Namen.", "Wir erheben Ihren Namen. Ausweisdokumente erheben wir nicht.",
     "REVIEW"),
    ("negation", "Nous collectons votre nom.",
     "Nous collectons votre nom. Nous ne collectons jamais votre pièce d'identité.", "REVIEW"),
    # the same families in German and French (a positive and a near-miss of the same shape each)
    ("qualifier dropped", "Wir verschlüsseln Ihre Daten bei der Übertragung und im Ruhezustand.",
     "Wir verschlüsseln Ihre Daten bei der Übertragung.", "MATERIAL"),
    ("qualifier dropped", "Wir verschlüsseln Ihre Daten bei der Übertragung.",
     "Wir verschlüsseln Ihre Daten bei der Übertragung und im Ruhezustand.", "REVIEW"),
    ("qualifier dropped", "Nous chiffrons vos données en transit et au repos.",
     "Nous chiffrons vos données en transit.", "MATERIAL"),
    ("qualifier dropped", "Nous chiffrons vos données en transit.",
     "Nous chiffrons vos données en transit et au repos.", "REVIEW"),
    ("period made vague", "Wir löschen Ihre Nachrichten nach 90 Tagen.",
     "Wir speichern Ihre Nachrichten so lange wie nötig.", "MATERIAL"),
    ("period made vague", "Wir löschen Ihre Nachrichten nach 90 Tagen.",
     "Wir entfernen Ihre Nachrichten nach 90 Tagen.", "REVIEW"),
    ("period made vague", "Nous supprimons vos messages après 90 jours.",
     "Nous conservons vos messages aussi longtemps que nécessaire.", "MATERIAL"),
    ("period made vague", "Nous supprimons vos messages après 90 jours.", "Nous effaçons vos messages après 90 jours.",
     "REVIEW"),
    ("choice model", "Um die App zu nutzen, müssen Sie den Bluetooth-Zugriff erlauben.",
     "Wir können Sie bitten, den Bluetooth-Zugriff zu erlauben, und Sie können ablehnen.", "MATERIAL"),
    ("choice model", "Wir können Sie bitten, den Bluetooth-Zugriff zu erlauben, und Sie können ablehnen.",
     "Um die App zu nutzen, müssen Sie den Bluetooth-Zugriff erlauben.", "MATERIAL"),
    ("choice model", "Um die App zu nutzen, müssen Sie den Bluetooth-Zugriff erlauben.",
     "Sie müssen den Bluetooth-Zugriff erlauben, um die App zu nutzen.", "REVIEW"),
    ("choice model", "Pour utiliser l'application, vous devez autoriser l'accès Bluetooth.",
     "Nous pouvons vous demander d'autoriser l'accès Bluetooth, et vous pouvez refuser.", "MATERIAL"),
    ("choice model", "Nous pouvons vous demander d'autoriser l'accès Bluetooth, et vous pouvez refuser.",
     "Pour utiliser l'application, vous devez autoriser l'accès Bluetooth.", "MATERIAL"),
    ("choice model", "Pour utiliser l'application, vous devez autoriser l'accès Bluetooth.",
     "Vous devez autoriser l'accès Bluetooth pour utiliser l'application.", "REVIEW"),
    ("storage countries", "Ihre Daten werden auf Servern in Deutschland und Irland gespeichert.",
     "Ihre Daten werden auf Servern in Deutschland, Irland und Singapur gespeichert.", "MATERIAL"),
    ("storage countries", "Ihre Daten werden auf Servern in Deutschland, Irland und Singapur gespeichert.",
     "Ihre Daten werden auf Servern in Deutschland und Irland gespeichert.", "MATERIAL"),
    ("storage countries", "Ihre Daten werden auf Servern in Deutschland und Irland gespeichert.",
     "Ihre Daten liegen auf Servern in Irland und Deutschland.", "REVIEW"),
    ("storage countries", "Vos données sont stockées sur des serveurs en Allemagne et en Irlande.",
     "Vos données sont stockées sur des serveurs en Allemagne, en Irlande et à Singapour.", "MATERIAL"),
    ("storage countries", "Vos données sont stockées sur des serveurs en Allemagne, en Irlande et à Singapour.",
     "Vos données sont stockées sur des serveurs en Allemagne et en Irlande.", "MATERIAL"),
    ("storage countries", "Vos données sont stockées sur des serveurs en Allemagne et en Irlande.",
     "Vos données sont hébergées sur des serveurs en Irlande et en Allemagne.", "REVIEW"),
    ("rights channel", "Senden Sie Löschanfragen an privacy@acme.example.",
     "Senden Sie Löschanfragen über das Webformular in der App.", "MATERIAL"),
    ("rights channel", "Senden Sie Löschanfragen an privacy@acme.example.",
     "Bitte senden Sie Ihre Löschanfragen an privacy@acme.example.", "REVIEW"),
    ("rights channel", "Envoyez vos demandes de suppression à privacy@acme.example.",
     "Envoyez vos demandes de suppression via le formulaire web de l'application.", "MATERIAL"),
    ("rights channel", "Envoyez vos demandes de suppression à privacy@acme.example.",
     "Veuillez envoyer vos demandes de suppression à privacy@acme.example.", "REVIEW"),
    ("new use of existing data", _CTX_DE + "Wir verwenden Ihren Standort, um Ihnen Profile in Ihrer Nähe zu zeigen.",
     _CTX_DE + "Wir verwenden Ihren Standort, um Ihnen Profile in Ihrer Nähe zu zeigen und Ihren Wohnort zu schätzen.",
     "MATERIAL"),
    ("new use of existing data", _CTX_DE + "- Um Ihnen Profile in Ihrer Nähe zu zeigen",
     _CTX_DE + "- Um Ihnen Profile in Ihrer Nähe zu zeigen\n- Um neue Funktionen zu testen", "MATERIAL"),
    ("new use of existing data", _CTX_DE + "Wir verwenden Ihren Standort, um Ihnen Profile in Ihrer Nähe zu zeigen.",
     _CTX_DE + "Wir verwenden Ihren Standort, um Ihnen Profile anzuzeigen, die in Ihrer Nähe sind.", "REVIEW"),
    ("new use of existing data", _CTX_DE + "Wir verwenden Ihre Zahlungsdaten, um Betrug zu erkennen.",
     _CTX_DE + "Wir verwenden Ihre Zahlungsdaten, um Betrug zu verhindern.", "REVIEW"),
    ("new use of existing data", _CTX_FR + "Nous utilisons votre position pour afficher des profils près de vous.",
     _CTX_FR + "Nous utilisons votre position pour afficher des profils près de vous et pour estimer votre ville.",
     "MATERIAL"),
    ("new use of existing data", _CTX_FR + "- Pour afficher des profils près de vous",
     _CTX_FR + "- Pour afficher des profils près de vous\n- Pour tester de nouvelles fonctionnalités", "MATERIAL"),
    ("new use of existing data", _CTX_FR + "Nous utilisons votre position pour afficher des profils près de vous.",
     _CTX_FR + "Nous utilisons votre position pour vous afficher des profils qui sont près de vous.", "REVIEW"),
    ("new use of existing data", _CTX_FR + "Nous utilisons vos paiements pour nous aider à détecter la fraude.",
     _CTX_FR + "Nous utilisons vos paiements pour nous aider à prévenir la fraude.", "REVIEW"),
    ("new audience", "Ihre Matches können Ihr Profil sehen.",
     "Nutzer in der Nähe können Ihr Profil und Ihre Entfernung sehen.", "MATERIAL"),
    ("new audience", "Nur Ihre Matches können Ihr Profil sehen.", "Ihr Profil ist nur für Ihre Matches sichtbar.",
     "REVIEW"),
    ("new audience", "Vos matchs peuvent voir votre profil.",
     "Les utilisateurs à proximité peuvent voir votre profil et votre distance.", "MATERIAL"),
    ("new audience", "Seuls vos matchs peuvent voir votre profil.",
     "Votre profil est visible uniquement par vos matchs.", "REVIEW"),
    ("who may use a right", "Wenn Sie in Virginia leben, können Sie gegen unsere Entscheidung Beschwerde einlegen.",
     "Wenn Sie in Virginia, Texas oder Oregon leben, können Sie gegen unsere Entscheidung Beschwerde einlegen.",
     "MATERIAL"),
    ("who may use a right", "Wenn Sie in Virginia oder Texas leben, können Sie Beschwerde einlegen.",
     "Wenn Sie in Texas oder Virginia leben, können Sie Beschwerde einlegen.", "REVIEW"),
    ("who may use a right", "Si vous vivez au Texas, vous pouvez introduire un recours contre notre décision.",
     "Si vous vivez au Texas, en Oregon ou au Colorado, vous pouvez introduire un recours contre notre décision.",
     "MATERIAL"),
    ("who may use a right", "Si vous vivez au Texas ou en Oregon, vous pouvez introduire un recours.",
     "Si vous vivez en Oregon ou au Texas, vous pouvez introduire un recours.", "REVIEW"),
    ("new representative", "# Kontakt\nSchreiben Sie uns an privacy@acme.example.",
     "# Kontakt\nSchreiben Sie uns an privacy@acme.example.\nVertreter im Vereinigten Königreich: Prighter Group",
     "MATERIAL"),
    ("new representative", "# Kontakt\nVertreter im Vereinigten Königreich: Prighter Group",
     "# Kontakt\nVertreter im Vereinigten Königreich: Prighter Group.", "NOISE"),
    ("new representative", "# Contact\nÉcrivez-nous à privacy@acme.example.",
     "# Contact\nÉcrivez-nous à privacy@acme.example.\nReprésentant au Royaume-Uni : Prighter Group", "MATERIAL"),
    ("new representative", "# Contact\nReprésentant au Royaume-Uni : Prighter Group",
     "# Contact\nreprésentant au Royaume-Uni : Prighter Group.", "NOISE"),
    ("markup", "## Wie wir Daten teilen\nWir teilen Daten mit Hostern.",
     "## **Wie Wir Daten Teilen**\nWir teilen Daten mit Hostern.", "NOISE"),
    ("markup", "## Wie wir Daten teilen\nWir teilen Daten mit Hostern.",
     "## **Wer Daten erhält**\nWir teilen Daten mit Hostern.", "REVIEW"),
    ("markup", "## Comment nous partageons\nNous partageons avec des hébergeurs.",
     "## **Comment Nous Partageons**\nNous partageons avec des hébergeurs.", "NOISE"),
    ("markup", "## Comment nous partageons\nNous partageons avec des hébergeurs.",
     "## **Qui reçoit les données**\nNous partageons avec des hébergeurs.", "REVIEW"),
    ("list spacing", "# Daten\n1.  Ihr Name\n-   Ihre E-Mail", "# Daten\n1. Ihr Name\n- Ihre E-Mail", "NOISE"),
    ("list spacing", "# Daten\n1. Ihr Name\n- Ihre E-Mail", "# Daten\n1. Ihr Name\n- Ihre E-Mail\n- Ihre Fotos",
     "MATERIAL"),
    ("list spacing", "# Données\n1.  Votre nom\n-   Votre e-mail", "# Données\n1. Votre nom\n- Votre e-mail", "NOISE"),
    ("list spacing", "# Données\n1. Votre nom\n- Votre e-mail",
     "# Données\n1. Votre nom\n- Votre e-mail\n- Vos photos", "MATERIAL"),
    ("duplicate line", "Wir erheben Ihren Namen.\nWir erheben Ihren Namen.\nWir teilen ihn mit Hostern.",
     "Wir erheben Ihren Namen.\nWir teilen ihn mit Hostern.", "NOISE"),
    ("duplicate line", "Wir erheben Ihren Namen.\nWir erheben Ihre E-Mail-Adresse.\nWir teilen sie mit Hostern.",
     "Wir erheben Ihren Namen.\nWir teilen sie mit Hostern.", "REVIEW"),
    ("duplicate line", "Nous collectons votre nom.\nNous collectons votre nom.\nNous le partageons avec des hôtes.",
     "Nous collectons votre nom.\nNous le partageons avec des hôtes.", "NOISE"),
    ("duplicate line", "Nous collectons votre nom.\nNous collectons votre e-mail.\nNous le partageons avec des hôtes.",
     "Nous collectons votre nom.\nNous le partageons avec des hôtes.", "REVIEW"),
    ("link target", "Lesen Sie [unsere FAQ](https://acme.example/faq/1) zum Profiling.",
     "Lesen Sie [unsere FAQ](https://acme.example/hilfe/datenschutz) zum Profiling.", "NOISE"),
    ("link target", "Um Ihre Daten zu löschen, [kontaktieren Sie uns](mailto:privacy@acme.example).",
     "Um Ihre Daten zu löschen, [kontaktieren Sie uns](https://acme.example/formulare/loeschen).", "MATERIAL"),
    ("link target", "Lisez [notre FAQ](https://acme.example/faq/1) sur le profilage.",
     "Lisez [notre FAQ](https://acme.example/aide/confidentialite) sur le profilage.", "NOISE"),
    ("link target", "Pour supprimer vos données, [contactez-nous](mailto:privacy@acme.example).",
     "Pour supprimer vos données, [contactez-nous](https://acme.example/formulaires/suppression).", "MATERIAL"),
    ("https", "Lesen Sie [unsere AGB](http://acme.example/agb).", "Lesen Sie [unsere AGB](https://acme.example/agb).",
     "NOISE"),
    ("https", "Lesen Sie [unsere AGB](http://acme.example/agb).",
     "Lesen Sie [unsere neuen AGB](https://acme.example/agb).", "REVIEW"),
    ("https", "Lisez [nos conditions](http://acme.example/cgu).", "Lisez [nos conditions](https://acme.example/cgu).",
     "NOISE"),
    ("https", "Lisez [nos conditions](http://acme.example/cgu).",
     "Lisez [nos nouvelles conditions](https://acme.example/cgu).", "REVIEW"),
    ("e-mail obfuscation", "Schreiben Sie an dpo [at] acme [punkt] example.", "Schreiben Sie an dpo@acme.example.",
     "NOISE"),
    ("e-mail obfuscation", "Schreiben Sie an dpo [at] acme [punkt] example.",
     "Schreiben Sie an privacy@acme.example.", "REVIEW"),
    ("e-mail obfuscation", "Écrivez à dpo (at) acme (point) example.", "Écrivez à dpo@acme.example.", "NOISE"),
    ("e-mail obfuscation", "Écrivez à dpo (at) acme (point) example.", "Écrivez à privacy@acme.example.", "REVIEW"),
    ("typo", "Wir erheben Ihre E-Mail-Adrese.", "Wir erheben Ihre E-Mail-Adresse.", "NOISE"),
    ("typo", "Wir erheben Ihre E-Mail-Adrese nicht.", "Wir erheben Ihre E-Mail-Adresse.", "MATERIAL"),
    ("typo", "Nous collectons votre adresse e-mial.", "Nous collectons votre adresse e-mail.", "NOISE"),
    ("typo", "Nous ne collectons pas votre adresse e-mial.", "Nous collectons votre adresse e-mail.", "MATERIAL"),
    ("same day, other format", "Diese Richtlinie gilt ab dem 1. Mai 2024.", "Diese Richtlinie gilt ab dem 01.05.2024.",
     "NOISE"),
    ("same day, other format", "Wir löschen Daten, die vor dem 1. Mai 2024 erhoben wurden.",
     "Wir löschen Daten, die vor dem 01.05.2023 erhoben wurden.", "REVIEW"),
    ("same day, other format", "Cette politique s'applique à partir du 1er mai 2024.",
     "Cette politique s'applique à partir du 01/05/2024.", "NOISE"),
    ("same day, other format", "Nous supprimons les données collectées avant le 1er mai 2024.",
     "Nous supprimons les données collectées avant le 05/01/2024.", "REVIEW"),
    ("negation", "Wir erheben Ihren Namen.", "Wir erheben Ihren Namen. Wir erheben keine Ausweisdokumente.", "REVIEW"),
    ("negation", "Wir erheben Ihren Namen.", "Wir erheben Ihren Namen. Wir erheben Ausweisdokumente.", "MATERIAL"),
    ("negation", "Nous collectons votre nom.", "Nous collectons votre nom. Nous collectons votre pièce d'identité.",
     "MATERIAL"),
    ("negation", "Nous collectons votre nom.", "Nous collectons votre nom. Nous ne collectons aucune pièce d'identité.",
     "REVIEW"),
]  # fmt: skip


@pytest.mark.parametrize(("family", "old", "new", "severity"), FAMILIES)
def test_families(family: str, old: str, new: str, severity: str) -> None:
    result = classify(semantic_diff(old, new))
    assert result.severity == severity, (family, result.rules, result.evidence)


def test_a_text_dated_before_the_current_one_is_a_variant_not_an_alert() -> None:
    diff = semantic_diff("We share data with hosts.", "We share data with hosts and data brokers.")
    result = classify(diff, old_dates=_dates("2021-06"), new_dates=_dates("2021-05"))
    assert (result.severity, result.rules) == ("NOISE", ("N6",))
    assert result.notes[0].startswith("dated 2021-05, before 2021-06")
    later = classify(diff, old_dates=_dates("2021-05"), new_dates=_dates("2021-06"))
    assert later.severity == "MATERIAL"
    other_kind = classify(diff, old_dates=_dates("2021-06"), new_dates=_dates(effective="2021-05"))
    assert other_kind.severity == "MATERIAL"


@pytest.mark.parametrize(
    ("old", "new", "severity"),
    [
        ("This policy applies from 1 May 2024.\nThe previous version applies until then.\nWe collect names.",
         "We collect names.", "NOISE"),  # the announcement lines went
        ("We collect names.", "We collect names.\nThe [previous version](https://a.example/p-2023) is archived.",
         "NOISE"),
        ("We collect names.", "We collect names.\nThe previous version also lets us share data with data brokers.",
         "MATERIAL"),  # a practice, however it is introduced
    ],
)  # fmt: skip
def test_sentences_that_only_date_the_document(old: str, new: str, severity: str) -> None:
    assert classify(semantic_diff(old, new)).severity == severity


def test_sections_missing_from_a_page_its_contents_list_are_not_alerted() -> None:
    policy = "# Policy\n- 1. Data\n- 2. Rights\n## 1. Data\nWe collect your name.\n## 2. Rights\nYou may delete data."
    broken = policy.replace("## 2. Rights\nYou may delete data.", "")
    assert classify(semantic_diff(policy, broken)).severity == "NOISE"
    dropped = broken.replace("- 2. Rights\n", "")
    assert classify(semantic_diff(policy, dropped)).severity == "MATERIAL"  # the contents agree: rights removed
