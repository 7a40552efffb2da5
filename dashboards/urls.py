from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("schools/<int:pk>/", views.school_dashboard, name="school"),
    path("schools/<int:pk>/<slug:table>.csv", views.school_export, name="school_export"),
    path("districts/<slug:slug>/", views.district_dashboard, name="district"),
    path("districts/<slug:slug>/schools.csv", views.district_export, name="district_export"),
]
