from django.urls import path

from disclosures import views

app_name = "disclosures"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/networks/", views.network_add, name="network_add"),
    path("<int:pk>/none/", views.set_none, name="set_none"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/amend/", views.amend, name="amend"),
    path("<int:pk>/discard/", views.discard, name="discard"),
    path("<int:pk>/sign-again/", views.sign_again, name="sign_again"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("networks/<int:pk>/edit/", views.network_edit, name="network_edit"),
    path("networks/<int:pk>/<slug:action>/", views.network_action, name="network_action"),
    path("review/", views.review_queue, name="review_queue"),
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/new/<slug:slug>/", views.cycle_new, name="cycle_new"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/edit/", views.cycle_edit, name="cycle_edit"),
    path("cycles/<int:pk>/start/", views.start, name="start"),
]
