"""A loopback web site serving the fictional vendors' policy pages, dressed like real vendor sites.

Pages carry what real ones carry: a mega-menu repeated for desktop and mobile, a footer sitemap,
a cookie banner, and a fresh nonce and cache-buster in every response, so raw bytes never repeat
even when the policy does not change.
"""

from __future__ import annotations

import html
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from tests.support.demo_policies import VENDORS, DemoVendor, Policy

MENU = {
    "Products": ["Panels", "Controllers", "Cameras", "Sensors", "Accessories"],
    "Solutions": ["Retail", "Smart Home", "Hospitality", "Transport"],
    "Support": ["Downloads", "Firmware", "Warranty", "Contact Support"],
    "About": ["Company", "Newsroom", "Careers", "Partners"],
}

CHALLENGE_PATH = "/.well-known/sgcaptcha/"
#: What the challenge endpoint serves: still a wall when a browser follows the refresh.
CHALLENGE_PAGE = (
    "<!DOCTYPE html><html><head><title>Robot Challenge Screen</title></head><body>"
    f"<form method='post' action='{CHALLENGE_PATH}?r=%2F'><div class='g-recaptcha'></div></form>"
    "<p>Checking the site connection security</p></body></html>"
)
CAPTCHA_PAGE = (
    '<!DOCTYPE html><html><head><meta http-equiv="refresh" content="0;/.well-known/sgcaptcha/?r=%2F">'
    "<title>Robot Challenge Screen</title></head><body>Checking the site connection security</body></html>"
)


def _menu(copies: int) -> str:
    columns = "".join(
        f"<li><div class='panel'><h4>{title}</h4><ul>"
        + "".join(f"<li><a href='/{item.lower().replace(' ', '-')}'>{item}</a></li>" for item in items)
        + "</ul></div></li>"
        for title, items in MENU.items()
    )
    return "".join(f"<div class='menu menu-{n}'><ul>{columns}</ul></div>" for n in range(copies))


def _body(policy: Policy) -> str:
    parts = [f"<h1>{html.escape(policy.title)}</h1>"] if policy.title else []
    if policy.date_line and policy.date_at_top:
        parts.append(f"<p class='date'>{html.escape(policy.date_line)}</p>")
    for heading, paragraphs in policy.sections:
        if heading:
            parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.extend(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return "\n".join(parts)


def render_page(vendor: DemoVendor, policy: Policy, nonce: str) -> bytes:
    """The full HTML page of `vendor` showing `policy`, with `nonce` as its per-response noise."""
    if vendor.style == "app":
        return f"<html><body>{_body(policy)}<script nonce='{nonce}'></script></body></html>".encode()
    header = (
        f"<header><a href='/'>{html.escape(vendor.name)}</a> <a href='/login'>Login</a> | "
        f"<a href='/signup'>Sign Up</a><nav>{_menu(3)}</nav></header>"
    )
    footer = (
        f"<footer>{_menu(1)}<p>Policies: <a href='/cookies'>Cookie Policy</a> "
        f"<a href='{vendor.path}'>Privacy Policy</a></p>"
        f"<p>© {html.escape(vendor.name)}</p></footer>"
    )
    banner = (
        "<div id='cookie-notice' class='cookie-banner'>We use cookies to improve your visit. "
        f"<a href='{vendor.path}'>Privacy Policy</a> <button>Accept</button></div>"
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(vendor.name)} - Privacy</title>"
        f"<link rel='stylesheet' href='/static/site.css?{nonce}'>"
        f"<script nonce='{nonce}'>window.__build='{nonce}';</script></head><body>"
        f"{header}<main><article>{_body(policy)}</article></main>{footer}{banner}</body></html>"
    ).encode()


class DemoSite:
    """The demo site on 127.0.0.1: `show(vendor_id, n)` switches the version a vendor's page serves."""

    def __init__(self, vendors: list[DemoVendor] | None = None) -> None:
        self.vendors = {v.id: v for v in vendors or VENDORS}
        self.current = dict.fromkeys(self.vendors, 0)
        self.captcha: set[str] = set()
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            routes: ClassVar[dict[str, str]] = {v.path: v.id for v in site.vendors.values()}

            def do_GET(self) -> None:
                vendor_id = self.routes.get(self.path)
                if self.path.startswith(CHALLENGE_PATH):
                    self._send(200, CHALLENGE_PAGE.encode())
                elif vendor_id is None:
                    self._send(404, b"<html><body><h1>Not found</h1></body></html>")
                else:
                    self._send(200, site.page(vendor_id))

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> DemoSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, vendor_id: str) -> str:
        """The public URL of a vendor's policy page."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{self.vendors[vendor_id].path}"

    def show(self, vendor_id: str, version: int) -> None:
        """Serve version `version` (0-based) of the vendor's policy from now on."""
        with self._lock:
            self.current[vendor_id] = version

    def page(self, vendor_id: str) -> bytes:
        """The page a request for the vendor gets now."""
        with self._lock:
            if vendor_id in self.captcha:
                return CAPTCHA_PAGE.encode()
            vendor = self.vendors[vendor_id]
            policy = vendor.versions[self.current[vendor_id]]
        return render_page(vendor, policy, secrets.token_hex(8))
