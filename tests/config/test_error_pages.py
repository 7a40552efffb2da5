"""Error pages: a database outage is explained (503, come back shortly); other failures are a 500
page in the product's layout; neither shows a trace."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.urls("tests.config.error_urls")]


@pytest.fixture
def client_seeing_errors(settings) -> Client:
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_it_answers_503_with_retry_after_when_the_database_cannot_be_reached(client_seeing_errors):
    response = client_seeing_errors.get("/test/database-gone/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"The registry is briefly unavailable" in response.content
    assert b"5432" not in response.content


def test_it_answers_a_500_page_in_the_layout_for_any_other_failure(client_seeing_errors):
    response = client_seeing_errors.get("/test/broken/")

    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"a bug" not in response.content
    assert b"Back to the start page" in response.content


@pytest.mark.django_db
def test_it_explains_a_missing_page_in_the_layout(client_seeing_errors):
    response = client_seeing_errors.get("/no-such-page/")

    assert response.status_code == 404
    assert b"Page not found" in response.content
