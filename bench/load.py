"""The load driver: concurrent users requesting the key pages of a running intranet.

    .venv/bin/python bench/load.py --url http://127.0.0.1:8100 --manifest bench/out/manifest-full.json

It logs in through the real login form (CSRF token and all), then measures each page in two
ways, with 20 users by default:

*paced*
    each user requests the page, then thinks for 0.5–1.5 s (as people do), for ``--seconds``.
    This is the latency a user sees on a busy morning: p50 and p95.
*saturated*
    each user requests the page again as soon as the answer arrives. This is the most the
    server can do: requests per second, compared with the bare endpoint measured the same way.

Queries per request are read from the ``Server-Timing`` header (``DANWEI_SERVER_TIMING=1``).
Writes (apply for leave, approve a step) are measured paced only: each approval consumes a
leave filed in the "apply" phase. The client is ``http.client`` with keep-alive, so the driver
itself costs as little CPU as a Python driver can; its CPU time is reported too.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import resource
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

#: The page the targets are set against (``bench/wsgi.py``).
NAIVE = "naive page (baseline)"
_QUERIES = re.compile(r'sql;dur=[0-9.]+;desc="(\d+) queries"')


# -- a small HTTP client with a cookie jar ------------------------------------------------------


class Client:
    """One user's connection: keep-alive, cookies, no redirects followed."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        """``(status, headers, body, seconds)``; reconnects once if the server closed."""
        body = urlencode(form).encode() if form is not None else None
        headers = {"Accept-Language": "zh-CN,zh;q=0.9"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            seconds = time.perf_counter() - started
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, response, data, seconds
        raise AssertionError("unreachable")

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict):
        return self.request("POST", path, form)

    def login(self, username: str, password: str) -> None:
        status, _, page, _ = self.get("/login")
        token = hidden_inputs(page.decode()).get("csrf_token", "")
        status, response, _, _ = self.post("/login", {
            "csrf_token": token, "username": username, "password": password})
        if status != 302 or "/login" in (response.getheader("Location") or ""):
            raise SystemExit(f"could not log in as {username} (HTTP {status})")


class _Forms(HTMLParser):
    """The hidden inputs of every form of a page, by the form's action."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._action: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._action = attrs.get("action") or ""
            self.forms.setdefault(self._action, {})
        elif tag == "input" and self._action is not None and attrs.get("type") == "hidden":
            self.forms[self._action][attrs.get("name", "")] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._action = None


def forms_of(page: str) -> dict[str, dict[str, str]]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def hidden_inputs(page: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for inputs in forms_of(page).values():
        merged.update(inputs)
    return merged


def queries(response) -> int | None:
    found = _QUERIES.search(response.getheader("Server-Timing") or "")
    return int(found.group(1)) if found else None


# -- measuring -------------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    status: int
    queries: int | None


@dataclass
class Result:
    page: str
    mode: str
    users: int
    elapsed: float
    samples: list[Sample] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.samples)

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.status >= 400)

    @property
    def rps(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: int) -> float:
        times = sorted(s.seconds for s in self.samples)
        if not times:
            return float("nan")
        if len(times) == 1:
            return times[0] * 1000
        return statistics.quantiles(times, n=100, method="inclusive")[p - 1] * 1000

    @property
    def queries(self) -> str:
        counts = sorted({s.queries for s in self.samples if s.queries is not None})
        if not counts:
            return "–"
        return str(counts[0]) if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"

    def as_dict(self) -> dict:
        return {"page": self.page, "mode": self.mode, "users": self.users,
                "requests": self.count, "errors": self.errors, "rps": round(self.rps, 1),
                "p50_ms": round(self.percentile(50), 1), "p95_ms": round(self.percentile(95), 1),
                "queries": self.queries}


#: A page: what one request of one user does. ``step(client, n)`` returns a Sample.
Step = Callable[[Client, int], Sample]


def timed_get(path_of: Callable[[int], str], expect: int = 200) -> Step:
    def step(client: Client, n: int) -> Sample:
        status, response, _, seconds = client.get(path_of(n))
        if status != expect and status < 400:
            status = 599  # an unexpected redirect is a failure too
        return Sample(seconds, status, queries(response))
    return step


def run_phase(page: str, mode: str, clients: list[Client], step: Step, seconds: float,
              think: tuple[float, float] | None, stop_when: Callable[[], bool] = lambda: False
              ) -> Result:
    """Let every client run *step* in a loop for *seconds* (thinking between steps if asked)."""
    result = Result(page, mode, len(clients), 0.0)
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    def user(client: Client, index: int) -> None:
        rnd = random.Random(index)
        if think:  # spread the first requests like people arriving, not all at once
            time.sleep(rnd.uniform(0, think[1]))
        while time.perf_counter() < deadline and not stop_when():
            with lock:
                n = next(counter)
            try:
                sample = step(client, n)
            except IndexError:  # nothing left to do (approvals ran out)
                return
            with lock:
                result.samples.append(sample)
            if think:
                time.sleep(rnd.uniform(*think))

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(c, i)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.elapsed = time.perf_counter() - started
    return result


# -- the pages ---------------------------------------------------------------------------------


def school_day(n: int, after: date | None = None) -> date:
    """The *n*-th weekday from 30 days from now (or after *after*, the last day an earlier
    run filed leave on): far enough not to disturb the data, never a day already taken."""
    day = date.today() + timedelta(days=30)
    if after is not None and after >= day:
        day = after + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    for _ in range(n):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return day


class Pages:
    """The key pages, each with the account that uses it and the ids it cycles through."""

    def __init__(self, base: str, manifest: dict):
        self.base, self.m = base, manifest
        self.filed: list[str] = []
        after = manifest.get("apply_after")
        self.apply_after = date.fromisoformat(after) if after else None
        self.filed_lock = threading.Lock()

    def clients(self, role: str, count: int) -> list[Client]:
        """*count* logged-in clients of the manifest's account *role* (or of that username)."""
        out = []
        for _ in range(count):
            client = Client(self.base)
            client.login(self.m["accounts"].get(role, role), self.m["password"])
            out.append(client)
        return out

    def reads(self) -> list[tuple[str, str, Step]]:
        m = self.m
        leave_ids = m["leave_ids"]
        return [
            ("bare endpoint (information)", "class_teacher", timed_get(lambda n: "/_bare/")),
            (NAIVE, "class_teacher", timed_get(lambda n: f"/_naive/?n={n}")),
            ("dashboard (class teacher)", "class_teacher", timed_get(lambda n: "/")),
            ("dashboard (principal)", "principal", timed_get(lambda n: "/")),
            ("inbox", "class_teacher", timed_get(lambda n: "/inbox/")),
            ("leave list, filtered, page n (principal)", "principal",
             timed_get(lambda n: f"/school_leave/?status=approved&page={n % 40 + 2}")),
            ("leave detail", "class_teacher",
             timed_get(lambda n: f"/school_leave/leave/{leave_ids[n % len(leave_ids)]}")),
            ("property plans list", "property_manager",
             timed_get(lambda n: "/property_reports/plans")),
            *((page["name"], page["user"], timed_get(lambda n, path=page["path"]: path))
              for page in self.m.get("plugin_pages", ())),
        ]

    # -- writes --

    def apply_step(self) -> Step:
        def step(client: Client, n: int) -> Sample:
            status, _, page, _ = client.get("/school_leave/apply")
            token = hidden_inputs(page.decode()).get("csrf_token", "")
            day = school_day(n, self.apply_after)
            status, response, _, seconds = client.post("/school_leave/apply", {
                "csrf_token": token, "leave_type": "sick",
                "start": f"{day:%Y-%m-%d}T08:00", "end": f"{day:%Y-%m-%d}T09:40",
                "reason": f"bench {n}", "submit": "1"})
            location = response.getheader("Location") or ""
            if status == 302 and "/school_leave/leave/" in location:
                with self.filed_lock:
                    self.filed.append(urlsplit(location).path)
            else:
                status = 599
            return Sample(seconds, status, queries(response))
        return step

    def approve_step(self) -> Step:
        def step(client: Client, n: int) -> Sample:
            with self.filed_lock:
                path = self.filed.pop(0)  # IndexError ends the phase
            _, _, page, _ = client.get(path)
            action, inputs = next(((a, f) for a, f in forms_of(page.decode()).items()
                                   if a.endswith("/decide")), (None, None))
            if action is None:
                return Sample(0.0, 598, None)
            status, response, _, seconds = client.post(urlsplit(action).path, {
                **inputs, "decide-comment": "同意", "decide-approve": "1"})
            return Sample(seconds, status if status == 302 else 599, queries(response))
        return step


def measure(base: str, manifest: dict, users: int = 20, seconds: float = 20,
            saturate_seconds: float = 10, say=print,
            meter: Callable[[], tuple[float, float]] | None = None) -> dict:
    """Every page paced and saturated, then the writes; returns the figures.

    *meter* returns the CPU seconds used so far by the server (its workers) and by PostgreSQL
    (the backends serving it); each phase reports their difference per request.
    """
    pages = Pages(base, manifest)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    results: list[dict] = []

    def phase(name, mode, clients, step, length, think) -> None:
        before = meter() if meter else None
        result = run_phase(name, mode, clients, step, length, think)
        figures = result.as_dict()
        if before is not None and result.count:
            after = meter()
            figures["server_cpu_ms"] = round((after[0] - before[0]) * 1000 / result.count, 1)
            figures["pg_cpu_ms"] = round((after[1] - before[1]) * 1000 / result.count, 1)
        results.append(figures)
        say(f"  {name:<42} {mode:<9} {result.count:>6} req  {result.rps:7.1f}/s  "
            f"p50 {result.percentile(50):7.1f} ms  p95 {result.percentile(95):7.1f} ms  "
            f"sql {result.queries:>5}  cpu {figures.get('server_cpu_ms', '–')}"
            f"+{figures.get('pg_cpu_ms', '–')} ms  errors {result.errors}")

    for name, role, step in pages.reads():
        clients = pages.clients(role, users)
        step(clients[0], 0)  # warm the worker's caches once
        for mode, think, length in (("paced", (0.5, 1.5), seconds),
                                    ("saturated", None, saturate_seconds)):
            phase(name, mode, clients, step, length, think)
    for name, role, step in (("apply for leave (POST)", "student", pages.apply_step()),
                             ("approve a step (POST)", "monitor", pages.approve_step())):
        clients = pages.clients(role, users)
        phase(name, "paced", clients, step, seconds, (0.5, 1.5))
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    return {"users": users, "results": results,
            "driver_cpu_seconds": round((cpu1.ru_utime + cpu1.ru_stime)
                                        - (cpu0.ru_utime + cpu0.ru_stime), 1)}


def probe(base: str, manifest: dict) -> dict[str, int | None]:
    """One request per read page, sequentially: the SQL statements each one runs."""
    pages = Pages(base, manifest)
    found = {}
    for name, role, step in pages.reads():
        client = pages.clients(role, 1)[0]
        step(client, 0)
        found[name] = step(client, 1).queries
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    with open(args.manifest, encoding="utf-8") as f:
        manifest = json.load(f)
    started = datetime.now()
    figures = measure(args.url, manifest, args.users, args.seconds)
    print(json.dumps(figures, indent=1, ensure_ascii=False))
    print(f"took {datetime.now() - started}")


if __name__ == "__main__":
    main()
