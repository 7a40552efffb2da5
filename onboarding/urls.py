from django.urls import path

from onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("districts/", views.district_list, name="district_list"),
    path("districts/new/", views.district_new, name="district_new"),
    path("districts/<slug:slug>/", views.district_checklist, name="district_checklist"),
]
