from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("districts/<slug:slug>/", views.reminder_log, name="log"),
]
