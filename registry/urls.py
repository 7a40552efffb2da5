from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/export.csv", views.account_export, name="account_export"),
    path("accounts/bulk/<slug:action>/", views.account_bulk, name="account_bulk"),
    path("accounts/mine/", views.my_accounts, name="my_accounts"),
    path("accounts/new/", views.account_request, name="account_request"),
    path("accounts/pick/program/", views.pick_program, name="pick_program"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/review/", views.account_review, name="account_review"),
    path("accounts/<int:pk>/logo/", views.account_logo, name="account_logo"),
    path("accounts/<int:pk>/logo/withdraw/", views.account_logo_withdraw, name="account_logo_withdraw"),
    path("accounts/<int:pk>/administrators/", views.administrator_add, name="administrator_add"),
    path("accounts/<int:pk>/<slug:step>/", views.account_transition, name="account_transition"),
    path("administrators/<int:pk>/end/", views.administrator_end, name="administrator_end"),
    path("administrators/<int:pk>/acknowledge/", views.administrator_acknowledge, name="administrator_acknowledge"),
    path("reports/", views.fake_report_list, name="fake_report_list"),
    path("reports/new/", views.fake_report_new, name="fake_report_new"),
    path("reports/<int:pk>/", views.fake_report_detail, name="fake_report_detail"),
    path("reports/<int:pk>/<slug:step>/", views.fake_report_step, name="fake_report_step"),
    path("directory/<slug:slug>/", views.public_directory, name="public_directory"),
    path("directory/<slug:slug>/report/", views.public_report, name="public_report"),
    path("directory/<slug:slug>/report/thanks/", views.public_report_thanks, name="public_report_thanks"),
]
