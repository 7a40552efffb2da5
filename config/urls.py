from django.contrib import admin
from django.urls import include, path

from config.views import healthz
from dashboards.views import home

handler500 = "config.views.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("account/", include("allauth.urls")),
    path("registry/", include("registry.urls")),
    path("consent/", include("consent.urls")),
    path("disclosures/", include("disclosures.urls")),
    path("reminders/", include("reminders.urls")),
    path("tools/authorizations/", include("consent.authorization_urls")),
    path("tools/", include("registry.tool_urls")),
    path("dashboards/", include("dashboards.urls")),
    path("audit/", include("audit.urls")),
    path("", include("accounts.urls")),
]
