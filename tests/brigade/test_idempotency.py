"""Idempotency-Key: a repeated write gets the first answer and writes nothing, from the
API (token) and from the pages (session, the form's hidden field or htmx's header); a
repeated transition shows the record's state; keys expire after 24 hours."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from brigade.core import idempotency
from brigade.core.idempotency import IdempotencyKey
from brigade.core.tokens import issue_token
from brigade.duty.models import PatrolLog
from brigade.tasks import prune_idempotency_keys_task
from petitions.choices import TicketStatus
from tests.petitions.factories import TicketFactory

PATROLS = "/api/v1/brigade/patrols/"
START = {"mode": "car", "notes": "早高峰"}


@pytest.fixture(autouse=True)
def english():
    yield
    translation.deactivate()  # the locale middleware leaves a language active on this thread


def token_client(user) -> APIClient:
    """A client that signs in as a phone does: a token in the header (force_authenticate
    would skip the authentication that the middleware repeats)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def start(client: APIClient, key: str | None, body: dict | None = None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(PATROLS, body or START, format="json", **headers)


# --- the API --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_patrol_start_sent_twice_with_one_key_gets_the_first_answer_and_one_patrol(officer):
    phone = token_client(officer)

    first = start(phone, "8d6a1f2e-start-1")
    again = start(phone, "8d6a1f2e-start-1")

    assert first.status_code == 201 and again.status_code == 201
    assert again.content == first.content
    assert again["ETag"] == first["ETag"] and again["Content-Type"] == "application/json"
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert PatrolLog.objects.filter(officer=officer.officer).count() == 1


@pytest.mark.django_db
def test_without_a_key_the_second_start_is_the_conflict_it_always_was(officer):
    phone = token_client(officer)
    assert start(phone, None).status_code == 201
    second = start(phone, None)
    assert second.status_code == 409
    assert second.json()["state"] == "open"


@pytest.mark.django_db
def test_the_same_key_on_another_body_or_path_is_422_and_writes_nothing(officer, unit):
    phone = token_client(officer)
    assert start(phone, "k-1").status_code == 201

    other_body = start(phone, "k-1", {"mode": "foot"})
    patrol = PatrolLog.objects.get()
    other_path = phone.post(
        f"{PATROLS}{patrol.pk}/end/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert other_body.status_code == 422 and other_path.status_code == 422
    assert "different request" in other_body.json()["detail"]
    patrol.refresh_from_db()
    assert patrol.mode == "car" and patrol.ended_at is None
    assert PatrolLog.objects.count() == 1


@pytest.mark.django_db
def test_two_users_may_use_the_same_key(officer, other_officer):
    first = start(token_client(officer), "shared-key")
    second = start(token_client(other_officer), "shared-key")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert PatrolLog.objects.count() == 2


@pytest.mark.django_db
def test_a_key_older_than_24_hours_is_a_new_request_and_the_prune_removes_it(officer):
    phone = token_client(officer)
    with time_machine.travel(timezone.now() - dt.timedelta(hours=25), tick=False):
        assert start(phone, "old-key").status_code == 201
    PatrolLog.objects.update(ended_at=timezone.now() - dt.timedelta(minutes=5))
    fresh = start(phone, "fresh-key")

    # the old key's answer is not given again: the request runs (a second patrol)
    again = start(phone, "old-key")

    assert again.status_code == 409  # the fresh patrol is open: the start ran, refused
    assert "Idempotent-Replayed" not in again
    assert fresh.status_code == 201
    # the hourly task deletes what is older than 24 hours, and only that
    IdempotencyKey.objects.filter(key="old-key").update(
        created_at=timezone.now() - dt.timedelta(hours=24, seconds=1)
    )
    assert prune_idempotency_keys_task() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh-key"]


@pytest.mark.django_db
def test_the_management_command_prunes_too(officer, capsys):
    with time_machine.travel(timezone.now() - dt.timedelta(days=2), tick=False):
        start(token_client(officer), "very-old")
    call_command("prune_idempotency_keys")
    assert "1 expired" in capsys.readouterr().out
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["x" * 256, "", "with space", "键", "tab\tkey"])
def test_a_key_that_is_not_1_to_255_visible_ascii_characters_is_400(officer, key):
    response = start(token_client(officer), key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not PatrolLog.objects.exists() and not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_a_key_of_255_characters_is_accepted(officer):
    assert start(token_client(officer), "~" * 255).status_code == 201


@pytest.mark.django_db
def test_a_server_error_is_not_kept_so_that_a_retry_runs(officer, monkeypatch):
    from brigade.duty import services

    real = services.patrol_start

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "patrol_start", broken)
    phone = token_client(officer)
    phone.raise_request_exception = False
    assert start(phone, "retry-me").status_code == 500
    assert not IdempotencyKey.objects.exists()

    monkeypatch.setattr(services, "patrol_start", real)
    retried = start(phone, "retry-me")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried


@pytest.mark.django_db
def test_an_answer_too_large_to_keep_is_not_run_again(officer, settings):
    settings.IDEMPOTENCY_MAX_RESPONSE_BYTES = 10
    phone = token_client(officer)
    assert start(phone, "big").status_code == 201
    again = start(phone, "big")
    assert again.status_code == 409
    assert "already carried out" in again.json()["detail"]
    assert PatrolLog.objects.count() == 1


@pytest.mark.django_db
def test_anonymous_requests_store_nothing(officer):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "officer", "password": "wrong"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="sign-in",
    )
    assert response.status_code == 400
    assert start(client, "anon").status_code == 401
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_queries_per_write_grow_by_a_constant(officer, django_assert_num_queries):
    phone = token_client(officer)
    # measured: a start without a key, then ended so that the next may start
    with CaptureQueriesContext(connection) as plain:
        assert start(phone, None).status_code == 201
    PatrolLog.objects.update(ended_at=timezone.now())
    # with a key: the token read by the middleware, the claim (an insert, in a savepoint
    # here inside the test's transaction) and the kept answer (one update)
    with django_assert_num_queries(len(plain) + 5):
        assert start(phone, "counted").status_code == 201
    # a repeat: the token, the claim refused by the unique key, the key's row read; no view
    with django_assert_num_queries(6):
        assert start(phone, "counted").status_code == 201


# --- repeated transitions -------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_on_a_signed_ticket_answers_the_ticket_and_reply_on_a_closed_one_is_409(clerk, unit):
    desk = token_client(clerk)
    signed = TicketFactory(unit=unit, status=TicketStatus.SIGNED, signed_by=clerk)
    closed = TicketFactory(unit=unit, status=TicketStatus.CLOSED, next_due=None)
    history = signed.history.count()

    sign = desk.post(f"/api/v1/petitions/tickets/{signed.pk}/sign/", {}, format="json")
    reply = desk.post(
        f"/api/v1/petitions/tickets/{closed.pk}/reply/", {"text": "已处理"}, format="json"
    )

    assert sign.status_code == 200 and sign.json()["status"] == TicketStatus.SIGNED
    assert signed.history.count() == history
    assert reply.status_code == 409 and reply.json()["state"] == TicketStatus.CLOSED
    closed.refresh_from_db()
    assert closed.reply == ""


@pytest.mark.django_db
def test_double_submit_of_the_side_panels_sign_signs_once_and_both_show_signed(client, clerk, unit):
    # given a received ticket open in the clerk's side panel (Chinese, the default)
    ticket = TicketFactory(unit=unit)
    client.force_login(clerk)
    url = reverse("petitions:ticket_sign", args=[ticket.pk])
    form = {"idempotency_key": "panel-form-1"}

    # when the 签收 button is clicked twice: two htmx posts of the same rendered form
    first = client.post(url, form, HTTP_HX_REQUEST="true", HTTP_IDEMPOTENCY_KEY="panel-form-1")
    second = client.post(url, form, HTTP_HX_REQUEST="true", HTTP_IDEMPOTENCY_KEY="panel-form-1")

    # then one signing, and both answers are the panel showing 已签收, without an error
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and second["Idempotent-Replayed"] == "true"
    html = second.content.decode()
    assert "已签收" in html and 'data-testid="panel-error"' not in html
    assert "只有已受理的工单才能签收" not in html
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SIGNED
    assert ticket.history.filter(status=TicketStatus.SIGNED).count() == 1


@pytest.mark.django_db
def test_sign_without_a_key_on_a_signed_ticket_shows_the_state_in_the_panel(client, clerk, unit):
    ticket = TicketFactory(unit=unit, status=TicketStatus.SIGNED, signed_by=clerk)
    client.force_login(clerk)
    response = client.post(
        reverse("petitions:ticket_sign", args=[ticket.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "已签收" in html and 'data-testid="panel-error"' not in html


@pytest.mark.django_db
def test_a_plain_form_sent_twice_with_its_hidden_key_starts_one_patrol(client, officer):
    client.force_login(officer)
    form = {"mode": "foot", "idempotency_key": "duty-form-7"}
    first = client.post(reverse("brigade:patrollog_start"), form)
    second = client.post(reverse("brigade:patrollog_start"), form)
    assert first.status_code == second.status_code
    assert second["Location"] == first["Location"]
    assert PatrolLog.objects.filter(officer=officer.officer).count() == 1


@pytest.mark.django_db
def test_a_page_form_reusing_a_key_for_another_request_is_told_so(client, officer):
    client.force_login(officer)
    client.post(reverse("brigade:patrollog_start"), {"mode": "foot", "idempotency_key": "k"})
    response = client.post(
        reverse("brigade:patrollog_start"), {"mode": "car", "idempotency_key": "k"}
    )
    assert response.status_code == 422
    assert 'data-testid="idempotency-refused"' in response.content.decode()
    assert PatrolLog.objects.filter(officer=officer.officer).count() == 1


@pytest.mark.django_db
def test_a_session_api_write_without_its_csrf_token_is_not_replayed(officer):
    # given a start made from a phone with a key
    start(token_client(officer), "csrf-key")
    # when a page in another site makes the officer's browser post the same request
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(officer)
    response = start(browser, "csrf-key")
    # then DRF's CSRF check refuses it, as it would without a key
    assert response.status_code == 403
    assert "Idempotent-Replayed" not in response


# --- the schema -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_write_documents_the_key_and_its_422(client, officer):
    client.force_login(officer)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    writes = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in ("post", "put", "patch", "delete") or not operation.get("security"):
                continue
            writes += 1
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
            assert "Idempotency-Key" in names, (method, path)
            assert {"400", "409", "422"} <= set(operation["responses"]), (method, path)
    assert writes > 40


# --- two processes at once ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_start_from_two_threads_at_once_makes_one_patrol(
    live_server, officer, monkeypatch
):
    """Two server threads with their own connections: the second request finds the key
    claimed, waits for the first to finish, and answers its answer."""
    import requests

    from brigade.duty import services

    assert connection.vendor == "postgresql"
    real = services.patrol_start
    entered = threading.Event()

    def slow(**kwargs):  # type: ignore[no-untyped-def]
        entered.set()
        threading.Event().wait(0.8)  # the first request is still running...
        return real(**kwargs)

    monkeypatch.setattr(services, "patrol_start", slow)
    headers = {"Authorization": f"Token {issue_token(officer)}", "Idempotency-Key": "same-tap"}
    answers: list[requests.Response] = []

    def send() -> None:
        answers.append(
            requests.post(f"{live_server.url}{PATROLS}", json=START, headers=headers, timeout=30)
        )

    first = threading.Thread(target=send)
    first.start()
    assert entered.wait(10)
    second = threading.Thread(target=send)  # ...when the second arrives
    second.start()
    first.join()
    second.join()

    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].content == answers[1].content
    assert answers[1].headers.get("Idempotent-Replayed") == "true"
    assert PatrolLog.objects.filter(officer=officer.officer).count() == 1


def test_the_fingerprint_ignores_a_multipart_boundary(rf):
    def upload(boundary: str):  # type: ignore[no-untyped-def]
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n照片\r\n'
            f"--{boundary}--\r\n"
        ).encode()
        return rf.post(
            "/hazards/1/photos/", body, content_type=f"multipart/form-data; boundary={boundary}"
        )

    same = idempotency.fingerprint(upload("----a1")) == idempotency.fingerprint(upload("----b2"))
    other = rf.post("/hazards/1/photos/", b"x", content_type="multipart/form-data; boundary=q")
    assert same
    assert idempotency.fingerprint(other) != idempotency.fingerprint(upload("----a1"))


@pytest.mark.django_db
def test_a_revealed_phone_number_is_not_stored_with_the_key(clerk, unit):
    ticket = TicketFactory(unit=unit, citizen_phone="13812345678")
    desk = token_client(clerk)
    url = f"/api/v1/petitions/tickets/{ticket.pk}/reveal/"

    first = desk.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="reveal-1")
    again = desk.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="reveal-1")

    assert first.json()["citizen_phone"] == again.json()["citizen_phone"] == "13812345678"
    assert not IdempotencyKey.objects.exists()
    # each showing is audited
    assert ticket.phone_views.filter(user=clerk).count() == 2


CLIENT_PROCESS = """
import json, os, sys, time
import django
django.setup()
from rest_framework.test import APIClient
client = APIClient()
client.credentials(HTTP_AUTHORIZATION="Token " + sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
response = client.post(
    "/api/v1/brigade/patrols/", {"mode": "car"}, format="json",
    HTTP_IDEMPOTENCY_KEY="two-processes",
)
print(json.dumps({"status": response.status_code, "body": response.content.decode()}))
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_start_from_two_processes_at_once_makes_one_patrol(officer):
    """Two separate Python processes, each running the whole middleware stack with its own
    connection, send the same start at the same instant: one patrol, one answer."""
    import json
    import os
    import subprocess
    import sys
    import time

    assert connection.vendor == "postgresql"
    token = issue_token(officer)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "brigade.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
    }
    at = time.time() + 6  # both processes are set up by then, and send together
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CLIENT_PROCESS, token, str(at)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    answers = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err[-2000:]
        answers.append(json.loads(out.strip().splitlines()[-1]))

    assert [a["status"] for a in answers] == [201, 201]
    assert answers[0]["body"] == answers[1]["body"]
    assert PatrolLog.objects.filter(officer=officer.officer).count() == 1
    assert IdempotencyKey.objects.get(key="two-processes").status_code == 201
