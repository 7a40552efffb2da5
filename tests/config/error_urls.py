"""A URL configuration for the error-page tests: the project's handlers, views that fail."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler500
from config.urls import urlpatterns as project_urlpatterns


def database_gone(request: HttpRequest) -> HttpResponse:
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def broken(request: HttpRequest) -> HttpResponse:
    raise ValueError("a bug")


urlpatterns = [
    path("test/database-gone/", database_gone),
    path("test/broken/", broken),
    *project_urlpatterns,
]
__all__ = ["handler500", "urlpatterns"]
