from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("districts/<slug:slug>/", views.audit_log, name="log"),
    path("districts/<slug:slug>/export.csv", views.audit_export, name="export"),
]
