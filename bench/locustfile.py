"""The three journeys as locust users, for bench/load.py (which prepares the accounts and
the records, and starts the servers): officers on their duty page, clerks working tickets
in the queue's side panel, commanders reading the dashboard, the KPI API and the lists.

Run by ``locust -f bench/locustfile.py`` with ``LOAD_PLAN`` naming the plan that load.py
wrote (accounts, shifts, tickets, tokens). Every simulated user signs in through the login
form with an account of its own, waits until all have signed in (so that the password
hashing of fifty sign-ins does not weigh on the pages measured), then goes round its
journey one step at a time, with a person's pause between steps. The last user to sign in
starts the clock: the journeys last ``duration`` seconds from then (locust's --run-time is
only a safety net).

A response counts as a failure when its status is not the expected one or its body does
not show the step's outcome (the open patrol, the tally's new count, the panel's success
message, the figures of the JSON): ``failures = 0`` means every step did what a user
would see it do. Names in the statistics are the pages (load.py's ``PAGES``), never URLs.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import FastHttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))


HTMX = {"HX-Request": "true"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PATROL_ID = re.compile(r'data-testid="open-patrol" data-patrol-id="(\d+)"')
TITLE = 'data-testid="page-title"'
TALLY_KINDS = ["no_helmet", "no_seatbelt", "speeding", "illegal_parking", "red_light"]
# the sign-in barrier: journeys start once every user has signed in
_signed_in = itertools.count(1)
_all_signed_in = Event()
BARRIER_TIMEOUT = 120


class Checked(Exception):
    """A step whose response was not what a user would expect (already reported)."""


class Journey(FastHttpUser):
    """Signs in through the form, then runs ``steps()`` round and round."""

    abstract = True
    wait_time = between(2, 5)  # a person reading, typing, walking to the next car
    role = ""
    _accounts: itertools.count[int]

    def on_start(self) -> None:
        accounts = PLAN[self.role]
        self.account = accounts[next(type(self)._accounts) % len(accounts)]
        self.sign_in(self.account["username"])
        if next(_signed_in) >= self.environment.parsed_options.num_users:
            # the last one in starts the clock of the journeys
            _all_signed_in.set()
            gevent.spawn_later(PLAN["duration"], self.environment.runner.quit)
        _all_signed_in.wait(timeout=BARRIER_TIMEOUT)
        gevent.sleep(random.uniform(0, 5))  # not fifty first clicks in the same instant
        self.steps_iter = self.steps()

    # --- requests -----------------------------------------------------------------------

    def csrf(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value or ""
        return ""

    def check(self, name: str, method: str, path: str, *, status: int = 200,
              data: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
              expect: str | re.Pattern[str] | None = None, location: str | None = None,
              refuse: str | None = None) -> Any:  # fmt: skip
        """One request named ``name``: a failure unless the status is ``status`` and the
        body shows ``expect`` (and not ``refuse``), or the redirect goes to ``location``."""
        sent = dict(headers or {})
        body = None
        if data is not None:
            sent.update(FORM)
            sent["X-CSRFToken"] = self.csrf()
            body = urlencode({"csrfmiddlewaretoken": self.csrf(), **data})
        with self.client.request(
            method, path, name=name, data=body, headers=sent, catch_response=True,
            allow_redirects=False,
        ) as response:  # fmt: skip
            text = response.text or ""
            problem = ""
            if response.status_code != status:
                problem = f"{response.status_code} instead of {status}: {text[:300]!r}"
            elif location is not None and response.headers.get("Location") != location:
                problem = f"redirected to {response.headers.get('Location')!r}, not {location!r}"
            elif isinstance(expect, str) and expect not in text:
                problem = f"{expect!r} not in the answer: {text[:300]!r}"
            elif isinstance(expect, re.Pattern) and not expect.search(text):
                problem = f"{expect.pattern!r} not in the answer: {text[:300]!r}"
            elif refuse is not None and refuse in text:
                problem = f"{refuse!r} in the answer"
            if problem:
                response.failure(problem)
                raise Checked(problem)
            response.success()
            return response

    def sign_in(self, username: str) -> None:
        self.check("login form", "GET", "/accounts/login/", expect="csrfmiddlewaretoken")
        self.check(
            "login",
            "POST",
            "/accounts/login/",
            status=302,
            data={"username": username, "password": PLAN["password"]},
            location="/",
        )

    # --- the journey, one step per task run -------------------------------------------------

    def steps(self) -> Any:
        raise NotImplementedError

    @task
    def step(self) -> None:
        try:
            next(self.steps_iter)
        except Checked:
            self.steps_iter = self.steps()  # start the journey over, from its first page
        except StopIteration:
            self.steps_iter = self.steps()
            next(self.steps_iter)


class Officer(Journey):
    """Duty page → start the shift's patrol → tally taps → end; again."""

    role = "officers"
    fixed_count = PLAN["users"]["officers"]
    _accounts = itertools.count()

    def duty_page(self, *, open_patrol: bool = False) -> int | None:
        """The duty page; the open patrol's id if there is one."""
        response = self.check(
            "officer: duty page",
            "GET",
            "/duty/",
            expect=PATROL_ID if open_patrol else TITLE,
            refuse="alert-danger",
        )
        found = PATROL_ID.search(response.text)
        return int(found[1]) if found else None

    def steps(self) -> Any:
        patrol = self.duty_page()
        yield
        if patrol is not None:  # left open by a journey cut short: end it first
            self.end(patrol)
            return
        self.check(
            "officer: start patrol",
            "POST",
            "/duty/start/",
            status=302,
            data={"shift": self.account["shift"], "mode": "foot"},
            location="/duty/",
        )
        patrol = self.duty_page(open_patrol=True)
        counts = dict.fromkeys(TALLY_KINDS, 0)
        for _ in range(random.randint(3, 5)):
            yield
            kind = random.choice(TALLY_KINDS)
            delta = -1 if counts[kind] and random.random() < 0.2 else 1
            counts[kind] += delta
            self.check(
                "officer: tally tap",
                "POST",
                f"/duty/{patrol}/tally/",
                headers=HTMX,
                data={"kind": kind, "delta": delta},
                expect=re.compile(f'data-testid="tally-count-{kind}"[^>]*>{counts[kind]}<'),
            )
        yield
        if patrol is not None:
            self.end(patrol)

    def end(self, patrol: int) -> None:
        # A patrol of the run lasts seconds, under the minute the page asks about: the
        # officer has answered "end it anyway" (confirm_zero), as the second tap would.
        self.check(
            "officer: end patrol",
            "POST",
            f"/duty/{patrol}/end/",
            status=302,
            data={"ended_at": "", "confirm_zero": "on"},
            location="/duty/",
        )


class Clerk(Journey):
    """Queue → a ticket in the side panel → sign → assign → reply → close; next ticket."""

    role = "clerks"
    fixed_count = PLAN["users"]["clerks"]
    _accounts = itertools.count()

    def on_start(self) -> None:
        super().on_start()
        self.tickets = list(self.account["tickets"])

    def action(self, name: str, ticket: int, data: dict[str, Any] | None = None) -> None:
        self.check(
            f"clerk: {name}",
            "POST",
            f"/petitions/tickets/{ticket}/{name}/",
            headers=HTMX,
            data=data or {},
            expect='data-testid="panel-done"',
        )

    def steps(self) -> Any:
        self.check("clerk: queue", "GET", "/petitions/", expect='data-testid="ticket-table"')
        if not self.tickets:  # every ticket of this clerk closed: read the queue only
            return
        ticket = self.tickets.pop(0)
        yield
        self.check(
            "clerk: side panel",
            "GET",
            f"/petitions/tickets/{ticket}/",
            headers=HTMX,
            expect=f'data-testid="panel-ticket-{ticket}"',
        )
        yield
        self.action("sign", ticket)
        yield
        self.action("assign", ticket, {"handler": self.account["handler"]})
        yield
        self.action("reply", ticket, {"text": "您反映的问题已核实处理，感谢监督。"})
        yield
        self.action("close", ticket)


class Commander(Journey):
    """Dashboard → the KPI, trend and report API → hazard, patrol and ticket lists."""

    role = "commanders"
    fixed_count = PLAN["users"]["commanders"]
    _accounts = itertools.count()

    def api(self, name: str, path: str, expect: str) -> None:
        self.check(
            name,
            "GET",
            path,
            headers={"Authorization": f"Token {self.account['token']}"},
            expect=expect,
        )

    def steps(self) -> Any:
        self.check("commander: dashboard", "GET", "/dashboard/", expect='data-testid="kpi-tiles"')
        yield
        self.api("commander: KPI API", "/api/v1/dashboard/kpis/", '"petitions.closure_rate"')
        yield
        metric = random.choice(PLAN["trend_metrics"])
        self.api(
            "commander: trend API",
            f"/api/v1/dashboard/trend/?{urlencode({'metric': metric, 'weeks': 26})}",
            f'"metric":"{metric}"',
        )
        yield
        self.api(
            "commander: report API",
            f"/api/v1/dashboard/report/?{urlencode(PLAN['report_period'])}",
            '"figures"',
        )
        yield
        self.check(
            "commander: hazard list", "GET", "/hazards/", expect='data-testid="hazard-table"'
        )
        yield
        self.check(
            "commander: patrol list", "GET", "/patrols/", expect='data-testid="patrol-table"'
        )
        yield
        self.check(
            "commander: ticket list",
            "GET",
            "/petitions/?status=closed",
            expect='data-testid="ticket-table"',
        )


@events.quitting.add_listener
def _release_waiting_users(environment: Any, **_kwargs: Any) -> None:
    _all_signed_in.set()  # a run stopped during sign-in must not hang on the barrier


_environment: Any = None


@events.init.add_listener
def _keep_environment(environment: Any, **_kwargs: Any) -> None:
    global _environment
    _environment = environment


@events.quit.add_listener
def _save_statistics(**_kwargs: Any) -> None:
    """The final statistics, every user stopped, for load.py (``LOAD_STATS``): each page's
    counts and its response-time buckets, and the failures with their messages."""
    stats = _environment.stats
    pages = [
        {
            "name": entry.name,
            "method": entry.method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "max_ms": entry.max_response_time,
            "total_ms": entry.total_response_time,
            "response_times": entry.response_times,
        }
        for entry in stats.entries.values()
        if entry.num_requests or entry.num_failures
    ]
    failures = [
        {"method": e.method, "name": e.name, "error": str(e.error), "occurrences": e.occurrences}
        for e in stats.errors.values()
    ]
    Path(os.environ["LOAD_STATS"]).write_text(
        json.dumps({"pages": pages, "failures": failures}, ensure_ascii=False), encoding="utf-8"
    )
