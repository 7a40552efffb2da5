from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from registry.models import AccountAdministrator, AccountReview, Platform, SocialAccount


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin[Platform]):
    list_display = ["name", "slug", "sort_order", "active"]
    list_editable = ["sort_order", "active"]


class AdministratorInline(admin.TabularInline[AccountAdministrator, SocialAccount]):
    model = AccountAdministrator
    fk_name = "account"
    extra = 0
    raw_id_fields = ["user", "added_by"]


@admin.register(SocialAccount)
class SocialAccountAdmin(SimpleHistoryAdmin):
    list_display = ["display_name", "platform", "handle", "district", "status", "next_review_on"]
    list_filter = ["status", "platform", "district"]
    search_fields = ["display_name", "handle", "profile_url"]
    raw_id_fields = ["school", "program", "owner_staff", "requested_by", "decided_by", "communications_confirmed_by"]
    readonly_fields = ["handle_key"]
    inlines = [AdministratorInline]


@admin.register(AccountReview)
class AccountReviewAdmin(SimpleHistoryAdmin):
    list_display = ["account", "reviewed_on", "outcome", "reviewed_by"]
    raw_id_fields = ["account", "reviewed_by"]
