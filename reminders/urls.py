from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("districts/<slug:slug>/", views.reminder_log, name="log"),
    path("staff/<int:pk>/", views.person, name="person"),
    path("staff/<int:pk>/send-now/", views.send_now, name="send_now"),
    path("disclosure-cycles/<int:pk>/remind/", views.disclosure_remind, name="disclosure_remind"),
]
