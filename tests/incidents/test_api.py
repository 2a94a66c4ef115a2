"""The incidents API: accidents, solve, advances through their states, recoveries, ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from incidents.choices import AdvanceStatus, HandlingMode, Severity
from incidents.models import Accident, FundAdvance, Recovery
from tests.incidents.factories import (
    AccidentFactory,
    AccidentPartyFactory,
    FundAdvanceFactory,
    RecoveryFactory,
    paid_advance,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]
BASE = "/api/v1/incidents"


def test_officer_records_an_accident_with_parties_in_their_unit(api_as, officer, unit):
    body = {
        "road": "花园路",
        "severity": "property",
        "handling_mode": "quick",
        "parties": [
            {"plate": "鲁P12345", "insurer": "人保财险"},
            {"plate": "鲁P67890", "insurer": "平安产险"},
        ],
    }
    response = api_as(officer).post(f"{BASE}/accidents/", body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["unit"]["id"] == unit.pk
    assert [p["plate"] for p in response.data["parties"]] == ["鲁P12345", "鲁P67890"]
    assert response.data["recorded_by"]["username"] == "officer"
    assert Accident.objects.get().handling_mode == HandlingMode.QUICK


def test_accident_fields_set_by_the_server_are_ignored(api_as, officer):
    body = {"road": "兴华路", "hit_and_run": True, "solved_at": "2022-01-01T00:00:00Z"}
    response = api_as(officer).post(f"{BASE}/accidents/", body, format="json")
    assert response.status_code == 201
    assert response.data["solved_at"] is None
    assert response.data["case_state"] == "open"


def test_invalid_accident_answers_400_with_field_messages(api_as, officer):
    body = {"road": "兴华路", "severity": "injury", "handling_mode": "quick"}
    response = api_as(officer).post(f"{BASE}/accidents/", body, format="json")
    assert response.status_code == 400
    assert "handling_mode" in response.data


def test_solve_answers_409_for_an_accident_that_is_not_a_hit_and_run(api_as, officer, unit):
    accident = AccidentFactory(unit=unit)
    response = api_as(officer).post(
        f"{BASE}/accidents/{accident.pk}/solve/", {"solved_how": "witness"}, format="json"
    )
    assert response.status_code == 409
    assert response.data["state"] == "not_hit_and_run"
    assert "不是逃逸案件" in response.data["detail"]  # says why, in the default language


def test_solve_a_hit_and_run(api_as, officer, unit):
    accident = AccidentFactory(unit=unit, hit_and_run=True)
    response = api_as(officer).post(
        f"{BASE}/accidents/{accident.pk}/solve/", {"solved_how": "surveillance"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["case_state"] == "solved"
    assert response.data["solved_by"]["username"] == "officer"
    assert response.data["days_to_solve"] == 3  # the factory's accident is three days old


def test_other_units_accident_is_404(api_as, officer, other_unit):
    accident = AccidentFactory(unit=other_unit, hit_and_run=True)
    client = api_as(officer)
    assert client.get(f"{BASE}/accidents/{accident.pk}/").status_code == 404
    assert client.post(f"{BASE}/accidents/{accident.pk}/solve/", {}).status_code == 404


def test_advance_flow_through_the_api(api_as, officer, commander, clerk, unit):
    accident = AccidentFactory(unit=unit, severity=Severity.INJURY)
    request = {
        "accident": accident.pk,
        "beneficiary": "张三",
        "payee": "市人民医院",
        "purpose": "rescue",
        "amount": "23456.78",
        # mass assignment: ignored
        "status": "paid",
        "amount_recovered": "23456.78",
        "approved_by": commander.pk,
    }
    created = api_as(officer).post(f"{BASE}/fund-advances/", request, format="json")
    assert created.status_code == 201, created.data
    assert created.data["status"] == "requested"
    assert created.data["amount_recovered"] == "0.00"
    assert created.data["approved_by"] is None
    pk = created.data["id"]

    # paying before approval: 409 naming the state
    paid_early = api_as(clerk).post(f"{BASE}/fund-advances/{pk}/pay/", {}, format="json")
    assert paid_early.status_code == 409
    assert paid_early.data["state"] == "requested"

    assert api_as(clerk).post(f"{BASE}/fund-advances/{pk}/approve/").status_code == 403
    # the approval names the version the commander read
    etag = api_as(commander).get(f"{BASE}/fund-advances/{pk}/")["ETag"]
    approved = api_as(commander).post(f"{BASE}/fund-advances/{pk}/approve/", HTTP_IF_MATCH=etag)
    assert approved.status_code == 200
    assert approved.data["approved_by"]["username"] == "commander"

    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    paid = api_as(clerk).post(
        f"{BASE}/fund-advances/{pk}/pay/", {"recovery_due": due}, format="json"
    )
    assert paid.status_code == 200
    assert paid.data["outstanding"] == "23456.78"
    assert paid.data["recovery_warning"] == "due_soon"

    recovery = api_as(clerk).post(
        f"{BASE}/recoveries/",
        {"advance": pk, "payer": "保险公司", "amount": "20000.00"},
        format="json",
    )
    assert recovery.status_code == 201, recovery.data
    too_much = api_as(clerk).post(
        f"{BASE}/recoveries/",
        {"advance": pk, "payer": "肇事方", "amount": "3456.79"},
        format="json",
    )
    assert too_much.status_code == 400
    assert "3,456.78" in too_much.data["amount"][0]
    after = api_as(clerk).get(f"{BASE}/fund-advances/{pk}/")
    assert after.data["outstanding"] == "3456.78"
    assert after.data["amount_recovered"] == "20000.00"


def test_approving_ones_own_request_is_403_with_a_clear_message(api_as, commander, unit):
    advance = FundAdvanceFactory(accident__unit=unit, requested_by=commander)
    response = api_as(commander).post(f"{BASE}/fund-advances/{advance.pk}/approve/")
    assert response.status_code == 403
    assert "须由其他领导审批" in response.data["detail"]
    assert FundAdvance.objects.get(pk=advance.pk).status == AdvanceStatus.REQUESTED


def test_patching_status_or_amounts_of_an_advance_is_ignored(api_as, officer, unit):
    advance = FundAdvanceFactory(accident__unit=unit, requested_by=officer)
    response = api_as(officer).patch(
        f"{BASE}/fund-advances/{advance.pk}/",
        {"status": "paid", "amount_recovered": "5.00", "paid_at": "2022-01-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 200
    advance.refresh_from_db()
    assert advance.status == AdvanceStatus.REQUESTED
    assert advance.amount_recovered == Decimal("0.00")
    assert advance.paid_at is None


def test_negative_amount_is_400(api_as, officer, unit):
    accident = AccidentFactory(unit=unit)
    body = {"accident": accident.pk, "beneficiary": "x", "payee": "y", "purpose": "rescue"}
    response = api_as(officer).post(
        f"{BASE}/fund-advances/", {**body, "amount": "-1.00"}, format="json"
    )
    assert response.status_code == 400
    assert "amount" in response.data


def test_recovery_against_another_units_advance_is_refused(api_as, clerk, other_unit):
    advance = paid_advance(accident__unit=other_unit)
    response = api_as(clerk).post(
        f"{BASE}/recoveries/", {"advance": advance.pk, "payer": "x", "amount": "1"}, format="json"
    )
    assert response.status_code == 400
    assert "advance" in response.data
    assert Recovery.objects.count() == 0


def test_ledger_totals_are_the_sums_of_its_rows(api_as, clerk, unit, other_unit):
    june = dt.datetime(2022, 6, 1, 10, tzinfo=dt.UTC)
    a = paid_advance("1000.10", paid_at=june, accident__unit=unit)
    b = paid_advance("2500.25", paid_at=june + dt.timedelta(days=3), accident__unit=unit)
    paid_advance("999.00", paid_at=june - dt.timedelta(days=40), accident__unit=unit)  # before
    paid_advance("777.00", paid_at=june, accident__unit=other_unit)  # out of scope
    RecoveryFactory(advance=a, amount=Decimal("400.05"), received_on=dt.date(2022, 6, 10))
    RecoveryFactory(advance=b, amount=Decimal("0.25"), received_on=dt.date(2022, 7, 10))  # after

    response = api_as(clerk).get(
        f"{BASE}/ledger/", {"date_from": "2022-06-01", "date_to": "2022-06-30"}
    )

    assert response.status_code == 200
    rows = response.data["advances"]
    assert [r["paid"] for r in rows] == ["1000.10", "2500.25"]
    assert [r["recovered"] for r in rows] == ["400.05", "0.00"]
    assert [r["outstanding"] for r in rows] == ["600.05", "2500.25"]
    assert response.data["totals"] == {
        "paid": "3500.35",
        "recovered": "400.05",
        "outstanding": "3100.30",
        "received_in_period": "400.05",
    }


def test_ledger_needs_a_valid_period(api_as, clerk):
    response = api_as(clerk).get(
        f"{BASE}/ledger/", {"date_from": "2022-06-30", "date_to": "2022-06-01"}
    )
    assert response.status_code == 400
    assert "date_to" in response.data


@pytest.mark.parametrize("rows", [1, 6])
def test_list_queries_do_not_grow_with_rows(
    api_as, brigade_commander, unit, rows, django_assert_num_queries
):
    for _ in range(rows):
        accident = AccidentFactory(unit=unit)
        AccidentPartyFactory(accident=accident)
        advance = paid_advance(accident=accident)
        RecoveryFactory(advance=advance, amount=Decimal("1.00"))
    client = api_as(brigade_commander)
    client.get(f"{BASE}/accidents/")  # warm the scope cache
    with django_assert_num_queries(3):
        assert client.get(f"{BASE}/accidents/").data["count"] == rows
    with django_assert_num_queries(2):
        assert client.get(f"{BASE}/fund-advances/").data["count"] == rows
    with django_assert_num_queries(2):
        assert client.get(f"{BASE}/recoveries/").data["count"] == rows
    with django_assert_num_queries(2):
        body = client.get(f"{BASE}/ledger/", {"date_from": "2000-01-01", "date_to": "2099-12-31"})
        assert len(body.data["advances"]) == rows


def test_an_accident_stays_with_its_unit(api_as, brigade_commander, unit, other_unit):
    accident = AccidentFactory(unit=unit)
    response = api_as(brigade_commander).patch(
        f"{BASE}/accidents/{accident.pk}/", {"unit": other_unit.pk}, format="json"
    )
    assert response.status_code == 400
    assert "unit" in response.data
    assert Accident.objects.get(pk=accident.pk).unit == unit


def test_admin_without_a_unit_must_name_one(api_as, admin_user, unit):
    client = api_as(admin_user)
    assert client.post(f"{BASE}/accidents/", {"road": "花园路"}, format="json").status_code == 400
    response = client.post(f"{BASE}/accidents/", {"road": "花园路", "unit": unit.pk}, format="json")
    assert response.status_code == 201
    assert response.data["unit"]["id"] == unit.pk


def test_recoveries_are_never_edited_or_deleted(api_as, admin_user, unit):
    recovery = RecoveryFactory(advance=paid_advance(accident__unit=unit))
    client = api_as(admin_user)
    url = f"{BASE}/recoveries/{recovery.pk}/"
    assert client.patch(url, {"amount": "1.00"}, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    assert client.delete(f"{BASE}/fund-advances/{recovery.advance_id}/").status_code == 403
    assert Recovery.objects.get(pk=recovery.pk).amount == Decimal("100.00")


def test_filters_by_state_and_outstanding(api_as, clerk, unit):
    open_case = AccidentFactory(unit=unit, hit_and_run=True)
    AccidentFactory(unit=unit, hit_and_run=True, solved_at=timezone.now())
    with_balance = paid_advance(accident__unit=unit)
    paid_advance("10.00", accident__unit=unit, amount_recovered=Decimal("10.00"))
    client = api_as(clerk)
    cases = client.get(f"{BASE}/accidents/", {"open_case": "true"}).data["results"]
    assert [a["id"] for a in cases] == [open_case.pk]
    owed = client.get(f"{BASE}/fund-advances/", {"outstanding": "true"}).data["results"]
    assert [a["id"] for a in owed] == [with_balance.pk]


def test_attach_a_document_checked_by_its_content(api_as, officer, unit, other_unit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incidents.models import AccidentDocument

    accident = AccidentFactory(unit=unit)
    client = api_as(officer)
    url = f"{BASE}/accidents/{accident.pk}/documents/"
    pdf = SimpleUploadedFile("ruling.pdf", b"%PDF-1.4 ruling", content_type="application/pdf")
    response = client.post(url, {"title": "责任认定书", "file": pdf}, format="multipart")
    assert response.status_code == 201, response.data
    document = AccidentDocument.objects.get()
    assert response.data["download"] == f"/incidents/documents/{document.pk}/"
    assert document.uploaded_by == officer

    fake = SimpleUploadedFile("x.pdf", b"<script>", content_type="application/pdf")
    refused = client.post(url, {"title": "假", "file": fake}, format="multipart")
    assert refused.status_code == 400
    assert "file" in refused.data
    other = AccidentFactory(unit=other_unit)
    pdf.seek(0)
    elsewhere = client.post(
        f"{BASE}/accidents/{other.pk}/documents/", {"title": "x", "file": pdf}, format="multipart"
    )
    assert elsewhere.status_code == 404
    assert AccidentDocument.objects.count() == 1


# --- the date window (brigade/core/dates.py) ------------------------------------------------------


@pytest.mark.parametrize(
    "occurred_at", ["0001-01-01T09:00:00+08:00", "1999-12-31T23:00:00+08:00", "2999-01-01T09:00"]
)
def test_an_accident_outside_the_window_is_400(api_as, officer, occurred_at):
    body = {"road": "花园路", "occurred_at": occurred_at}
    response = api_as(officer).post(f"{BASE}/accidents/", body, format="json")
    assert response.status_code == 400
    assert "2000-01-01" in " ".join(response.data["occurred_at"])
    assert not Accident.objects.exists()


def test_a_payment_dated_1950_is_400_and_the_advance_stays_approved(api_as, clerk, unit):
    advance = FundAdvanceFactory(accident__unit=unit, status="approved")
    response = api_as(clerk).post(
        f"{BASE}/fund-advances/{advance.pk}/pay/",
        {"paid_at": "1950-06-01T10:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 400 and "paid_at" in response.data
    advance.refresh_from_db()
    assert advance.status == "approved" and advance.paid_at is None


def test_a_recovery_deadline_more_than_a_year_ahead_is_400(api_as, clerk, unit):
    advance = FundAdvanceFactory(accident__unit=unit, status="approved")
    too_far = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    response = api_as(clerk).post(
        f"{BASE}/fund-advances/{advance.pk}/pay/", {"recovery_due": too_far}, format="json"
    )
    assert response.status_code == 400 and "recovery_due" in response.data
    advance.refresh_from_db()
    assert advance.status == "approved"


def test_a_recovery_received_tomorrow_is_400(api_as, clerk, unit):
    advance = paid_advance(accident__unit=unit)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api_as(clerk).post(
        f"{BASE}/recoveries/",
        {"advance": advance.pk, "payer": "肇事方", "amount": "10.00", "received_on": tomorrow},
        format="json",
    )
    assert response.status_code == 400 and "received_on" in response.data
    assert not advance.recoveries.exists()
