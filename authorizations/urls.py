from django.urls import path

from authorizations import views

app_name = "authorizations"

urlpatterns = [
    path("", views.authorization_list, name="list"),
    path("new/", views.authorization_new, name="new"),
    path("pick/program/", views.pick_program, name="pick_program"),
    path("<int:pk>/", views.authorization_detail, name="detail"),
    path("<int:pk>/decide/", views.authorization_decide, name="decide"),
    path("<int:pk>/revoke/", views.authorization_revoke, name="revoke"),
    path("<int:pk>/withdraw/", views.authorization_withdraw, name="withdraw"),
    path("<int:pk>/consent/", views.authorization_record_consent, name="record_consent"),
    path("<int:pk>/ask-families/", views.authorization_ask_families, name="ask_families"),
]
