"""Accessibility checks of the browser kit: axe-core, run inside the page, for WCAG 2.1 A and AA.

axe-core is a development dependency from npm (pinned in ``package-lock.json``, installed by
``npm ci`` into ``node_modules/``). The application never serves it: it reaches only the pages
of the tests, through Playwright.

How it gets into a page. The intranet's Content Security Policy (``script-src 'self'``, no
inline script) blocks ``page.add_script_tag()``, which adds an inline ``<script>``; a context
with ``bypass_csp=True`` would let it in, but would also hide the CSP violations the kit exists
to report. So the source goes in through the DevTools protocol, which the CSP does not govern:
``context.add_init_script()`` for the automatic check, ``page.evaluate()`` for
:func:`assert_accessible`.

When. :func:`watch` makes every HTML document of the live server check itself when its
``load`` event fires and report the violations to Python. The check must end before the test
can leave the page, or the next click would race it. axe waits ``setTimeout(0)`` between
rules; during the check those waits become microtasks, so the whole run finishes inside the
``load`` task, before the browser handles anything the test sends next. (Playwright cannot
evaluate in a page whose navigation it holds, so a check at departure is not possible.)
A document left before its ``load`` event (an image still coming) is not checked; :func:`watch`
counts those (a report sent while a page unloads does not arrive, so the count is Python's).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .paths import ROOT

#: The axe-core bundle ``npm ci`` installs in a checkout (a wheel has none: it is for tests);
#: ``DANWEI_AXE_JS`` may point elsewhere.
AXE_JS = Path(os.environ.get("DANWEI_AXE_JS", ROOT / "node_modules" / "axe-core" / "axe.min.js"))
#: The rules to run: WCAG 2.0 and 2.1, levels A and AA (axe-core's tags). GB/T 37668-2019, which
#: Chinese public institutions follow, is WCAG 2.0 AA.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: ``axe.run`` options. No preloading of style sheets (it is asynchronous, and only the
#: ``css-orientation-lock`` rule needs it) and no descent into frames (each same-origin frame
#: checks itself).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": list(WCAG_TAGS)},
               "preload": False, "iframes": False, "resultTypes": ["violations"]}
#: Name of the function through which a page reports to Python.
BINDING = "__danweiAccessibility"

#: Runs in every document (after axe-core's source): check it at ``load``, report, restore.
_WATCHER = """
(() => {
  if (location.origin !== %(origin)s) return;
  addEventListener("load", () => {
    if (document.contentType !== "text/html") { window.%(binding)s({skipped: true}); return; }
    const later = window.setTimeout;
    window.setTimeout = (run, ms, ...args) => { queueMicrotask(() => run(...args)); return 0; };
    axe.run(document, %(options)s)
      .then(result => window.%(binding)s({violations: %(summary)s(result)}),
            error => window.%(binding)s({error: String(error)}))
      .finally(() => { window.setTimeout = later; });
  });
})();
"""
#: The part of axe's result that tells a person what to fix.
_SUMMARY = """(result => result.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
  nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                            summary: n.failureSummary}))})))"""


@dataclass
class Violation:
    """One rule broken on one page, with the elements that break it."""

    url: str
    rule: str
    impact: str | None
    help: str
    help_url: str
    #: ``(CSS selector, HTML excerpt, what to fix)`` of each element.
    nodes: list[tuple[str, str, str]] = field(default_factory=list)

    @classmethod
    def from_axe(cls, url: str, data: dict) -> Violation:
        return cls(url, data["id"], data.get("impact"), data["help"], data["helpUrl"],
                   [(n["target"], n["html"], n["summary"]) for n in data["nodes"]])

    def __str__(self) -> str:
        lines = [f"{self.url}: {self.rule} ({self.impact}) {self.help}  <{self.help_url}>"]
        for target, html, summary in self.nodes:
            lines.append(f"    {target}  {_shorten(html, 160)}")
            lines.extend(f"        {line.strip()}" for line in summary.splitlines()[1:2])
        return "\n".join(lines)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(violations: list[Violation]) -> str:
    """The violations, one rule and its elements per paragraph, for an assertion message."""
    count = sum(len(v.nodes) for v in violations)
    return (f"axe-core found {count} element(s) breaking WCAG 2.1 A/AA:\n"
            + "\n".join(str(v) for v in violations))


@cache
def axe_source() -> str:
    """axe-core's source, read once; ``FileNotFoundError`` names the command that installs it."""
    if not AXE_JS.is_file():
        raise FileNotFoundError(f"{AXE_JS} is missing: run `npm ci` at the repository root")
    return AXE_JS.read_text(encoding="utf-8")


@dataclass
class Watch:
    """What the automatic check of one test saw."""

    #: Violations not yet asserted on; the kit fails the test if any are left.
    violations: list[Violation] = field(default_factory=list)
    #: URLs of the documents checked, in order.
    checked: list[str] = field(default_factory=list)
    #: URLs of the documents the live server sent to a page (its main frame), in order.
    loaded: list[str] = field(default_factory=list)
    #: How many of them were not HTML (an image, a PDF...), hence not checked.
    skipped: int = 0
    #: axe-core's own failures (``"<url>: <error>"``); the kit fails the test if any.
    errors: list[str] = field(default_factory=list)

    @property
    def unchecked(self) -> int:
        """Documents left before they finished loading (a test racing ahead), not checked."""
        return max(0, len(self.loaded) - len(self.checked) - self.skipped)


def watch(context, origin: str, seen: Watch) -> None:
    """Check every HTML document of *origin* that *context* loads, recording into *seen*."""

    def report(source, data):
        url = source["frame"].url
        if data.get("skipped"):
            seen.skipped += 1
        elif "error" in data:
            seen.errors.append(f"{url}: {data['error']}")
        else:
            seen.checked.append(url)
            seen.violations.extend(Violation.from_axe(url, v) for v in data["violations"])

    def navigated(frame):
        if frame.parent_frame is None and frame.url.startswith(origin):
            seen.loaded.append(frame.url)

    context.on("page", lambda page: page.on("framenavigated", navigated))
    context.expose_binding(BINDING, report)
    context.add_init_script(script=axe_source() + "\n;" + _WATCHER % {
        "origin": json.dumps(origin), "options": json.dumps(AXE_OPTIONS),
        "binding": BINDING, "summary": _SUMMARY})


def violations_of(page) -> list[Violation]:
    """Run axe-core on *page* as it is now (a menu open, a form with errors...)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # The trailing expression keeps Playwright from calling what the bundle evaluates to.
        page.evaluate(axe_source() + "\n;true")
    found = page.evaluate(f"options => axe.run(document, options).then({_SUMMARY})", AXE_OPTIONS)
    return [Violation.from_axe(page.url, v) for v in found]


def assert_accessible(page) -> None:
    """Fail, listing each rule, element and help, if *page* breaks WCAG 2.1 A or AA now."""
    __tracebackhide__ = True
    found = violations_of(page)
    assert not found, describe(found)
