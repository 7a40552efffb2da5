from django.urls import path

from consent import family_views, views

app_name = "consent"

urlpatterns = [
    path("", views.consent_home, name="home"),
    path("check/", views.quick_check, name="check"),
    path("record/", views.record_entry, name="record_entry"),
    path("record/students/<int:pk>/", views.paper_form, name="paper_form"),
    path("schools/<int:pk>/", views.school_do_not_post, name="school_do_not_post"),
    path("schools/<int:pk>/export.csv", views.school_export, name="school_export"),
    path("schools/<int:pk>/print/", views.school_print, name="school_print"),
    path("schools/<int:pk>/no-answer/", views.no_answer, name="no_answer"),
    path("schools/<int:pk>/no-answer/record/", views.no_answer_record, name="no_answer_record"),
    path("programs/<int:pk>/", views.program_do_not_post, name="program_do_not_post"),
    path("accounts/<int:pk>/", views.account_do_not_post, name="account_do_not_post"),
    path("students/<int:pk>/", views.student_consent, name="student"),
    path("districts/<slug:slug>/import/", views.import_upload, name="import_upload"),
    path("districts/<slug:slug>/import/template.csv", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("districts/<slug:slug>/scopes/", views.scope_list, name="scope_list"),
    path("districts/<slug:slug>/scopes/new/", views.scope_edit, name="scope_new"),
    path("districts/<slug:slug>/scopes/<int:pk>/", views.scope_edit, name="scope_edit"),
    path("districts/<slug:slug>/privacy-log/", views.privacy_log, name="privacy_log"),
    path("families/", family_views.family_links_page, name="family_links"),
    path("family-links/<int:pk>/revoke/", family_views.family_link_revoke, name="family_link_revoke"),
]
