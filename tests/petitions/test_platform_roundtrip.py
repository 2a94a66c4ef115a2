"""The round trip with the 12345 platform: tickets imported, worked here, exported as one
spreadsheet the import's own parser reads back; each export takes what no export took
before; supervision notices and the platform's callback results imported by number, in
the clerk's unit only, all or nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from brigade.core.imports import read_table
from brigade.core.notices.models import Notice
from brigade.core.tokens import issue_token
from petitions import services
from petitions.choices import CallbackResult, PlatformActionKind, TicketStatus
from petitions.models import PlatformAction, PlatformExport, Ticket, TicketSupervision
from petitions.services.imports import IMPORT_COLUMNS
from petitions.services.platform import record_action
from tests.brigade.factories import OfficerFactory, UserFactory
from tests.petitions.factories import TicketCategoryFactory, TicketFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

TICKETS_HEADER = "工单编号,受理时间,诉求分类,诉求内容,承办单位,来源渠道,诉求人,联系电话,事发地点"
EXPORTS = "petitions-api:platform-export-list"
SUPERVISIONS = "petitions-api:ticket-import-supervisions"
CALLBACKS = "petitions-api:ticket-import-platform-callbacks"


def upload(text: str, name: str = "platform.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def stamp(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M")


def ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


@pytest.fixture
def category(db):
    return TicketCategoryFactory(code="jam", name="交通拥堵")


def read_back(content: bytes, name: str) -> list[dict[str, str]]:
    """The export read by the ticket import's own parser (its columns and spellings)."""
    table = read_table(
        io.BytesIO(content) if name.endswith(".xlsx") else upload(content.decode(), name),
        columns=IMPORT_COLUMNS,
        required=("number", "unit"),
    )
    return [values for _row, values in table]


def download(client, export_id: int, kind: str) -> bytes:
    url = reverse("petitions-api:platform-export-download", kwargs={"pk": export_id})
    response = client.get(url, {"as": kind})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_tickets_worked_here_go_back_as_one_file_the_import_reads(
    api_as, clerk, commander, unit, category
):
    # given: three tickets from the platform's file
    received = stamp(ago(hours=3))
    report = services.tickets_import(
        upload=upload(
            "\n".join(
                [
                    TICKETS_HEADER,
                    f"R-1,{received},交通拥堵,花园路拥堵,一中队,12345,张三,13812345678,花园路",
                    f"R-2,{received},交通拥堵,不属交警管辖,一中队,12345,李四,13900001111,",
                    f"R-3,{received},交通拥堵,信号灯故障,一中队,12345,王五,13700002222,",
                ]
            )
        ),
        by=clerk,
    )
    assert report.ok, report.errors
    one, two, three = (Ticket.objects.get(number=n) for n in ("R-1", "R-2", "R-3"))
    # when: the brigade works them (sign, reply, close; return; sign and an extension)
    services.ticket_sign(ticket=one, by=clerk)
    services.ticket_reply(ticket=one, text="已增派警力疏导。", by=clerk)
    services.ticket_close(ticket=one, by=clerk)
    services.ticket_return(ticket=two, reason="属城管职责。", by=clerk)
    services.ticket_sign(ticket=three, by=clerk)
    new_due = three.close_due + dt.timedelta(days=10)
    extension = services.extension_request(
        ticket=three, new_due=new_due, reason="需协调供电部门。", by=clerk
    )
    services.extension_decide(extension=extension, approve=True, by=commander)
    client = api_as(clerk)
    response = client.post(reverse(EXPORTS), {}, format="json")
    # then: one export of the six actions, in the order they were done
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rows"] == 6
    assert body["unit"]["id"] == unit.pk
    for kind in ("xlsx", "csv"):
        rows = read_back(download(client, body["id"], kind), f"export.{kind}")
        # the shared columns read as the import reads them: number first, the unit's name
        assert [r["number"] for r in rows] == ["R-1", "R-1", "R-1", "R-2", "R-3", "R-3"]
        assert {r["unit"] for r in rows} == {"一中队"}
    table = read_table(
        io.BytesIO(download(client, body["id"], "xlsx")),
        columns={"action": ["办理动作"], "text": ["办理意见"], "new_due": ["新办结期限"]},
        required=(),
    )
    assert [(v["action"], v["text"], v["new_due"]) for _r, v in table] == [
        ("签收", "", ""),
        ("回复", "已增派警力疏导。", ""),
        ("办结", "", ""),
        ("退单", "属城管职责。", ""),
        ("签收", "", ""),
        ("延期", "需协调供电部门。", new_due.isoformat()),
    ]
    # and the file's first header is the platform number, as the import spells it
    first_line = download(client, body["id"], "csv").decode("utf-8-sig").splitlines()[0]
    assert first_line.split(",")[0] == "工单编号"


def test_each_export_takes_only_what_no_export_took(api_as, clerk, unit, category):
    # given: a closed ticket, exported
    ticket = TicketFactory(unit=unit, category=category, received_at=ago(days=2))
    services.ticket_sign(ticket=ticket, by=clerk)
    services.ticket_reply(ticket=ticket, text="已处理。", by=clerk)
    services.ticket_close(ticket=ticket, by=clerk)
    client = api_as(clerk)
    first = client.post(reverse(EXPORTS), {}, format="json").json()
    assert first["rows"] == 3
    # when: nothing happens, the next export is empty
    second = client.post(reverse(EXPORTS), {}, format="json").json()
    assert second["rows"] == 0
    assert read_back(download(client, second["id"], "csv"), "e.csv") == []
    # when: a callback is recorded now, back-dated to before both exports
    services.ticket_callback(
        ticket=ticket, result=CallbackResult.SATISFIED, by=clerk, at=ago(days=1)
    )
    third = client.post(reverse(EXPORTS), {}, format="json").json()
    # then: it goes in the third export, and only there
    assert third["rows"] == 1
    rows = read_back(download(client, third["id"], "csv"), "e.csv")
    assert [r["number"] for r in rows] == [ticket.number]
    assert (
        PlatformAction.objects.filter(kind=PlatformActionKind.CALLBACK).get().export_id
        == (third["id"])
    )
    # and the history lists the three exports, newest first, with their row counts
    listed = client.get(reverse(EXPORTS)).json()
    assert [e["rows"] for e in listed["results"]] == [1, 0, 3]


def test_an_export_up_to_a_day_leaves_later_actions_for_the_next(api_as, clerk, unit, category):
    ticket = TicketFactory(unit=unit, category=category, received_at=ago(days=3))
    record_action(ticket=ticket, kind=PlatformActionKind.SIGN, by=clerk, at=ago(days=2))
    record_action(ticket=ticket, kind=PlatformActionKind.REPLY, by=clerk, at=ago(minutes=1))
    client = api_as(clerk)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    first = client.post(reverse(EXPORTS), {"until": yesterday}, format="json").json()
    assert first["rows"] == 1
    assert client.post(reverse(EXPORTS), {}, format="json").json()["rows"] == 1


def test_a_unit_exports_its_own_and_the_brigade_the_rest_never_twice(
    api_as, clerk, brigade_commander, unit, other_unit, category
):
    mine = TicketFactory(unit=unit, category=category)
    theirs = TicketFactory(unit=other_unit, category=category)
    services.ticket_sign(ticket=mine, by=clerk)
    services.ticket_sign(ticket=theirs, by=brigade_commander)
    # the clerk's export has the clerk's unit's action only
    own = api_as(clerk).post(reverse(EXPORTS), {}, format="json").json()
    assert own["rows"] == 1
    # the brigade's takes the other unit's, not the one the clerk took
    brigade = api_as(brigade_commander).post(reverse(EXPORTS), {}, format="json").json()
    assert brigade["rows"] == 1
    assert brigade["unit"] is None
    rows = read_back(download(api_as(brigade_commander), brigade["id"], "csv"), "e.csv")
    assert [r["number"] for r in rows] == [theirs.number]
    # the clerk neither lists nor downloads the brigade's export
    client = api_as(clerk)
    assert [e["id"] for e in client.get(reverse(EXPORTS)).json()["results"]] == [own["id"]]
    detail = reverse("petitions-api:platform-export-detail", kwargs={"pk": brigade["id"]})
    assert client.get(detail).status_code == 404
    url = reverse("petitions-api:platform-export-download", kwargs={"pk": brigade["id"]})
    assert client.get(url).status_code == 404


def test_a_close_undone_before_any_export_is_never_sent(clerk, unit, category):
    ticket = TicketFactory(unit=unit, category=category)
    services.ticket_sign(ticket=ticket, by=clerk)
    services.ticket_reply(ticket=ticket, text="已处理。", by=clerk)
    services.ticket_close(ticket=ticket, by=clerk)
    services.ticket_undo_close(ticket=ticket, by=clerk)
    export = services.platform_export(by=clerk)
    kinds = list(export.actions.order_by("id").values_list("kind", flat=True))
    assert kinds == [PlatformActionKind.SIGN, PlatformActionKind.REPLY]


def test_a_close_undone_after_its_export_is_withdrawn_on_the_platform(clerk, unit, category):
    ticket = TicketFactory(unit=unit, category=category)
    services.ticket_sign(ticket=ticket, by=clerk)
    services.ticket_reply(ticket=ticket, text="已处理。", by=clerk)
    services.ticket_close(ticket=ticket, by=clerk)
    services.platform_export(by=clerk)
    services.ticket_undo_close(ticket=ticket, by=clerk)
    export = services.platform_export(by=clerk)
    assert list(export.actions.values_list("kind", flat=True)) == [PlatformActionKind.UNDO_CLOSE]


def test_the_same_export_request_sent_twice_makes_one_export(api_as, clerk, unit, category):
    services.ticket_sign(ticket=TicketFactory(unit=unit, category=category), by=clerk)
    # signed in as a program does (a token), which the idempotency layer sees
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(clerk)}")
    headers = {"HTTP_IDEMPOTENCY_KEY": "export-1"}
    first = client.post(reverse(EXPORTS), {}, format="json", **headers)
    again = client.post(reverse(EXPORTS), {}, format="json", **headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert PlatformExport.objects.count() == 1


@pytest.mark.parametrize("until", ["0001-01-01", "9999-12-31", "2022-13-01", "\x00"])
def test_an_export_up_to_an_impossible_day_is_refused(api_as, clerk, until):
    response = api_as(clerk).post(reverse(EXPORTS), {"until": until}, format="json")
    assert response.status_code == 400
    assert "until" in response.json()
    assert PlatformExport.objects.count() == 0


def _export_queries(client, count: int, unit, category, clerk) -> int:
    tickets = [TicketFactory(unit=unit, category=category) for _ in range(count // 2)]
    for ticket in tickets:
        record_action(ticket=ticket, kind=PlatformActionKind.SIGN, by=clerk)
        record_action(ticket=ticket, kind=PlatformActionKind.REPLY, by=clerk, text="已处理。")
    with CaptureQueriesContext(connection) as made:
        export = client.post(reverse(EXPORTS), {}, format="json").json()
    with CaptureQueriesContext(connection) as xlsx:
        rows = read_back(download(client, export["id"], "xlsx"), "e.xlsx")
    with CaptureQueriesContext(connection) as listed:
        client.get(reverse(EXPORTS))
    assert len(rows) == count
    return len(made) + len(xlsx) + len(listed)


def test_an_export_costs_the_same_queries_for_200_actions_as_for_20(api_as, clerk, unit, category):
    client = api_as(clerk)
    _export_queries(client, 2, unit, category, clerk)  # the first request's one-off reads
    few = _export_queries(client, 20, unit, category, clerk)
    many = _export_queries(client, 200, unit, category, clerk)
    print(f"export + download + list: {few} queries for 20 actions, {many} for 200")
    assert many == few


# --- supervisions --------------------------------------------------------------------------

SUPERVISION_HEADER = "工单编号,督办类型,督办时间,督办期限,督办意见"


def supervision_file(*rows: str, header: str = SUPERVISION_HEADER) -> SimpleUploadedFile:
    return upload("\n".join([header, *rows]) + "\n", "supervisions.csv")


def post_file(client, name: str, file: SimpleUploadedFile, **query: str):
    url = reverse(name)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, {"file": file}, format="multipart")


def test_a_supervision_marks_the_ticket_and_notifies_its_holder(
    api_as, clerk, unit, category, django_capture_on_commit_callbacks
):
    # given: one ticket with a handler who signs in, one without
    handler = OfficerFactory(unit=unit, user=UserFactory(username="handler"))
    held = TicketFactory(
        unit=unit, category=category, handler=handler, status=TicketStatus.HANDLING
    )
    loose = TicketFactory(unit=unit, category=category)
    when = stamp(ago(hours=1))
    due = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    file = supervision_file(
        f"{held.number},督办,{when},{due},群众反映未解决，请限期办结。",
        f"{loose.number},催办,{when},,请尽快签收。",
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(api_as(clerk), SUPERVISIONS, file)
    # then: both tickets are marked, with the supervision's deadline
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2
    held.refresh_from_db()
    assert held.supervision_due == dt.date.fromisoformat(due)
    assert held.supervised_at is not None
    supervision = TicketSupervision.objects.get(ticket=held)
    assert (supervision.kind, supervision.text) == ("supervise", "群众反映未解决，请限期办结。")
    assert supervision.history.count() == 1
    assert held.history.first().supervision_due == dt.date.fromisoformat(due)
    # the handler is told of theirs; the unit's clerk of the ticket nobody holds
    notice = Notice.objects.get(key=f"supervision:{supervision.pk}")
    assert (notice.user.username, notice.kind, notice.action) == ("handler", "supervision", "reply")
    assert notice.due == dt.date.fromisoformat(due)
    other = TicketSupervision.objects.get(ticket=loose)
    assert Notice.objects.get(key=f"supervision:{other.pk}").user == clerk
    # the same file again changes nothing and notifies nobody again
    with django_capture_on_commit_callbacks(execute=True):
        again = post_file(
            api_as(clerk),
            SUPERVISIONS,
            supervision_file(f"{held.number},督办,{when},{due},群众反映未解决，请限期办结。"),
        )
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 1)
    assert Notice.objects.count() == 2


def test_a_supervision_of_another_units_ticket_is_a_row_error_and_nothing_is_written(
    api_as, clerk, unit, other_unit, category
):
    mine = TicketFactory(unit=unit, category=category)
    theirs = TicketFactory(unit=other_unit, category=category)
    when = stamp(ago(hours=1))
    file = supervision_file(
        f"{mine.number},督办,{when},,请办理。",
        f"{theirs.number},督办,{when},,请办理。",
        f"NO-SUCH,催办,{when},,请办理。",
    )
    response = post_file(api_as(clerk), SUPERVISIONS, file)
    assert response.status_code == 400
    errors = response.json()["errors"]
    # the other unit's ticket reads exactly as one that does not exist
    assert [(e["row"], e["column"]) for e in errors] == [(3, "number"), (4, "number")]
    # in the default language (zh-hans); another unit's number reads as an unknown one
    assert errors[0]["message"] == f"本单位未找到工单 {theirs.number}。"
    assert errors[1]["message"] == "本单位未找到工单 NO-SUCH。"
    assert TicketSupervision.objects.count() == 0
    assert Ticket.objects.filter(supervised_at__isnull=False).count() == 0


def test_a_supervision_dry_run_previews_and_writes_nothing(api_as, clerk, unit, category):
    ticket = TicketFactory(unit=unit, category=category)
    file = supervision_file(f"{ticket.number},督办,{stamp(ago(hours=1))},,请办理。")
    response = post_file(api_as(clerk), SUPERVISIONS, file, dry_run="1")
    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["created"]) == (True, 1)
    assert body["preview"][0]["number"] == ticket.number
    assert TicketSupervision.objects.count() == 0
    assert Notice.objects.count() == 0


# --- the platform's callbacks --------------------------------------------------------------

CALLBACK_HEADER = "工单编号,回访结果,回访时间"


def callback_file(*rows: str, header: str = CALLBACK_HEADER) -> SimpleUploadedFile:
    return upload("\n".join([header, *rows]) + "\n", "callbacks.csv")


def _closed(unit, category, clerk, result: str | None = None) -> Ticket:
    ticket = TicketFactory(unit=unit, category=category, received_at=ago(days=3))
    services.ticket_sign(ticket=ticket, by=clerk)
    services.ticket_reply(ticket=ticket, text="已处理。", by=clerk)
    services.ticket_close(ticket=ticket, by=clerk)
    if result:
        services.ticket_callback(ticket=ticket, result=result, by=clerk)
    ticket.refresh_from_db()
    return ticket


def test_a_platform_callback_that_disagrees_with_ours_is_flagged(api_as, clerk, unit, category):
    # given: two closed tickets the brigade called back, both satisfied
    disagree = _closed(unit, category, clerk, CallbackResult.SATISFIED)
    agree = _closed(unit, category, clerk, CallbackResult.SATISFIED)
    when = stamp(ago(hours=1))
    file = callback_file(f"{disagree.number},不满意,{when}", f"{agree.number},基本满意,{when}")
    # when: the platform's own callbacks come in
    response = post_file(api_as(clerk), CALLBACKS, file)
    assert response.status_code == 200, response.json()
    assert response.json()["updated"] == 2
    # then: each is kept beside ours; the disagreement is flagged, and filterable
    disagree.refresh_from_db()
    assert disagree.platform_result == CallbackResult.DISSATISFIED
    assert disagree.platform_result_at is not None
    assert disagree.callback_mismatch is True
    agree.refresh_from_db()
    assert (agree.platform_result, agree.callback_mismatch) == ("basically_satisfied", False)
    listed = api_as(clerk).get(reverse("petitions-api:ticket-list"), {"callback_mismatch": "true"})
    assert [t["number"] for t in listed.json()["results"]] == [disagree.number]
    assert listed.json()["results"][0]["platform_result"] == "dissatisfied"


def test_our_callback_after_the_platforms_is_compared_too(clerk, unit, category):
    ticket = _closed(unit, category, clerk)
    file = callback_file(f"{ticket.number},满意,{stamp(ago(hours=1))}")
    assert services.platform_callbacks_import(upload=file, by=clerk).ok
    services.ticket_callback(
        ticket=Ticket.objects.get(pk=ticket.pk), result="dissatisfied", by=clerk
    )
    assert Ticket.objects.get(pk=ticket.pk).callback_mismatch is True


def test_a_platform_callback_out_of_the_unit_is_a_row_error(
    api_as, clerk, unit, other_unit, category
):
    mine = _closed(unit, category, clerk)
    theirs = TicketFactory(unit=other_unit, category=category)
    when = stamp(ago(hours=1))
    file = callback_file(f"{mine.number},满意,{when}", f"{theirs.number},满意,{when}")
    response = post_file(api_as(clerk), CALLBACKS, file)
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(3, "number")]
    assert "本单位未找到工单" in response.json()["errors"][0]["message"]
    assert Ticket.objects.exclude(platform_result="").count() == 0


# --- wrong or missing columns --------------------------------------------------------------

NOW = "2022-06-15 09:00"
WRONG_SUPERVISIONS = [
    # (header, row, the error's row and column)
    ("督办类型,督办时间", "督办,{now}", (1, "number")),
    ("工单编号,督办时间", "{n},{now}", (1, "kind")),
    ("工单编号,督办类型", "{n},督办", (1, "supervised_at")),
    (SUPERVISION_HEADER, "{n},表扬,{now},,", (2, "kind")),
    (SUPERVISION_HEADER, "{n},督办,昨天,,", (2, "supervised_at")),
    (SUPERVISION_HEADER, "{n},督办,0001-01-01 09:00,,", (2, "supervised_at")),
    (SUPERVISION_HEADER, "{n},督办,9999-12-31 09:00,,", (2, "supervised_at")),
    (SUPERVISION_HEADER, "{n},督办,{now},9999-12-31,", (2, "due")),
    (SUPERVISION_HEADER, "{n},督办,{now},下周,", (2, "due")),
    # a NUL early in a CSV: not a text file at all (row 1, the whole file)
    (SUPERVISION_HEADER, "{n},督办,{now},,请\x00办理", (1, "")),
    (SUPERVISION_HEADER, "{n},督办,{now},,{huge}", (2, "text")),
    (SUPERVISION_HEADER, ",督办,{now},,", (2, "number")),
    ("工单编号,工单号,督办类型,督办时间", "{n},{n},督办,{now}", (1, "")),
]


@pytest.mark.parametrize(("header", "row", "where"), WRONG_SUPERVISIONS)
def test_a_wrong_or_missing_supervision_column_names_row_and_column(
    api_as, clerk, unit, category, header, row, where
):
    ticket = TicketFactory(
        unit=unit, category=category, received_at=dt.datetime(2022, 6, 13, 9, tzinfo=dt.UTC)
    )
    text = row.format(n=ticket.number, now=NOW, huge="长" * 5000)
    response = post_file(api_as(clerk), SUPERVISIONS, supervision_file(text, header=header))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert (errors[0]["row"], errors[0]["column"]) == where
    if where[0] == 1 and where[1]:
        # the message names the missing column (its spellings and key)
        assert where[1] in errors[0]["message"]
    assert TicketSupervision.objects.count() == 0


WRONG_CALLBACKS = [
    ("回访结果,回访时间", "满意,{now}", (1, "number")),
    ("工单编号,回访时间", "{n},{now}", (1, "result")),
    ("工单编号,回访结果", "{n},满意", (1, "called_at")),
    (CALLBACK_HEADER, "{n},还行,{now}", (2, "result")),
    (CALLBACK_HEADER, "{n},满意,", (2, "called_at")),
    (CALLBACK_HEADER, "{n},满意,0001-01-01", (2, "called_at")),
]


@pytest.mark.parametrize(("header", "row", "where"), WRONG_CALLBACKS)
def test_a_wrong_or_missing_callback_column_names_row_and_column(
    api_as, clerk, unit, category, header, row, where
):
    ticket = TicketFactory(unit=unit, category=category)
    text = row.format(n=ticket.number, now=NOW)
    response = post_file(api_as(clerk), CALLBACKS, callback_file(text, header=header))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert (errors[0]["row"], errors[0]["column"]) == where
    assert Ticket.objects.exclude(platform_result="").count() == 0


# --- the sample files ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["supervisions", "callbacks"])
def test_the_sample_files_are_what_the_code_writes_and_they_parse(clerk, unit, category, kind):
    from pathlib import Path

    from django.conf import settings

    from petitions.services import platform

    path = Path(settings.BASE_DIR) / "docs" / "platform" / f"{kind}-sample.csv"
    assert path.read_text(encoding="utf-8") == platform.sample_csv(kind)
    for number in ("2022061300001", "2022061300002"):
        TicketFactory(
            number=number,
            unit=unit,
            category=category,
            received_at=dt.datetime(2022, 6, 13, 9, tzinfo=dt.UTC),
        )
    run = (
        platform.supervisions_import
        if kind == "supervisions"
        else platform.platform_callbacks_import
    )
    report = run(upload=upload(path.read_text(encoding="utf-8")), by=clerk, dry_run=True)
    assert report.ok, report.errors
    assert report.created + report.updated == 2


# --- roles ---------------------------------------------------------------------------------


def test_an_officer_can_neither_export_nor_import(api_as, officer, unit, category):
    client = api_as(officer)
    assert client.get(reverse(EXPORTS)).status_code == 403
    assert client.post(reverse(EXPORTS), {}, format="json").status_code == 403
    file = supervision_file(f"X,督办,{NOW},,")
    assert post_file(client, SUPERVISIONS, file).status_code == 403
    assert post_file(client, CALLBACKS, callback_file(f"X,满意,{NOW}")).status_code == 403
    assert PlatformExport.objects.count() == 0


def test_the_pages_for_the_desk(client, officer, clerk, unit, other_unit, category):
    page = reverse("petitions:platformexport_list")
    client.force_login(officer)
    assert client.get(page).status_code == 403
    assert client.post(reverse("petitions:platformexport_create")).status_code == 403
    client.force_login(clerk)
    services.ticket_sign(ticket=TicketFactory(unit=unit, category=category), by=clerk)
    response = client.get(page)
    assert response.status_code == 200
    assert response.context["waiting"] == 1
    response = client.post(reverse("petitions:platformexport_create"), {"until": ""})
    assert response.status_code == 302
    export = PlatformExport.objects.get()
    assert export.rows == 1
    response = client.get(page)
    assert [e.pk for e in response.context["exports"]] == [export.pk]
    url = reverse("petitions:platformexport_download", kwargs={"pk": export.pk})
    got = client.get(url)
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith("attachment")
    assert client.get(url, {"as": "pdf"}).status_code == 400
    theirs = PlatformExport.objects.create(unit=other_unit, until=timezone.now())
    other = reverse("petitions:platformexport_download", kwargs={"pk": theirs.pk})
    assert client.get(other).status_code == 404


def test_the_supervision_page_previews_then_imports(client, clerk, unit, category):
    ticket = TicketFactory(unit=unit, category=category)
    client.force_login(clerk)
    page = reverse("petitions:platform_supervisions_import")
    assert client.get(page).status_code == 200
    file = supervision_file(f"{ticket.number},督办,{stamp(ago(hours=1))},,请办理。")
    preview = client.post(page, {"file": file})
    assert preview.status_code == 200
    assert TicketSupervision.objects.count() == 0
    done = client.post(page, {"token": preview.context["token"]})
    assert done.status_code == 302
    assert TicketSupervision.objects.get().ticket == ticket
    bad = client.post(
        reverse("petitions:platform_callbacks_import"),
        {"file": callback_file(f"{ticket.number},还行,{NOW}")},
    )
    assert bad.status_code == 400
    assert bad.context["report"].errors[0].column == "result"


def test_the_queue_shows_and_filters_supervised_and_disagreeing_tickets(
    client, clerk, unit, category
):
    flagged = TicketFactory(
        unit=unit, category=category, supervised_at=ago(hours=1), callback_mismatch=True
    )
    plain = TicketFactory(unit=unit, category=category)
    client.force_login(clerk)
    page = client.get(reverse("petitions:ticket_list"))
    html = page.content.decode()
    assert f'data-testid="ticket-supervised-{flagged.pk}"' in html
    assert f'data-testid="ticket-mismatch-{flagged.pk}"' in html
    assert f'data-testid="ticket-supervised-{plain.pk}"' not in html
    only = client.get(reverse("petitions:ticket_list"), {"callback_mismatch": "true"})
    html = only.content.decode()
    assert f'data-testid="ticket-row-{flagged.pk}"' in html
    assert f'data-testid="ticket-row-{plain.pk}"' not in html
    supervised = client.get(reverse("petitions:ticket_list"), {"supervised": "true"}).content
    assert f'data-testid="ticket-row-{plain.pk}"'.encode() not in supervised
