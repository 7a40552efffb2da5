from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("districts/<slug:slug>/", views.reminder_log, name="log"),
    path("disclosure-cycles/<int:pk>/remind/", views.disclosure_remind, name="disclosure_remind"),
]
