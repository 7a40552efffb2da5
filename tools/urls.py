"""The approved-tool list, tool requests and the Superintendent's designees (mounted at /tools/)."""

from django.urls import path

from tools import views

app_name = "tools"

urlpatterns = [
    path("", views.tool_list, name="tool_list"),
    path("export.csv", views.tool_export, name="tool_export"),
    path("new/", views.tool_new, name="tool_new"),
    path("districts/<slug:slug>/", views.public_tool_list, name="public_tool_list"),
    path("districts/<slug:slug>/technology-notice/", views.public_technology_notice, name="public_technology_notice"),
    path("technology-notice/", views.technology_notice, name="technology_notice"),
    path("technology-notice/publish/", views.technology_notice_publish, name="technology_notice_publish"),
    path("technology-notice/send/", views.technology_notice_send, name="technology_notice_send"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("designees/", views.designee_list, name="designee_list"),
    path("designees/add/", views.designee_add, name="designee_add"),
    path("designees/<int:pk>/end/", views.designee_end, name="designee_end"),
    path("spokespeople/", views.spokesperson_list, name="spokesperson_list"),
    path("spokespeople/authorize/", views.spokesperson_grant, name="spokesperson_grant"),
    path("spokespeople/withdraw/", views.spokesperson_withdraw, name="spokesperson_withdraw"),
    path("<int:pk>/", views.tool_detail, name="tool_detail"),
    path("<int:pk>/edit/", views.tool_edit, name="tool_edit"),
    path("<int:pk>/decide/", views.tool_decide, name="tool_decide"),
    path("<int:pk>/set-aside/", views.tool_set_aside, name="tool_set_aside"),
    path("<int:pk>/logo/", views.tool_logo, name="tool_logo"),
    path("<int:pk>/logo/withdraw/", views.tool_logo_withdraw, name="tool_logo_withdraw"),
]
