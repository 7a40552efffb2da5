from django.urls import path

from accounts import views

urlpatterns = [
    path("districts/<slug:slug>/", views.district_detail, name="district_detail"),
    path("districts/<slug:slug>/edit/", views.district_edit, name="district_edit"),
    path("districts/<slug:slug>/policies/", views.policy_document_list, name="policy_document_list"),
    path("districts/<slug:slug>/policies/new/", views.policy_document_new, name="policy_document_new"),
    path("districts/<slug:slug>/sign-in/", views.district_sign_in, name="district_sign_in"),
    path("districts/<slug:slug>/invite/", views.district_invite, name="district_invite"),
    path("districts/<slug:slug>/roster/", views.roster_import_list, name="roster_import_list"),
    path("districts/<slug:slug>/roster/sync/", views.roster_sync_settings, name="roster_sync_settings"),
    path("districts/<slug:slug>/roster/sync/run/", views.roster_sync_run_now, name="roster_sync_run_now"),
    path("roster-imports/<int:pk>/", views.roster_import_detail, name="roster_import_detail"),
    path("roster-imports/<int:pk>/apply/", views.roster_import_apply, name="roster_import_apply"),
    path("roster-imports/<int:pk>/changes.csv", views.roster_import_changes_csv, name="roster_import_changes_csv"),
    path("schools/", views.school_list, name="school_list"),
    path("schools/<int:pk>/", views.school_detail, name="school_detail"),
    path("schools/<int:pk>/invite/", views.school_invite, name="school_invite"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/invite/", views.staff_invite, name="staff_invite"),
    path("staff/<int:pk>/roles/", views.staff_grant_role, name="staff_grant_role"),
    path("staff/<int:pk>/active/", views.staff_set_active, name="staff_set_active"),
    path("staff/<int:pk>/employment/", views.staff_employment, name="staff_employment"),
    path("roles/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("students/", views.student_list, name="student_list"),
    path("students/<int:pk>/", views.student_detail, name="student_detail"),
    path("pick/staff/", views.pick_staff, name="pick_staff"),
    path("pick/students/", views.pick_students, name="pick_students"),
    path("pick/schools/", views.pick_schools, name="pick_schools"),
]
