from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("account/", include("allauth.urls")),
    path("registry/", include("registry.urls")),
    path("consent/", include("consent.urls")),
    path("disclosures/", include("disclosures.urls")),
    path("reminders/", include("reminders.urls")),
    path("tools/authorizations/", include("consent.authorization_urls")),
    path("tools/", include("registry.tool_urls")),
    path("", include("accounts.urls")),
]
