"""The incidents pages as their users see them: status, what is on the page, the DB."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from brigade.core.dashboard.panels import panels
from brigade.core.nav import quick_actions
from brigade.core.scope import scope_of
from incidents.choices import AdvanceStatus, HandlingMode, Severity
from incidents.models import Accident, AccidentDocument, FundAdvance, Recovery
from incidents.panels import panel_context
from tests.incidents.factories import (
    AccidentFactory,
    AccidentPartyFactory,
    FundAdvanceFactory,
    RecoveryFactory,
    paid_advance,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def rows(response, prefix):
    return [int(pk) for pk in re.findall(rf'data-testid="{prefix}(\d+)"', response.text)]


def test_quick_settlement_on_the_duty_page_and_in_one_post(en, officer, unit):
    en.force_login(officer)
    duty = en.get(reverse("brigade:duty"))
    assert reverse("incidents:accident_quick_settlement") in duty.text
    assert "quick-settlement" in [
        link["key"] for link in quick_actions.for_scope(scope_of(officer))
    ]

    form = en.get(reverse("incidents:accident_quick_settlement"))
    # the time is filled in with now: the officer types the road and two plates
    assert timezone.localtime().strftime("%Y-%m-%dT") in form.text
    response = en.post(
        reverse("incidents:accident_quick_settlement"),
        {
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "road": "花园路",
            "plate_a": "鲁p12345",
            "insurer_a": "人保财险",
            "plate_b": "鲁P67890",
            "insurer_b": "",
        },
    )
    accident = Accident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:accident_detail", args=[accident.pk])
    assert accident.unit == unit
    assert accident.handling_mode == HandlingMode.QUICK
    assert sorted(accident.parties.values_list("plate", flat=True)) == ["鲁P12345", "鲁P67890"]
    detail = en.get(response["Location"])
    assert "鲁P12345" in detail.text and "Quick settlement" in detail.text


def test_quick_settlement_without_plates_shows_the_field_errors(en, officer):
    en.force_login(officer)
    response = en.post(reverse("incidents:accident_quick_settlement"), {"road": "花园路"})
    assert response.status_code == 200
    assert 'data-testid="error-plate_a"' in response.text
    assert Accident.objects.count() == 0


def test_full_accident_form_and_its_validation(en, officer):
    en.force_login(officer)
    bad = en.post(
        reverse("incidents:accident_create"),
        {
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "road": "兴华路",
            "severity": Severity.INJURY,
            "handling_mode": HandlingMode.QUICK,
        },
    )
    assert "Only an accident with property damage only can be settled quickly." in bad.text
    good = en.post(
        reverse("incidents:accident_create"),
        {
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "road": "兴华路",
            "severity": Severity.INJURY,
            "handling_mode": HandlingMode.GENERAL,
            "hit_and_run": "on",
        },
    )
    assert good.status_code == 302
    assert Accident.objects.get().hit_and_run is True


def test_parties_documents_and_history_on_the_accident_page(en, officer, unit):
    accident = AccidentFactory(unit=unit)
    en.force_login(officer)
    en.post(
        reverse("incidents:accidentparty_create", args=[accident.pk]),
        {"role": "driver", "name": "李四", "plate": "鲁P00001", "insurer": "太平洋"},
    )
    pdf = SimpleUploadedFile("认定书.pdf", b"%PDF-1.4 ruling", content_type="application/pdf")
    en.post(
        reverse("incidents:accidentdocument_create", args=[accident.pk]),
        {"title": "责任认定书", "file": pdf},
    )
    fake = SimpleUploadedFile("x.pdf", b"<html>", content_type="application/pdf")
    refused = en.post(
        reverse("incidents:accidentdocument_create", args=[accident.pk]),
        {"title": "假文件", "file": fake},
    )
    assert refused.status_code == 400
    assert "Upload a PDF document" in refused.text

    page = en.get(reverse("incidents:accident_detail", args=[accident.pk]))
    assert "李四" in page.text and "鲁P00001" in page.text
    document = AccidentDocument.objects.get()
    assert reverse("incidents:accidentdocument_file", args=[document.pk]) in page.text
    assert 'data-testid="history"' in page.text
    download = en.get(reverse("incidents:accidentdocument_file", args=[document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_another_units_document_is_404(client, officer, other_unit):
    accident = AccidentFactory(unit=other_unit)
    document = AccidentDocument(accident=accident, title="x")
    document.file.save("x.pdf", SimpleUploadedFile("x.pdf", b"%PDF-1.4"), save=True)
    client.force_login(officer)
    assert (
        client.get(reverse("incidents:accidentdocument_file", args=[document.pk])).status_code
        == 404
    )
    assert client.get(reverse("incidents:accident_detail", args=[accident.pk])).status_code == 404


def test_solving_from_the_page_and_the_refusal_for_an_ordinary_accident(en, officer, unit):
    case = AccidentFactory(unit=unit, hit_and_run=True)
    ordinary = AccidentFactory(unit=unit)
    en.force_login(officer)
    page = en.get(reverse("incidents:accident_detail", args=[case.pk]))
    assert 'data-testid="solve-form"' in page.text
    assert (
        'data-testid="solve-form"'
        not in en.get(reverse("incidents:accident_detail", args=[ordinary.pk])).text
    )

    when = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    en.post(
        reverse("incidents:accident_solve", args=[case.pk]),
        {"solved_at": when, "solved_how": "witness"},
    )
    refused = en.post(
        reverse("incidents:accident_solve", args=[ordinary.pk]),
        {"solved_at": when, "solved_how": "witness"},
        follow=True,
    )
    case.refresh_from_db()
    assert case.case_state == "solved"
    assert "Only a hit-and-run case can be solved" in refused.text
    assert Accident.objects.get(pk=ordinary.pk).solved_at is None


def test_hit_and_run_list_shows_open_cases_oldest_first_with_their_age(en, officer, unit):
    now = timezone.now()
    young = AccidentFactory(unit=unit, hit_and_run=True, occurred_at=now - dt.timedelta(days=3))
    old = AccidentFactory(unit=unit, hit_and_run=True, occurred_at=now - dt.timedelta(days=30))
    solved = AccidentFactory(
        unit=unit,
        hit_and_run=True,
        occurred_at=now - dt.timedelta(days=50),
        solved_at=now - dt.timedelta(days=46),
    )
    AccidentFactory(unit=unit)
    en.force_login(officer)
    page = en.get(reverse("incidents:accident_hit_and_run_list"))
    assert rows(page, "case-row-") == [old.pk, young.pk, solved.pk]
    assert f'data-testid="case-days-{old.pk}"' in page.text
    assert re.search(rf'case-days-{old.pk}"[^>]*>30<', page.text)
    assert re.search(rf'case-days-{solved.pk}"[^>]*>4<', page.text)
    assert "2 open cases" in page.text
    assert "solved cases took 4.0 days on average" in page.text
    only_open = en.get(reverse("incidents:accident_hit_and_run_list"), {"open_case": "true"})
    assert rows(only_open, "case-row-") == [old.pk, young.pk]


def test_advance_journey_request_approve_pay_recover(client, officer, commander, clerk, unit):
    accident = AccidentFactory(unit=unit, severity=Severity.INJURY)
    client.force_login(officer)
    client.post(
        reverse("incidents:fundadvance_create", args=[accident.pk]),
        {"beneficiary": "王五", "payee": "市人民医院", "purpose": "rescue", "amount": "30000.50"},
    )
    advance = FundAdvance.objects.get()
    assert advance.requested_by == officer

    client.force_login(commander)
    page = client.get(reverse("incidents:fundadvance_detail", args=[advance.pk]))
    version = re.search(r'name="version" value="([^"]+)"', page.text).group(1)
    client.post(
        reverse("incidents:fundadvance_approve", args=[advance.pk]),
        {"version": version.replace("&quot;", '"')},
    )
    client.force_login(clerk)
    due = timezone.localdate() + dt.timedelta(days=7)
    client.post(
        reverse("incidents:fundadvance_pay", args=[advance.pk]), {"recovery_due": due.isoformat()}
    )
    client.post(
        reverse("incidents:recovery_create", args=[advance.pk]),
        {"payer": "肇事方", "amount": "10000.25", "received_on": timezone.localdate().isoformat()},
    )
    too_much = client.post(
        reverse("incidents:recovery_create", args=[advance.pk]),
        {"payer": "肇事方", "amount": "20000.26", "received_on": timezone.localdate().isoformat()},
    )
    assert too_much.status_code == 400

    advance.refresh_from_db()
    assert advance.status == AdvanceStatus.PAID
    assert advance.outstanding == Decimal("20000.25")
    page = client.get(reverse("incidents:fundadvance_detail", args=[advance.pk]))
    assert 'data-testid="recovery-warning"' in page.text  # due within the warning days
    assert re.search(r'data-testid="advance-outstanding">20[,.]?000\.25<', page.text)
    assert Recovery.objects.count() == 1


def test_requester_cannot_approve_their_own_advance_on_the_page(client, commander, unit):
    advance = FundAdvanceFactory(accident__unit=unit, requested_by=commander)
    client.force_login(commander)
    page = client.get(reverse("incidents:fundadvance_detail", args=[advance.pk]))
    assert 'data-testid="approve"' not in page.text
    assert 'data-testid="own-request"' in page.text
    assert (
        client.post(reverse("incidents:fundadvance_approve", args=[advance.pk])).status_code == 403
    )
    assert FundAdvance.objects.get(pk=advance.pk).status == AdvanceStatus.REQUESTED


def test_paying_an_unapproved_advance_from_the_page_says_why(en, clerk, unit):
    advance = FundAdvanceFactory(accident__unit=unit)
    en.force_login(clerk)
    response = en.post(reverse("incidents:fundadvance_pay", args=[advance.pk]), {}, follow=True)
    assert "Only an approved advance can be paid" in response.text
    assert FundAdvance.objects.get(pk=advance.pk).status == AdvanceStatus.REQUESTED


def test_ledger_page_totals_and_excel_export(client, clerk, unit):
    june = timezone.make_aware(dt.datetime(2022, 6, 2, 10))
    a = paid_advance("1234.56", paid_at=june, accident__unit=unit)
    paid_advance("100.44", paid_at=june, accident__unit=unit)
    RecoveryFactory(advance=a, amount=Decimal("34.56"), received_on=dt.date(2022, 6, 20))
    client.force_login(clerk)
    query = {"date_from": "2022-06-01", "date_to": "2022-06-30"}

    page = client.get(reverse("incidents:ledger"), query)

    assert re.search(r'data-testid="total-paid">1[,.]?335\.00<', page.text)
    assert re.search(r'data-testid="total-outstanding">1[,.]?300\.44<', page.text)
    export = client.get(reverse("incidents:ledger"), {**query, "export": "xlsx"})
    book = load_workbook(BytesIO(b"".join(export.streaming_content)))
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[6] for row in values] == [1234.56, 100.44, 1335.0]  # the rows, then the total
    assert [row[8] for row in values][-1] == pytest.approx(1300.44)


def test_ledger_with_a_backwards_period_is_400(client, clerk):
    client.force_login(clerk)
    response = client.get(
        reverse("incidents:ledger"), {"date_from": "2022-06-30", "date_to": "2022-06-01"}
    )
    assert response.status_code == 400
    assert 'data-testid="error-date_to"' in response.text


def test_dashboard_panel_lists_approvals_deadlines_and_open_cases(commander, unit, other_unit):
    today = timezone.localdate()
    awaiting = FundAdvanceFactory(accident__unit=unit)
    overdue = paid_advance(accident__unit=unit, recovery_due=today - dt.timedelta(days=1))
    case = AccidentFactory(unit=unit, hit_and_run=True)
    FundAdvanceFactory(accident__unit=other_unit)  # out of scope
    panel = next(p for p in panels.render(commander, None) if p["key"] == "incidents")
    assert panel["awaiting"] == [awaiting]
    assert panel["warnings"] == [overdue]
    assert panel["cases"] == [case]
    assert panel["awaiting_count"] == 1


def test_no_panel_for_an_officer(officer):
    assert "incidents" not in [p["key"] for p in panels.render(officer, None)]


@pytest.mark.parametrize("count", [1, 8])
def test_list_pages_run_a_fixed_number_of_queries(
    client, brigade_commander, unit, count, django_assert_num_queries
):
    for _ in range(count):
        accident = AccidentFactory(unit=unit, hit_and_run=True)
        AccidentPartyFactory(accident=accident)
        advance = paid_advance(accident=accident, recovery_due=timezone.localdate())
        RecoveryFactory(advance=advance, amount=Decimal("1.00"))
    client.force_login(brigade_commander)
    # each page's own, and one for the bell's count of unread notices
    expected = {
        "incidents:accident_list": 11,
        "incidents:accident_hit_and_run_list": 13,
        "incidents:fundadvance_list": 11,
        "incidents:ledger": 10,
    }
    for name, queries in expected.items():
        client.get(reverse(name))  # warm up
        with django_assert_num_queries(queries):
            assert client.get(reverse(name)).status_code == 200
    details = {
        # 12 of its own, one for the hazards raised from it (the hazards app's section) and
        # one for the bell
        reverse("incidents:accident_detail", args=[Accident.objects.first().pk]): 14,
        # 10 of its own, the bell, and the escalations recorded on it
        reverse("incidents:fundadvance_detail", args=[FundAdvance.objects.first().pk]): 12,
    }
    for url, queries in details.items():
        client.get(url)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


def test_mediation_outcome_recorded_later_on_the_edit_page(client, officer, unit):
    accident = AccidentFactory(unit=unit, handling_mode=HandlingMode.SIMPLE)
    client.force_login(officer)
    form = client.get(reverse("incidents:accident_edit", args=[accident.pk]))
    assert accident.road in form.text
    data = {
        "occurred_at": timezone.localtime(accident.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        "road": accident.road,
        "place": accident.place,
        "severity": accident.severity,
        "handling_mode": accident.handling_mode,
        "mediation": "agreed",
    }
    response = client.post(reverse("incidents:accident_edit", args=[accident.pk]), data)
    assert response.status_code == 302
    accident.refresh_from_db()
    assert accident.mediation == "agreed"
    assert accident.history.count() == 2
    page = client.get(reverse("incidents:accident_detail", args=[accident.pk]))
    assert "调解成功" in page.text  # the history and the facts show the outcome


def test_another_units_accident_cannot_be_edited(client, officer, other_unit):
    accident = AccidentFactory(unit=other_unit)
    client.force_login(officer)
    assert client.get(reverse("incidents:accident_edit", args=[accident.pk])).status_code == 404
    assert (
        client.post(reverse("incidents:accident_edit", args=[accident.pk]), {}).status_code == 404
    )


@pytest.mark.parametrize("count", [1, 7])
def test_dashboard_panel_runs_a_fixed_number_of_queries(
    brigade_commander, unit, count, django_assert_num_queries
):
    today = timezone.localdate()
    for _ in range(count):
        FundAdvanceFactory(accident__unit=unit)
        paid_advance(accident__unit=unit, recovery_due=today)
        AccidentFactory(unit=unit, hit_and_run=True)
    scope_of(brigade_commander)  # the scope is read once per request, before the panels
    with django_assert_num_queries(6):
        panel = panel_context(brigade_commander, unit.pk)
        assert panel["awaiting_count"] == count
        assert len(panel["awaiting"]) == min(count, 5)
