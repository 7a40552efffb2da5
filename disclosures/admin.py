from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from disclosures.models import Disclosure, DisclosureCycle


@admin.register(DisclosureCycle)
class DisclosureCycleAdmin(SimpleHistoryAdmin):
    list_display = ["district", "school_year_start", "opens_on", "due_on"]
    list_filter = ["district"]
    readonly_fields = ["attestation_hash"]
    raw_id_fields = ["created_by"]


@admin.register(Disclosure)
class DisclosureAdmin(SimpleHistoryAdmin):
    # Support staff can look a filing up; the state moves only through the services.
    list_display = ["employee", "cycle", "version", "state", "submitted_at", "filed_late"]
    list_filter = ["state", "cycle__district"]
    search_fields = ["employee__email", "employee__last_name"]
    raw_id_fields = ["employee", "cycle", "amends", "decided_by"]
    readonly_fields = ["state", "signed_name", "signed_at", "attestation_hash", "submitted_at", "superseded_at"]
