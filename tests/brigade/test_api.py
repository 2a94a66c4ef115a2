"""The API as a client meets it: signing in, the schema and docs, reference data, errors."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.staticfiles import finders
from django.utils import translation
from knox.models import AuthToken

from brigade.duty.models import Campaign, SchoolBreak, Unit
from tests.brigade.factories import OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
PATROLS = "/api/v1/brigade/patrols/"
PASSWORD = "pw-for-tests-1"  # UserFactory's


@pytest.fixture(autouse=True)
def english(api):
    # Messages are compared in their English source; the default language is Chinese.
    api.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    yield
    translation.deactivate()  # the locale middleware leaves "en" active on this thread


# --- token sign-in ------------------------------------------------------------------------


def test_good_credentials_give_a_token_that_works_in_the_header(api, officer):
    # when
    response = api.post(TOKEN, {"username": "officer", "password": PASSWORD}, format="json")

    # then
    assert response.status_code == 200
    token = response.json()["token"]
    assert AuthToken.objects.filter(user=officer).count() == 1
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(PATROLS).status_code == 200


def test_bad_credentials_give_no_token(api, officer):
    response = api.post(TOKEN, {"username": "officer", "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Unable to sign in with this username and password."]
    }
    assert not AuthToken.objects.exists()


def test_missing_password_is_a_field_error(api, officer):
    response = api.post(TOKEN, {"username": "officer"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["password"]


def test_anonymous_and_a_bad_token_get_401_with_the_scheme_to_use(api):
    anonymous = api.get(PATROLS)
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    bad_token = api.get(PATROLS)

    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    assert bad_token.status_code == 401


def test_repeated_failures_lock_the_username_out_even_with_the_right_password(
    api, officer, settings
):
    # given: as many failures as the limit allows
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post(TOKEN, {"username": "officer", "password": "guess"}, format="json")

    # when
    response = api.post(TOKEN, {"username": "officer", "password": PASSWORD}, format="json")

    # then
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.json()["detail"]
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert not AuthToken.objects.exists()


def test_a_success_clears_earlier_failures(api, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        api.post(TOKEN, {"username": "officer", "password": "guess"}, format="json")
    api.post(TOKEN, {"username": "officer", "password": PASSWORD}, format="json")

    api.post(TOKEN, {"username": "officer", "password": "guess"}, format="json")
    response = api.post(TOKEN, {"username": "officer", "password": PASSWORD}, format="json")

    assert response.status_code == 200


def test_session_sign_in_still_works_for_pages(api, officer):
    api.force_login(officer)

    assert api.get(PATROLS).status_code == 200


# --- schema and docs ----------------------------------------------------------------------


def test_schema_describes_the_patrol_actions_and_their_errors(api_as, officer):
    response = api_as(officer).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    end = paths["/api/v1/brigade/patrols/{id}/end/"]["post"]
    assert {"200", "400", "401", "403", "404", "409", "412"} <= set(end["responses"])
    assert "/api/v1/auth/token/" in paths
    assert "/api/v1/brigade/school-breaks/" in paths


def test_docs_page_loads_everything_from_this_server(api, officer, settings):
    api.force_login(officer)
    response = api.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"https?://", html)
    assert '"validatorUrl": null' in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 3
    for url in assets:
        assert url.startswith(settings.STATIC_URL) or url.startswith(f"/{settings.STATIC_URL}")
        assert finders.find(url.split(settings.STATIC_URL, 1)[1]), url


# --- reference data -----------------------------------------------------------------------


def test_units_and_officers_are_scoped_to_the_users_unit(api_as, officer, other_officer, unit):
    client = api_as(officer)

    units = client.get("/api/v1/brigade/units/").json()["results"]
    officers = client.get("/api/v1/brigade/officers/").json()["results"]

    assert [u["id"] for u in units] == [unit.pk]
    assert {o["name"] for o in officers} == {"officer"}
    assert client.get(f"/api/v1/brigade/officers/{other_officer.officer.pk}/").status_code == 404


def test_only_an_admin_writes_units(api_as, commander, admin_user):
    body = {"code": "sq9", "name": "九中队"}

    assert api_as(commander).post("/api/v1/brigade/units/", body).status_code == 403
    created = api_as(admin_user).post("/api/v1/brigade/units/", body, format="json")

    assert created.status_code == 201
    assert created.json()["kind"] == "squadron"
    assert Unit.objects.filter(code="sq9").exists()


def test_deleting_a_unit_that_still_has_officers_is_a_conflict(api_as, admin_user, unit):
    OfficerFactory(unit=unit)

    response = api_as(admin_user).delete(f"/api/v1/brigade/units/{unit.pk}/")

    assert response.status_code == 409
    assert "in use" in response.json()["detail"]
    assert Unit.objects.filter(pk=unit.pk).exists()


def test_commander_creates_a_post_only_in_their_own_unit(api_as, commander, unit, other_unit):
    body = {
        "name": "学校门口",
        "kind": "school",
        "start_time": "07:00",
        "end_time": "08:30",
        "weekdays": "12345",
    }
    client = api_as(commander)

    ours = client.post("/api/v1/brigade/posts/", {**body, "unit": unit.pk}, format="json")
    theirs = client.post("/api/v1/brigade/posts/", {**body, "unit": other_unit.pk}, format="json")
    again = client.post("/api/v1/brigade/posts/", {**body, "unit": unit.pk}, format="json")

    assert ours.status_code == 201
    assert ours.json()["unit"] == {"id": unit.pk, "name": "一中队"}
    assert theirs.status_code == 400
    assert list(theirs.json()) == ["unit"]
    assert again.status_code == 400  # same name in the same unit


def test_an_officer_reads_posts_but_cannot_write_them(api_as, officer, unit):
    client = api_as(officer)

    assert client.get("/api/v1/brigade/posts/").status_code == 200
    assert client.post("/api/v1/brigade/posts/", {"unit": unit.pk}).status_code == 403


def test_campaign_ending_before_it_starts_is_a_400_not_a_crash(api_as, commander):
    response = api_as(commander).post(
        "/api/v1/brigade/campaigns/",
        {"name": "春运整治", "starts_on": "2022-02-01", "ends_on": "2022-01-01"},
        format="json",
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not Campaign.objects.exists()


def test_zones_are_scoped_and_school_breaks_are_shared(api_as, commander, officer, unit):
    client = api_as(commander)
    zone = client.post(
        "/api/v1/brigade/zones/",
        {"name": "花园路施工", "road": "花园路", "unit": unit.pk, "starts_on": "2022-05-01"},
        format="json",
    )
    holiday = client.post(
        "/api/v1/brigade/school-breaks/",
        {"name": "暑假", "starts_on": "2022-07-10", "ends_on": "2022-08-31"},
        format="json",
    )

    assert (zone.status_code, holiday.status_code) == (201, 201)
    as_officer = api_as(officer)
    assert as_officer.get("/api/v1/brigade/zones/").json()["count"] == 1
    assert as_officer.get("/api/v1/brigade/school-breaks/").json()["count"] == 1
    assert (
        as_officer.delete(f"/api/v1/brigade/school-breaks/{holiday.json()['id']}/").status_code
        == 403
    )


def test_a_user_without_any_role_is_forbidden(api_as, unit):
    nobody = UserFactory(username="nobody", roles=[])
    OfficerFactory(user=nobody, unit=unit)

    assert api_as(nobody).get("/api/v1/brigade/units/").status_code == 403


def test_page_size_is_capped_at_200(api_as, officer):
    start = dt.date(2000, 1, 1)
    SchoolBreak.objects.bulk_create(
        SchoolBreak(name=f"假期{i}", starts_on=start, ends_on=start) for i in range(201)
    )

    response = api_as(officer).get("/api/v1/brigade/school-breaks/", {"page_size": 1000})

    body = response.json()
    assert body["count"] == 201
    assert len(body["results"]) == 200
