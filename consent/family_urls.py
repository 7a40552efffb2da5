from django.urls import path

from consent import family_views

app_name = "family"

urlpatterns = [
    path("<str:token>/", family_views.answer, name="answer"),
]
