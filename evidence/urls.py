from django.urls import path

from evidence import views

app_name = "evidence"

urlpatterns = [
    path("districts/<slug:slug>/", views.evidence_pack_list, name="list"),
    path("packs/<int:pk>/", views.evidence_pack_detail, name="detail"),
    path("packs/<int:pk>/download/", views.evidence_pack_download, name="download"),
]
