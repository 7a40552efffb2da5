from __future__ import annotations

import zipfile
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import RESERVED_POWER_FIELDS, District, PolicyDocument, Role, RosterSync, School, User
from accounts.pickers import staff_picker_field
from accounts.roster import CONFIRM_DEPARTURES_LABEL
from core import outbound
from core.forms import LongSelect, PickerField, field_of


class PolicyProfileForm(forms.ModelForm[District]):
    class Meta:
        model = District
        fields = [
            "name",
            "policy_reference",
            "photo_model",
            "public_arena_exception",
            "social_media_photo_lists",
            "personal_site_student_photos",
            "consent_renewed_each_school_year",
            "family_link_days",
            "family_reminder_days",
            "departed_student_retention_months",
            "min_account_administrators",
            "preferred_account_administrators",
            "approval_before_launch",
            "communications_review_before_launch",
            "administrator_acknowledgement_required",
            "account_review_interval_months",
            "public_directory_enabled",
            "disclosure_required",
            "disclosure_recipient",
            "disclosure_before_power",
            "tool_approver",
            "instructional_use_approver",
            "logo_use_approver",
            "logo_permission_required",
            "tool_limits_exception_allowed",
            "official_accounts_on_approved_networks_only",
            "spokesperson_approver",
            "tool_list_visibility",
            "tool_review_interval_months",
            "technology_notice_deadline",
            "technology_notice_days",
            "technology_notice_month",
            "technology_notice_day",
            "school_year_start_month",
            "time_zone",
            "reminder_days_before_due",
            "overdue_reminder_interval_days",
            "roster_deactivation_limit_percent",
        ]

    def __init__(self, *args: Any, reserved_powers_editable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not reserved_powers_editable:
            for name in RESERVED_POWER_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only the Superintendent can change who decides this.")


class SignInSettingsForm(forms.ModelForm[District]):
    """How the district's staff sign in and how its e-mail looks (the director's settings)."""

    class Meta:
        model = District
        fields = [
            "sign_in_domains",
            "microsoft_tenant_ids",
            "password_sign_in",
            "mail_sender_name",
            "mail_reply_to",
            "accessibility_contact",
        ]
        widgets = {
            "sign_in_domains": forms.TextInput(attrs={"placeholder": "district.k12.mn.us", "autocomplete": "off"}),
            "microsoft_tenant_ids": forms.TextInput(attrs={"autocomplete": "off"}),
        }


class SchoolSearchForm(forms.Form):
    # Django's CharField refuses a NUL byte, which PostgreSQL cannot compare.
    q = forms.CharField(label=_("Search schools"), max_length=200, required=False)


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in Role if r != Role.STAFF])
    school = forms.ModelChoiceField(
        label=_("School"),
        queryset=School.objects.none(),
        required=False,
        help_text=_("Required for principals and office clerks."),
    )

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "school", forms.ModelChoiceField).queryset = schools


class SchoolByHandForm(forms.Form):
    """A school the roster does not list yet. The service refuses duplicates."""

    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(
        label=_("School code"),
        max_length=64,
        required=False,
        help_text=_(
            "The state or SIS school number, as the roster will give it: the next roster import "
            "matches the school by it (or else by its exact name)."
        ),
    )


class StaffByHandForm(forms.Form):
    """A staff member the roster does not list yet. The service refuses an e-mail already in use."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("Their district address: the next roster import matches them by it."),
    )
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    employee_id = forms.CharField(label=_("Employee id"), max_length=64, required=False)
    school = forms.ModelChoiceField(
        label=_("School"),
        queryset=School.objects.none(),
        required=False,
        widget=LongSelect,
        help_text=_("Where they work; leave empty for district-wide staff."),
    )

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "school", forms.ModelChoiceField).queryset = schools


class RosterUploadForm(forms.Form):
    bundle = forms.FileField(
        label=_("OneRoster bundle (.zip)"),
        help_text=_(
            "The zip your student information system exports: manifest.csv, orgs.csv, users.csv "
            "(and roles.csv, classes.csv, enrollments.csv when present)."
        ),
    )
    dry_run = forms.BooleanField(label=_("Dry run: only show what would change"), required=False, initial=True)
    confirm_departures = forms.BooleanField(
        label=CONFIRM_DEPARTURES_LABEL,
        required=False,
        initial=False,
        help_text=_(
            "Needed only when the file would deactivate more of your staff or students than your policy "
            "profile allows at once; the import tells you so, with the numbers. Tick it after checking who would leave."
        ),
    )

    def clean_bundle(self) -> object:
        upload = self.cleaned_data["bundle"]
        if upload.size > settings.ROSTER_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(megabytes)s MB."),
                params={"megabytes": settings.ROSTER_UPLOAD_MAX_BYTES // (1024 * 1024)},
            )
        if not zipfile.is_zipfile(upload):
            raise forms.ValidationError(_("This is not a zip file. Upload the .zip your system exported."))
        upload.seek(0)
        return upload


class EmploymentForm(forms.Form):
    """When someone started in the district and who supervises them."""

    started_on = forms.DateField(
        label=_("Started in the district on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=User._meta.get_field("started_on").help_text,
    )
    # Picked by name rather than from a list: a large district has more staff than a drop-down can hold.
    supervisor = staff_picker_field(
        label=_("Supervisor"),
        required=False,
        help_text=User._meta.get_field("supervisor").help_text,
        not_found=_("%(field)s: no other active staff member of the district has this e-mail or name (“%(text)s”)."),
    )

    def __init__(self, *args: Any, member: User, **kwargs: Any) -> None:
        supervisor = member.supervisor.email if member.supervisor is not None else ""
        kwargs.setdefault("initial", {"started_on": member.started_on, "supervisor": supervisor})
        super().__init__(*args, **kwargs)
        self.member = member
        others = User.objects.filter(district=member.district_id).exclude(pk=member.pk)
        field_of(self.fields, "supervisor", PickerField).queryset = others


class RosterSyncForm(forms.ModelForm[RosterSync]):
    """Where the roster comes from on its own. The client secret is write-only: never shown back, left
    empty to keep the stored one."""

    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the secret already stored."),
    )

    api_base_url = forms.URLField(
        label=_("API address"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=RosterSync._meta.get_field("api_base_url").help_text,
    )
    api_token_url = forms.URLField(
        label=_("Token address"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the client id and secret get an access token (OAuth 2.0 client credentials)."),
    )

    class Meta:
        model = RosterSync
        fields = [
            "enabled",
            "source",
            "interval_hours",
            "drop_folder",
            "api_base_url",
            "api_token_url",
            "api_client_id",
            "api_version",
        ]
        widgets = {"source": forms.RadioSelect}

    def clean_drop_folder(self) -> str:
        from accounts.sync.drop_folder import FOLDER_NAME

        name = self.cleaned_data["drop_folder"].strip()
        if name and not FOLDER_NAME.match(name):
            raise forms.ValidationError(_("Use lower-case letters, digits, - and _ only (a folder name, not a path)."))
        return str(name)

    def _https(self, name: str) -> str:
        url = self.cleaned_data[name].strip()
        if (
            url
            and not url.startswith("https://")
            and not (settings.ROSTER_API_ALLOW_HTTP and url.startswith("http://"))
        ):
            raise forms.ValidationError(_("Use an https:// address: student data only travels encrypted."))
        if url and not settings.ROSTER_API_ALLOW_PRIVATE_ADDRESSES and outbound.literal_refusal(url):
            raise forms.ValidationError(
                _("Use the API's public address: addresses on this server or a private network are not reached.")
            )
        return str(url)

    def clean_api_base_url(self) -> str:
        return self._https("api_base_url")

    def clean_api_token_url(self) -> str:
        return self._https("api_token_url")


class PolicyDocumentForm(forms.ModelForm[PolicyDocument]):
    """A policy document, or a new version of one (the same number)."""

    url = forms.URLField(
        label=_("Link to the policy"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("The policy on the district's website or board policy manual. Give a link, the text, or both."),
    )

    class Meta:
        model = PolicyDocument
        fields = ["number", "title", "version", "adopted_on", "last_reviewed_on", "url", "text"]
        widgets = {
            "adopted_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "last_reviewed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "text": forms.Textarea(attrs={"rows": 8}),
        }
