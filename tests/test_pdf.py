"""Policies published as PDF: text in reading order without running headers, and through the crawler."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from monitor.app.context import open_app
from monitor.app.cycle import plan, run_cycle
from monitor.config import DocumentConfig
from monitor.judge.inaccessible import Page, first_failure
from monitor.text.pdf import is_pdf
from monitor.text.pipeline import extract_version
from tests.support.configs import loopback_config
from tests.support.sites import LoopbackSite

WIDTH, HEIGHT = letter
PAGES = 3
HYPHENATED = ["We collect personal infor-", "mation that you give us when", "you create an account."]


def paragraph(page: int, column: str, n: int) -> list[str]:
    """The lines of one made-up paragraph, unique by page, column and number."""
    tag = f"{column}{page}{n}"
    return [
        f"Paragraph {tag} says how we use",
        f"your data for purpose {tag} and how",
        f"long we keep it (clause {tag}).",
    ]


def joined(lines: list[str]) -> str:
    return " ".join(lines)


def two_column_pdf() -> bytes:
    """Three pages: running header and "Page N of M" footer, a title and date, then two columns."""
    out = BytesIO()
    canvas = Canvas(out, pagesize=letter)
    for page in range(1, PAGES + 1):
        canvas.setFont("Helvetica", 8)
        canvas.drawString(72, HEIGHT - 36, "Acme Corp - Privacy Policy - confidential")
        canvas.drawCentredString(WIDTH / 2, 30, f"Page {page} of {PAGES}")
        top = HEIGHT - 100
        if page == 1:
            canvas.setFont("Helvetica-Bold", 20)
            canvas.drawString(72, top, "Privacy Policy")
            canvas.setFont("Helvetica", 10)
            canvas.drawString(72, top - 30, "Last updated: March 3, 2024")
            top -= 70
        for x, column in ((72, "L"), (320, "R")):
            y = top
            for n in range(3):
                lines = HYPHENATED if (page, column, n) == (1, "L", 0) else paragraph(page, column, n)
                canvas.setFont("Helvetica", 9)
                for line in lines:
                    canvas.drawString(x, y, line)
                    y -= 12
                y -= 24
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def scanned_pdf() -> bytes:
    """One page holding only an image: no text layer."""
    image = Image.new("RGB", (200, 100), "white")
    for x in range(20, 180):
        image.putpixel((x, 50), (0, 0, 0))
    out = BytesIO()
    canvas = Canvas(out, pagesize=letter)
    canvas.drawImage(ImageReader(image), 72, 400, width=400, height=200)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_two_column_pdf_reads_in_order_without_headers_footers_or_page_numbers() -> None:
    extracted = extract_version(two_column_pdf(), content_type="application/pdf", url="http://h/privacy_en.pdf")
    text = extracted.text
    assert extracted.pdf
    assert "Acme Corp" not in text and "Page 1" not in text and "confidential" not in text
    assert "\n\n" not in text and text.splitlines()[0] == "# Privacy Policy"
    assert joined(HYPHENATED).replace("infor- mation", "information") in text.splitlines()
    order = [joined(paragraph(page, column, n)) for page in (1, 2, 3) for column in "LR" for n in range(3)]
    order.remove(joined(paragraph(1, "L", 0)))
    positions = [text.index(p) for p in order]
    assert positions == sorted(positions)
    assert extracted.dates.primary is not None and extracted.dates.primary.iso == "2024-03-03"


def test_scanned_pdf_has_no_text_layer() -> None:
    extracted = extract_version(scanned_pdf(), content_type=None, url="http://h/scan")
    assert (extracted.pdf, extracted.text) == (True, "")
    page = Page(extracted.text, None, None, None, min_chars=200, shrink_ratio=0.35, pdf=True)
    assert first_failure(page) == ("no_text_layer", "a PDF without a text layer (scanned): it needs OCR")


@pytest.mark.parametrize(
    ("body", "content_type", "url", "expected"),
    [
        (b"%PDF-1.7 ...", None, None, True),
        (b"...", "application/pdf; qs=1", None, True),
        (b"...", "application/octet-stream", "https://h/privacy_en.pdf?v=2", True),
        (b"<html>", "text/html", "https://h/privacy_en.pdf", False),
        (b"<html>", None, "https://h/privacy", False),
    ],
)
def test_pdfs_are_recognised(body: bytes, content_type: str | None, url: str | None, expected: bool) -> None:
    assert is_pdf(body, content_type, url) is expected


def test_pdf_fetched_by_the_crawler_is_recorded_as_a_version(site: LoopbackSite, tmp_path: Path) -> None:
    site.set("/privacy_en.pdf", two_column_pdf(), content_type="application/pdf")
    site.set("/scan.pdf", scanned_pdf(), content_type="application/pdf")
    documents = [
        DocumentConfig(type="privacy_policy", url=site.url("/privacy_en.pdf")),
        DocumentConfig(type="terms", url=site.url("/scan.pdf")),
    ]
    config = loopback_config(tmp_path / "pdf.db", {"finya": documents}, timeout=5)
    application = open_app(config)
    engine = application.engine
    result = run_cycle(application, plan(application))
    outcomes = sorted((r.outcome, r.decision, r.version_seq, r.policy_date) for r in result.recorded)
    assert outcomes == [("no_text_layer", "inaccessible", None, None), ("ok", "first_version", 1, "2024-03-03")]
    engine.dispose()
