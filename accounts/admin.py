from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import District, Membership, Program, RosterImport, School, Student, User


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "photo_model", "disclosure_required"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin[School]):
    list_display = ["name", "district", "code", "active"]
    list_filter = ["district", "active"]
    search_fields = ["name", "code"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin[Program]):
    list_display = ["name", "kind", "school", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    raw_id_fields = ["school"]


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    raw_id_fields = ["school"]


@admin.register(User)
# django-stubs types UserAdmin for AbstractUser; ours builds on AbstractBaseUser, hence Any.
class UserAdmin(BaseUserAdmin[Any]):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "district", "is_active"]
    list_filter = ["district", "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "first_name", "last_name", "employee_id"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "district", "employee_id", "job_title", "left_on"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin[Student]):
    list_display = ["last_name", "first_name", "sis_id", "school", "grade", "active"]
    list_filter = ["district", "active"]
    search_fields = ["last_name", "first_name", "sis_id"]
    raw_id_fields = ["school"]


@admin.register(RosterImport)
class RosterImportAdmin(admin.ModelAdmin[RosterImport]):
    list_display = ["file_name", "district", "status", "dry_run", "created_at"]
    list_filter = ["status", "district"]
    readonly_fields = ["report"]
