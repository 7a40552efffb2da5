"""Forms parse and check input; the rules themselves live in models and services."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import District, Program, School, User
from accounts.pickers import program_picker_field, school_picker_field, staff_picker_field
from accounts.selectors import account_programs
from core.forms import ForgetSecretsMixin, PickerField, field_of
from core.validators import refuse_secrets
from registry import report_guard
from registry.models import (
    AdministratorRole,
    FakeReportOutcome,
    FakeReportProblem,
    FakeReportVerdict,
    OwnerKind,
    Platform,
    RecoveryMethod,
    ReviewOutcome,
    SocialAccount,
)
from registry.profile_urls import ProfileAddress, ProfileAddressError, read_reported
from registry.services import DETAIL_FIELDS, Designation

NO_PASSWORDS = _(
    "Never enter a password, a recovery code or any other secret here: record where the district keeps the "
    "login, not the login itself."
)


NOT_STAFF = _("%(field)s: no active staff member of the district has this e-mail address or name (“%(text)s”).")


def _district_staff(district: District) -> QuerySet[User]:
    """Whom an account's administrators and owner are chosen from: the district's staff (the field keeps
    the active ones)."""
    return User.objects.filter(district=district)


class AccountForm(ForgetSecretsMixin, forms.ModelForm[SocialAccount]):
    """Request, register or edit an account. `self.address` is the recognised profile."""

    # Set by the page when the profile is registered already: that account, or True when out of sight.
    duplicate: SocialAccount | bool

    platform = forms.ModelChoiceField(queryset=Platform.objects.none(), label=_("Platform"), empty_label=_("Choose…"))
    profile_url = forms.CharField(
        label=_("Profile address"),
        max_length=500,
        required=False,
        help_text=_("Paste the page's address, e.g. https://www.instagram.com/lakeshore.band/"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "url"}),
    )
    handle = forms.CharField(
        label=_("Handle"),
        max_length=200,
        required=False,
        help_text=_("Or the handle alone, e.g. @lakeshore.band (not needed when you paste the address)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    school = school_picker_field(label=_("School"), required=False, help_text=_("Type part of its name, then choose."))
    program = program_picker_field(
        url=reverse_lazy("registry:pick_program"),
        label=_("Club, team or program"),
        required=False,
        help_text=_("Type part of its name, then choose it with its school."),
    )
    owner_staff_email = staff_picker_field(
        label=_("Staff member (official capacity)"),
        required=False,
        not_found=NOT_STAFF,
        help_text=_("Type part of their name or their district e-mail address, then choose."),
    )
    primary_administrator = staff_picker_field(
        label=_("Primary administrator"),
        required=False,
        not_found=NOT_STAFF,
        help_text=_("The person who runs the page: type part of their name or e-mail, then choose."),
    )
    backup_administrator = staff_picker_field(
        label=_("Backup administrator"),
        required=False,
        not_found=NOT_STAFF,
        help_text=_("A second person, so the page is never orphaned."),
    )
    launched_on = forms.DateField(
        label=_("Live since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For an account that already exists. Leave empty if it is not live yet."),
    )

    class Meta:
        model = SocialAccount
        fields = [
            "display_name",
            "owner_kind",
            "school",
            "program",
            "purpose",
            "audience",
            "login_email",
            "recovery_method",
            "recovery_notes",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "recovery_notes": forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
            "login_email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }

    def __init__(
        self,
        *args: Any,
        district: District,
        schools: QuerySet[School],
        mode: str,
        requester: User | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.district = district
        self.mode = mode  # "request", "register" or "edit"
        self.address: ProfileAddress | None = None
        self.owner_staff: User | None = None
        self.designations: list[Designation] = []
        field_of(self.fields, "platform", forms.ModelChoiceField).queryset = Platform.objects.filter(active=True)
        school = field_of(self.fields, "school", PickerField)
        school.queryset = schools.filter(active=True)
        program = field_of(self.fields, "program", PickerField)
        program.queryset = account_programs(Program.objects.filter(school__in=schools))
        for name in ("owner_staff_email", "primary_administrator", "backup_administrator"):
            field_of(self.fields, name, PickerField).queryset = _district_staff(district)
        # Model validators (no secrets, a district mailbox) run on the form too, so a refused
        # value is caught before anything is saved and is not sent back in the page.
        for name in self._meta.fields or ():
            model_field = SocialAccount._meta.get_field(name)
            if name in self.fields and isinstance(model_field, models.Field):
                for validator in model_field.validators:
                    if validator not in self.fields[name].validators:
                        self.fields[name].validators.append(validator)
        field_of(self.fields, "owner_kind", forms.ChoiceField).choices = [("", _("Choose…")), *OwnerKind.choices]
        # The model's choices, with a first choice that says what leaving it empty means.
        field_of(self.fields, "recovery_method", forms.ChoiceField).choices = [
            ("", _("Not recorded yet")),
            *RecoveryMethod.choices,
        ]
        self.fields["purpose"].help_text = _("What the page is for and what it will post.")
        self.fields["recovery_notes"].help_text = NO_PASSWORDS
        if self.instance.pk:
            self.initial.setdefault("platform", self.instance.platform_id)
            self.initial.setdefault("profile_url", self.instance.profile_url)
            self.initial.setdefault("handle", self.instance.handle)
            if self.instance.owner_staff is not None:
                self.initial.setdefault("owner_staff_email", self.instance.owner_staff.email)
        elif requester is not None:
            self.initial.setdefault("primary_administrator", requester.email)
        if mode == "edit":
            for name in ("primary_administrator", "backup_administrator", "launched_on"):
                del self.fields[name]
        elif mode == "request":
            del self.fields["launched_on"]
        self.order_fields(
            [
                "platform",
                "profile_url",
                "handle",
                "display_name",
                "owner_kind",
                "school",
                "program",
                "owner_staff_email",
                "purpose",
                "audience",
                "primary_administrator",
                "backup_administrator",
                "login_email",
                "recovery_method",
                "recovery_notes",
                "launched_on",
            ]
        )

    def clean_launched_on(self) -> datetime.date | None:
        launched_on = self.cleaned_data.get("launched_on")
        if launched_on and launched_on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return launched_on

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        platform: Platform | None = data.get("platform")
        if platform is not None:
            try:
                self.address = platform.profile(handle=data.get("handle", ""), url=data.get("profile_url", ""))
            except ProfileAddressError as error:
                self.add_error("profile_url" if data.get("profile_url") else "handle", str(error))
        kind = data.get("owner_kind")
        if kind == OwnerKind.SCHOOL and not data.get("school"):
            self.add_error("school", _("Choose the school."))
        if kind == OwnerKind.PROGRAM and not data.get("program"):
            self.add_error("program", _("Choose the club, team or program."))
        if kind == OwnerKind.STAFF:
            self.owner_staff = data.get("owner_staff_email")
            if self.owner_staff is None and "owner_staff_email" not in self.errors:
                self.add_error("owner_staff_email", _("Enter the district e-mail of an active staff member."))
        for name, role in (
            ("primary_administrator", AdministratorRole.PRIMARY),
            ("backup_administrator", AdministratorRole.BACKUP),
        ):
            user = data.get(name)
            if name not in self.fields or user is None:
                continue
            if any(d.user.pk == user.pk for d in self.designations):
                self.add_error(name, _("Choose a different person from the primary administrator."))
            else:
                self.designations.append(Designation(user=user, role=role))
        return data

    def details(self) -> dict[str, Any]:
        details = {name: self.cleaned_data.get(name) for name in DETAIL_FIELDS if name != "owner_staff"}
        details["owner_staff"] = self.owner_staff
        return details

    def _post_clean(self) -> None:
        # The service validates the whole account (with its district and profile) before saving.
        pass


class ReasonForm(ForgetSecretsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[refuse_secrets],
        strip=True,
    )


class ActivateForm(forms.Form):
    launched_on = forms.DateField(
        label=_("Launch date"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )


class AdministratorForm(forms.Form):
    email = staff_picker_field(
        label=_("Staff member"),
        not_found=NOT_STAFF,
        help_text=_("Type part of their name or e-mail address, then choose."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=AdministratorRole.choices,
        initial=AdministratorRole.BACKUP,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, district: District, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.district = district
        self.user: User | None = None
        field_of(self.fields, "email", PickerField).queryset = _district_staff(district)
        self.fields["email"].widget.attrs["aria-describedby"] = "id_email_helptext"

    def clean_email(self) -> User:
        user: User = self.cleaned_data["email"]
        self.user = user
        return user


class ReviewForm(ForgetSecretsMixin, forms.Form):
    administrators_confirmed = forms.BooleanField(
        label=_("The administrators listed above are right, and each still runs the page"), required=False
    )
    purpose_confirmed = forms.BooleanField(label=_("The purpose and audience are still right"), required=False)
    follows_policy = forms.BooleanField(
        label=_("The account follows the district's social-media policy (content, student images, comments)"),
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[refuse_secrets],
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ReviewOutcome.choices, widget=forms.RadioSelect, initial=ReviewOutcome.RECERTIFIED
    )


class RecertifyManyForm(ForgetSecretsMixin, forms.Form):
    """The three statements of a re-certification, made once for every account listed."""

    administrators_confirmed = forms.BooleanField(
        label=_("For each account listed, its administrators are right and each still runs the page")
    )
    purpose_confirmed = forms.BooleanField(label=_("The purpose and audience of each are still right"))
    follows_policy = forms.BooleanField(
        label=_("Each follows the district's social-media policy (content, student images, comments)")
    )
    notes = forms.CharField(
        label=_("Notes (recorded on each review)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[refuse_secrets],
    )


# --- Reports of pages claiming to be ours --------------------------------------------------------


class FakeReportForm(forms.Form):
    """A page someone says claims to be the district's: the form a staff member fills in; the public
    form below adds what keeps robots off. The address is read (and refused in words) by the service."""

    address = forms.CharField(
        label=_("The page's address"),
        max_length=500,
        help_text=_(
            "Copy it from your browser's address bar or the app's “Share” button, e.g. https://www.instagram.com/…"
        ),
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter the address of the page."), "max_length": _("This address is too long.")},
    )
    problem = forms.ChoiceField(
        label=_("What is wrong?"),
        choices=FakeReportProblem.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what is wrong with the page.")},
    )
    details = forms.CharField(
        label=_("Anything else we should know (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Do not attach or describe images of a student: the address is enough for us to act."),
    )
    reporter_contact = forms.CharField(
        label=_("Your e-mail or phone, if you want us to reach you (optional)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )

    def clean_address(self) -> str:
        address: str = self.cleaned_data["address"].strip()
        try:
            read_reported(address)
        except ProfileAddressError:
            raise forms.ValidationError(
                _(
                    "This is not the address of a page. Copy the whole address, for example https://www.instagram.com/name/."
                )
            ) from None
        return address


class PublicFakeReportForm(FakeReportForm):
    """The public directory's form: no sign-in, so a hidden field robots fill, a signed ticket saying
    when the form was shown, and a sum a person answers (registry.report_guard)."""

    answer = forms.CharField(
        label="",  # set from the ticket: the question itself
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Answer the sum, so we know a person sent the report.")},
    )
    # Shown to nobody (hidden from sight and from screen readers): a person leaves it empty.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, ticket: report_guard.Ticket, **kwargs: Any) -> None:
        """`ticket` is the one the page shows (its hidden field and its sum); the one sent is read from
        the submitted data."""
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.fields["answer"].label = ticket.question

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        refused = report_guard.refusal(
            str(self.data.get("ticket", "")), str(cleaned.get("answer", "")), str(self.data.get("website", ""))
        )
        if refused is not None and not (refused[0] == "answer" and "answer" in self.errors):
            self.add_error(refused[0] or None, refused[1])
        return cleaned


class FakeReportVerdictForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Is it one of ours?"), choices=FakeReportVerdict.choices, widget=forms.RadioSelect
    )


class FakeReportPlatformForm(forms.Form):
    reported_at = forms.DateTimeField(
        label=_("Reported to the platform on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    reference = forms.CharField(
        label=_("The platform's reference (case or ticket number)"), required=False, max_length=200
    )
    deadline_at = forms.DateTimeField(
        label=_("The platform's deadline, if one applies"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text=_("For intimate images of a student the law sets it: 48 hours after your report (Take It Down Act)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reported_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class FakeReportOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What did the platform do?"), choices=FakeReportOutcome.choices, widget=forms.RadioSelect
    )
