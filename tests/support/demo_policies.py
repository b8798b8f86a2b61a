"""Fictional vendors and their policy versions, written for the demo (no text from real policies).

Each policy is a list of sections; a version of it is the base text with edits applied, so that
the demo script can move a vendor through realistic changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Section = tuple[str, list[str]]


@dataclass(frozen=True)
class Policy:
    """One version of a fictional vendor's privacy policy."""

    title: str
    date_line: str | None
    sections: list[Section]
    date_at_top: bool = True


@dataclass(frozen=True)
class DemoVendor:
    """A fictional vendor: its id, name, page path, site style and policy versions."""

    id: str
    name: str
    path: str
    style: str
    versions: list[Policy] = field(default_factory=list)


LUMEN_BASE: list[Section] = [
    (
        "I. Information We Collect",
        [
            "When you pair a Lumen panel with the LumenCast app we collect the panel serial number, "
            "firmware version and the name you give to the panel.",
            "If you create an account we collect your e-mail address and a password hash.",
            "We do not collect your precise location.",
        ],
    ),
    (
        "II. How We Use Information",
        [
            "We use device information to deliver firmware updates and to diagnose faults you report.",
            "We use your e-mail address to send service notices about your panels.",
        ],
    ),
    (
        "III. Sharing",
        [
            "We share information with our cloud hosting provider, which processes it on our behalf.",
            "We do not sell personal information.",
        ],
    ),
    (
        "IV. Retention",
        ["We keep device logs for 90 days and account data until you delete your account."],
    ),
    (
        "V. Contact",
        ["Questions about this policy can be sent to the Lumen privacy desk through the app's help page."],
    ),
]

CORVID_BASE: list[Section] = [
    (
        "1.Scope",
        [
            "This policy explains how Corvid Optics handles information about visitors to its website "
            "and users of the CorvidView camera portal.",
        ],
    ),
    (
        "2.Information You Provide",
        [
            "•Account details: your name, company and business e-mail address.",
            "•Support requests: the messages and camera logs you choose to upload.",
        ],
    ),
    (
        "3.Cookies",
        ["We use strictly necessary cookies to keep you signed in to the portal."],
    ),
    (
        "4.Your Choices",
        [
            "You can ask us for a copy of your information or ask us to delete it at any time.",
            "The date of the latest revision is shown at the top of this page.",
        ],
    ),
]

NESTWISE_BASE: list[Section] = [
    (
        "",
        [
            "Nestwise Home builds the Nestwise app that controls thermostats, plugs and sensors in your home.",
            "- Device data: on/off state, temperature readings and energy use of your connected devices.",
            "- Account data: your e-mail address and the home name you choose.",
            "We use device data to run your automations and show you energy reports.",
            "We keep energy reports for 24 months so that you can compare seasons.",
            "You may withdraw your consent at any time in the app settings.",
        ],
    )
]


def _replace(sections: list[Section], old: str, new: str) -> list[Section]:
    """A copy of `sections` with the paragraph `old` replaced by `new`."""
    replaced = [(title, [new if p == old else p for p in paragraphs]) for title, paragraphs in sections]
    if replaced == sections:
        raise ValueError(f"no paragraph {old!r}")
    return replaced


LUMEN_V2 = _replace(
    LUMEN_BASE,
    "We do not sell personal information.",
    "We share device identifiers and usage statistics with advertising partners to show you offers "
    "for Lumen accessories.",
)

VENDORS: list[DemoVendor] = [
    DemoVendor(
        id="lumen",
        name="Lumen Displays",
        path="/ledapp/privacy",
        style="led",
        versions=[
            Policy("LumenCast Privacy Policy", "Last updated: 【March】 【3rd】, 【 2023】", LUMEN_BASE),
            Policy("LumenCast Privacy Policy", "Last updated: 【May】 【20th】, 【 2024】", LUMEN_V2),
        ],
    ),
    DemoVendor(
        id="corvid",
        name="Corvid Optics",
        path="/privacy",
        style="camera",
        versions=[
            Policy("Privacy Policy", "January, 2024", CORVID_BASE),
            Policy("Privacy Policy", "March, 2024", CORVID_BASE),
        ],
    ),
    DemoVendor(
        id="nestwise",
        name="Nestwise Home",
        path="/en/privacy?appChannel=NESTWISE",
        style="app",
        versions=[
            Policy("", None, NESTWISE_BASE),
            Policy(
                "",
                None,
                _replace(
                    NESTWISE_BASE,
                    "We use device data to run your automations and show you energy reports.",
                    "We use device data to run the automations you set up and to show you energy reports.",
                ),
            ),
        ],
    ),
]
