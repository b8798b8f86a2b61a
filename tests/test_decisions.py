"""Change decisions on synthetic pages: unchanged, flip-flops, reversions that hold, new versions,
every kind of inaccessible page, suspect texts held until confirmed, ignore rules, and incidents
opened once and resolved by the next good fetch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from crawler.results import FetchResult
from monitor.app.context import attach_outbox
from monitor.app.cycle import PlannedDocument
from monitor.app.events import Events
from monitor.app.record import Recorded, record_fetch
from monitor.app.technical import Reextracted, reextract_document
from monitor.config import AlertsConfig, ChangesConfig, ChannelConfig, Config, DocumentConfig, VendorConfig
from monitor.judge.decide import Known, decide
from monitor.judge.ignore import NO_RULES, IgnoreRules
from monitor.judge.inaccessible import CHECKS, Page, first_failure
from storage.db import open_database, session_scope
from storage.documents import sync_documents
from storage.models import Change, Document, Incident, Outbox, Snapshot, Version
from storage.versions import last_seen

T0 = datetime(2025, 3, 1, tzinfo=UTC)
DOC = DocumentConfig(type="privacy_policy", url="https://acme.test/privacy", language="en")
SETTINGS = ChangesConfig(flipflop_window=5, flipflop_confirmations=3)

BASE = [
    "Acme Privacy Policy",
    "Last updated: March 1, 2025",
    "We collect your name and e-mail address when you create an account.",
    "We use your e-mail address to send you service messages about your account.",
    "We share data with our hosting provider, which processes it on our behalf.",
    "We do not sell personal information to anyone.",
    "We keep account data until you delete your account, and logs for 30 days.",
    "You can ask us for a copy of your data or ask us to delete it at any time.",
    "Write to the Acme privacy team through the help page of the app to exercise your rights.",
    "We protect your data with encryption in transit and at rest, and with strict access controls for our staff.",
    "Children under 16 may not create an account, and we delete data we learn was given by a child.",
    "When we change this policy we will tell you by e-mail at least thirty days before the change applies.",
    "Our servers are located in the European Union, and we do not transfer your data outside of it.",
]


def page(lines: list[str], *, lang: str = "en", nonce: str = "") -> bytes:
    body = "".join(f"<p>{line}</p>" for line in lines)
    return f"<html lang='{lang}'><body><main>{body}</main><script>var n='{nonce}'</script></body></html>".encode()


def edited(**replacements: str) -> list[str]:
    lines = list(BASE)
    for old, new in replacements.items():
        index = int(old.removeprefix("line"))
        lines[index] = new
    return lines


SELLS = edited(line5="We may sell personal information to advertising partners.")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[tuple[Engine, int]]:
    engine = open_database(f"sqlite:///{tmp_path}/decisions.db")
    with session_scope(engine) as session:
        wanted = Document(vendor_id="acme", type="privacy_policy", url=DOC.url, language="en")
        doc = sync_documents(session, {"acme": "Acme"}, [wanted])
        document_id = doc[("acme", "privacy_policy")].id
    assert document_id is not None
    yield engine, document_id


class Fetcher:
    """Feeds pages to the recorder, one fetch an hour."""

    def __init__(self, engine: Engine, document_id: int, ignore: IgnoreRules = NO_RULES) -> None:
        self.engine, self.document_id, self.count, self.ignore = engine, document_id, 0, ignore

    def __call__(self, body: bytes | None, outcome: str = "ok", status: int = 200) -> Recorded:
        self.count += 1
        result = FetchResult(
            key="1",
            requested_url=DOC.url,
            final_url=DOC.url,
            outcome=outcome,
            status=status,
            content_type="text/html; charset=utf-8",
            body=body,
            error=None if outcome == "ok" else f"{outcome} happened",
            fetched_at=T0 + timedelta(hours=self.count),
        )
        with session_scope(self.engine) as session:
            return record_fetch(session, Events(), self.document_id, DOC, result, SETTINGS, ignore=self.ignore)

    def rows(self, model: type) -> list:
        with Session(self.engine) as session:
            return list(session.exec(select(model)))


@pytest.fixture
def fetch(db: tuple[Engine, int]) -> Fetcher:
    return Fetcher(*db)


def test_first_unchanged_and_new_version(fetch: Fetcher) -> None:
    assert fetch(page(BASE, nonce="a")).decision == "first_version"
    again = fetch(page(BASE, nonce="b"))
    assert again.decision == "unchanged" and again.version_seq == 1
    changed = fetch(page(SELLS))
    assert (changed.decision, changed.version_seq, changed.severity) == ("new_version", 2, "MATERIAL")
    assert "M4" in changed.rules
    (change,) = fetch.rows(Change)
    assert change.kind == "new_version" and change.diff["units"]
    versions = fetch.rows(Version)
    with Session(fetch.engine) as session:
        assert last_seen(session, versions)[versions[0].id] == T0 + timedelta(hours=2)


def test_flip_flop_is_not_alerted_until_it_holds(fetch: Fetcher) -> None:
    fetch(page(BASE))
    fetch(page(SELLS))
    flips = [fetch(page(BASE)), fetch(page(BASE))]
    assert [r.decision for r in flips] == ["flip_flop", "flip_flop"]
    assert all(r.severity is None and r.version_seq == 1 for r in flips)
    held = fetch(page(BASE))
    assert held.decision == "reverted" and held.version_seq == 3
    assert held.headline == f"reverted to the version of {(T0 + timedelta(hours=1)).date().isoformat()}"
    assert [c.kind for c in fetch.rows(Change)] == ["new_version", "reversion"]


def test_flip_flop_interrupted_by_the_current_text_starts_over(fetch: Fetcher) -> None:
    fetch(page(BASE))
    fetch(page(SELLS))
    decisions = [fetch(page(text)).decision for text in (BASE, BASE, SELLS, BASE, BASE)]
    assert decisions == ["flip_flop", "flip_flop", "unchanged", "flip_flop", "flip_flop"]
    assert len(fetch.rows(Version)) == 2


def test_a_return_with_a_real_addition_is_a_new_version() -> None:
    a = Known(1, "\n".join(BASE), "a")
    b = Known(2, "\n".join(SELLS), "b")
    plus = "\n".join([*BASE, "If you live in Brazil, write to our data protection officer at dpo@acme.test."])
    assert decide(plus, "c", b, [a], lambda _id: 0, 3).kind == "new_version"
    typo = "\n".join(BASE).replace("at any time.", "at any time .")
    assert decide(typo, "d", b, [a], lambda _id: 0, 3).kind == "flip_flop"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"<html><body><script>x()</script></body></html>", "empty"),
        (page(["Please sign in to continue."]), "login_wall"),
        (page(["Please enable cookies to continue to this page."]), "cookie_wall"),
        (page(["You need to enable JavaScript to run this app."]), "script_required"),
        (page(["Privacy"]), "too_short"),
    ],
)
def test_pages_that_are_not_the_policy_are_inaccessible(fetch: Fetcher, body: bytes, kind: str) -> None:
    fetch(page(BASE))
    recorded = fetch(body)
    assert (recorded.decision, recorded.outcome, recorded.version_seq) == ("inaccessible", kind, None)
    assert recorded.incident == "opened"
    assert fetch(body).decision == "inaccessible"  # however long it lasts, a wall is never a version
    assert len(fetch.rows(Version)) == 1 and not fetch.rows(Change)


FRENCH = [
    "Politique de confidentialité d'Acme",
    "Nous collectons votre nom et votre adresse e-mail lorsque vous créez un compte chez nous.",
    "Nous utilisons votre adresse pour vous envoyer des messages de service sur votre compte.",
    "Nous partageons les données avec notre hébergeur, qui les traite pour notre compte et selon nos "
    "instructions, et nous ne vendons pas vos données personnelles à qui que ce soit.",
    "Vous pouvez nous demander une copie de vos données ou leur suppression à tout moment.",
]
SOURCE = "".join(f"&lt;div class=&quot;policy&quot;&gt;&lt;p&gt;{line}&lt;/p&gt;&lt;/div&gt;" for line in BASE)
BROKEN = [
    (page(BASE[2:6]), "mostly_gone"),
    (page(FRENCH, lang="fr"), "other_language"),
    (f"<html lang='en'><body><main><pre>{SOURCE}</pre></main></body></html>".encode(), "markup_as_text"),
]


@pytest.mark.parametrize(("body", "kind"), BROKEN)
def test_a_broken_looking_text_is_held_until_the_next_fetch_confirms_it(fetch: Fetcher, body: bytes, kind: str) -> None:
    fetch(page(BASE))
    held = fetch(body)
    assert (held.decision, held.outcome, held.version_seq, held.incident) == ("suspect", kind, None, "opened")
    assert len(fetch.rows(Version)) == 1 and not fetch.rows(Change)
    confirmed = fetch(body)
    assert (confirmed.decision, confirmed.version_seq, confirmed.incident) == ("new_version", 2, "resolved")
    (change,) = fetch.rows(Change)
    assert change.notes[0].startswith("held as suspect from 2025-03-01 02:00 UTC (")
    (incident,) = fetch.rows(Incident)
    assert incident.kind == kind and incident.fetches == 1
    assert incident.reason.endswith("the next fetch gave the same text, now the current version")


@pytest.mark.parametrize(("body", "kind"), BROKEN)
def test_a_glitch_that_goes_away_is_never_a_version(fetch: Fetcher, body: bytes, kind: str) -> None:
    fetch(page(BASE))
    assert fetch(body).decision == "suspect"
    back = fetch(page(BASE, nonce="later"))
    assert (back.decision, back.incident) == ("unchanged", "resolved")
    assert fetch(body).decision == "suspect"  # a later glitch is held again: never confirmed by an older one
    assert len(fetch.rows(Version)) == 1 and not fetch.rows(Change)
    assert [s.decision for s in fetch.rows(Snapshot)] == ["first_version", "suspect", "unchanged", "suspect"]


def test_a_suspect_text_replaced_by_another_is_held_in_its_place(fetch: Fetcher) -> None:
    fetch(page(BASE))
    assert fetch(page(BASE[2:6])).decision == "suspect"
    assert fetch(page(BASE[3:7])).incident == "continued"  # another broken text: not a confirmation
    assert fetch(page(BASE[3:7])).decision == "new_version"


def test_a_policy_quoting_a_few_tags_is_not_markup() -> None:
    text = "\n".join([*BASE, "Our pages load the <script> tag of our analytics provider and a <div> banner."])
    assert first_failure(Page(text, "en", "en", len(text), min_chars=200, shrink_ratio=0.35)) is None


def test_ignore_rules_leave_sentences_out_of_the_change(db: tuple[Engine, int]) -> None:
    fetch = Fetcher(*db, ignore=IgnoreRules.of(["re:^office hours"]))
    fetch(page([*BASE, "Office hours: 9 to 5."]))
    recorded = fetch(page([*BASE, "Office hours: 8 to 4."]))
    assert recorded.decision == "new_version" and recorded.severity == "NOISE"
    (change,) = fetch.rows(Change)
    assert "1 changed sentence left out by the vendor's ignore rules" in change.notes
    assert change.diff["units"] == []


def test_every_check_kind_is_covered() -> None:
    covered = {"empty", "login_wall", "cookie_wall", "script_required", "too_short"} | {kind for _, kind in BROKEN}
    assert set(CHECKS) == covered | {"no_text_layer", "not_a_page", "unreadable"}  # in test_pdf and tests/faults


def test_a_normal_policy_passes_every_check() -> None:
    text = "\n".join(BASE)
    facts = Page(text, "en", "en", len(text), min_chars=200, shrink_ratio=0.35)
    assert first_failure(facts) is None


def test_one_incident_per_outage_resolved_by_the_next_good_fetch(fetch: Fetcher) -> None:
    fetch(page(BASE))
    outage = [
        fetch(None, "http_error", 503),
        fetch(b"<html><head><meta http-equiv=refresh content='0;/.well-known/sgcaptcha/'></head></html>", "bot_wall"),
        fetch(None, "timeout", 0),
    ]
    assert [r.incident for r in outage] == ["opened", "continued", "continued"]
    back = fetch(page(BASE))
    assert back.decision == "unchanged" and back.incident == "resolved"
    (incident,) = fetch.rows(Incident)
    assert incident.kind == "http_error" and incident.fetches == 3
    assert incident.resolved_at == T0 + timedelta(hours=5)
    snapshots = fetch.rows(Snapshot)
    assert [s.decision for s in snapshots] == [
        "first_version",
        "inaccessible",
        "inaccessible",
        "inaccessible",
        "unchanged",
    ]
    assert snapshots[2].body_sha256 is not None  # the captcha is kept for audit
    assert fetch(None, "dns_error", 0).incident == "opened"  # a new outage is a new incident


def snapshot_page(extra: str) -> bytes:
    return page([*BASE[:-1], f"</p><div class='extra'><p>{extra}</p></div><p>{BASE[-1]}"])


def reextract_with(
    engine: Engine, document_id: int, config: DocumentConfig, events: Events | None = None
) -> Reextracted:
    with session_scope(engine) as session:
        return reextract_document(session, events or Events(), PlannedDocument(document_id, "acme", config))


def test_reextraction_after_a_config_change_is_a_technical_version(db: tuple[Engine, int]) -> None:
    engine, document_id = db
    fetch = Fetcher(engine, document_id)
    fetch(snapshot_page("Our offices are open from nine to five on working days."))
    done = reextract_with(engine, document_id, DOC.model_copy(update={"remove": ".extra"}))
    assert (done.result, done.version_seq) == ("technical", 2)
    (change,) = fetch.rows(Change)
    assert (change.kind, change.severity, change.flagged) == ("technical", "NOISE", False)
    again = reextract_with(engine, document_id, DOC.model_copy(update={"remove": ".extra"}))
    assert again.result == "up_to_date"


def test_reextraction_that_reveals_a_missed_change_is_flagged(db: tuple[Engine, int]) -> None:
    engine, document_id = db
    old = DOC.model_copy(update={"remove": ".extra"})
    for extra in ("We keep logs for 30 days.", "We keep logs forever."):
        result = FetchResult(
            key="1",
            requested_url=DOC.url,
            final_url=DOC.url,
            outcome="ok",
            status=200,
            content_type="text/html",
            body=snapshot_page(extra),
        )
        with session_scope(engine) as session:
            assert record_fetch(session, Events(), document_id, old, result, SETTINGS).decision != "new_version"
    config = Config(
        vendors=[VendorConfig(id="acme", name="Acme", documents=[DOC])],
        alerts=AlertsConfig(
            channels=[ChannelConfig(name="mail", url="mailto://127.0.0.1:2525?from=a@acme.test&to=b@acme.test")]
        ),
    )
    events = Events()
    attach_outbox(events, config)
    done = reextract_with(engine, document_id, DOC, events)
    assert done.result == "flagged"
    with Session(engine) as session:
        (change,) = session.exec(select(Change)).all()
        rows = session.exec(select(Outbox)).all()
    assert (change.kind, change.severity, change.flagged) == ("technical", "REVIEW", True)
    assert [(row.channel, row.kind, row.change_id) for row in rows] == [("mail", "review", change.id)]  # the digest


def test_an_ambiguous_date_is_read_with_the_document_history(fetch: Fetcher) -> None:
    fetch(page(edited(line1="Last updated: June 1, 2024")))
    recorded = fetch(page(edited(line1="Last updated: 3/11/2024", line5=SELLS[5])))
    assert recorded.policy_date == "2024-11-03"  # 11 March would be before the previous version's date
    (_, version) = fetch.rows(Version)
    assert version.dates["updated"]["ambiguous"] is False
