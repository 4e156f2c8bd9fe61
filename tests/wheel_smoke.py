"""Smoke test of an installed Danwei: log in as demo users and open every page of their menu.

``tests/test_wheel_install.py`` runs this file with the Python of a fresh virtualenv into which
the wheels were installed, from a folder outside the checkout, after ``danwei db upgrade`` and
``danwei demo``. It imports only what the wheels installed. Each page must answer 200 without
the error page and load its stylesheets, scripts and images; every menu label must be Chinese,
the default locale, which needs the compiled catalogues of core and of the plugins.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from importlib.metadata import entry_points
from pathlib import Path

import core
from core import create_app, paths

PASSWORD = "danwei2026"  # every demo account's (README)
#: The administrator, and people of every bundled plugin (two with different menus where a
#: plugin has them).
USERS = ["admin", "unitadmin", "sl_principal", "sl_teacher", "sl_guard", "pr_boss", "pr_staff",
         "pb_secretary", "pb_member", "pa_auditor", "pa_station", "hs_director", "hs_nurse"]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


class Page(HTMLParser):
    """The menu links, the local assets and the CSRF token of one HTML page."""

    def __init__(self, html: str):
        super().__init__()
        self.menu: list[tuple[str, str]] = []  # (href, label)
        self.assets: set[str] = set()
        self.csrf_token = ""
        self._depth = 0  # > 0 inside the menu's <ul>
        self._link: list[str] | None = None  # [href, label so far] inside a menu link
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "ul" and (self._depth or a.get("data-testid") == "menu"):
            self._depth += 1
        elif tag == "a" and self._depth:
            self._link = [a["href"], ""]
        url = a.get("src") if tag in ("script", "img") else a.get("href") if tag == "link" else None
        if url and url.startswith("/"):
            self.assets.add(url)
        if tag == "input" and a.get("name") == "csrf_token":
            self.csrf_token = a["value"]

    def handle_endtag(self, tag):
        if tag == "ul" and self._depth:
            self._depth -= 1
        elif tag == "a" and self._link:
            self.menu.append((self._link[0], self._link[1].strip()))
            self._link = None

    def handle_data(self, data):
        if self._link:
            self._link[1] += data


def check_page(client, url: str) -> Page:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert 'data-testid="error-page"' not in response.text, f"{url}: the error page"
    return Page(response.text)


def open_menu(app, username: str) -> tuple[list[str], set[str]]:
    """Log *username* in, open every page of their menu; their URLs and the assets loaded."""
    client = app.test_client()
    token = check_page(client, "/login").csrf_token
    response = client.post("/login", data={
        "username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"{username} cannot log in ({response.status_code})"
    home = check_page(client, "/")
    assert home.menu, f"{username} has no menu"
    assets = set(home.assets)
    for href, label in home.menu:
        assert CHINESE.search(label), f"{username}'s menu item {label!r} ({href}) is not translated"
        assets |= check_page(client, href).assets
    return [href for href, _label in home.menu], assets


def main() -> None:
    assert Path(core.__file__).is_relative_to(sys.prefix), f"core imported from {core.__file__}"
    assert paths.INSTALLED, "core runs without the templates the wheel should have brought"
    app = create_app()
    pages, assets = [], set()
    for username in USERS:
        urls, loaded = open_menu(app, username)
        print(f"{username}: {len(urls)} menu pages: {' '.join(urls)}")
        pages += urls
        assets |= loaded
    client = app.test_client()
    for url in sorted(assets):
        response = client.get(url)
        assert response.status_code == 200 and response.data, f"{url}: {response.status_code}"
    print(f"{len(assets)} assets: {' '.join(sorted(assets))}")
    for plugin in entry_points(group="danwei.plugins").names:
        assert any(url.startswith(f"/{plugin}") for url in pages), f"no menu page of {plugin}"


if __name__ == "__main__":
    main()
