from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from organisations.models import MONTHS, Membership, NumberFormat, Organisation, Role, Team, TeamKind
from organisations.selectors import PEOPLE_SEARCH_LIMIT, pickable_members, search_members

TIME_ZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())]


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class SignupForm(forms.Form):
    full_name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label="Work e-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), help_text="At least 10 characters."
    )
    organisation_name = forms.CharField(label="Organisation", max_length=120)
    slug = forms.SlugField(
        label="Address",
        max_length=50,
        help_text="Your pages will live at /o/<address>/. Lower-case letters, digits, hyphens.",
    )
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES, initial="UTC")


class OrganisationCreateForm(forms.Form):
    name = forms.CharField(label="Organisation", max_length=120)
    slug = forms.SlugField(label="Address", max_length=50)
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES, initial="UTC")
    fiscal_year_start_month = forms.TypedChoiceField(
        choices=MONTHS, coerce=int, initial=1, label="Fiscal year starts in"
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(label="Name", max_length=150)
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES)
    email_notifications = forms.BooleanField(
        required=False, label="E-mail me reminders and notifications (they always appear in the app)"
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="Where you will use it, e.g. “Reporting script”.")


class TenantChoiceForm(forms.Form):
    """A form whose team/manager choices come from the actor's organisation only."""

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        if "team" in self.fields:
            self.fields["team"].queryset = Team.objects.for_actor(actor).order_by("name")  # type: ignore[attr-defined]
        if "manager" in self.fields:
            self.fields["manager"].offer(actor, pickable_members(actor=actor))  # type: ignore[attr-defined]
        if "parent" in self.fields:
            self.fields["parent"].queryset = Team.objects.for_actor(actor).order_by("name")  # type: ignore[attr-defined]
        if "role" in self.fields:
            self.fields["role"].choices = [(v, label) for v, label in Role.choices if actor.has_role(Role(v))]  # type: ignore[attr-defined]


class PersonPicker(forms.Widget):
    """A person picker that never lists the organisation: a search box (``<name>_q``) whose
    matches come from organisations:people_search as one types (htmx), beside the person or
    people already chosen, as radio buttons (or checkboxes for ``multiple``) named ``<name>``.

    Without JavaScript the form is sent with the text typed; its field answers "pick one of the
    matches" and the re-rendered form lists them (``PersonField.clean``). Set up by
    ``PersonField.offer`` with the members it may choose from and the search URL."""

    template_name = "organisations/widgets/person_picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, multiple: bool = False) -> None:
        super().__init__(attrs)
        self.multiple = multiple
        self.members: QuerySet[Membership] = Membership.objects.none()
        self.search_url = ""
        self.scope = ""
        self.search_text = ""
        self.empty_label = ""
        self._matches: dict[str, list[Membership]] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> PersonPicker:
        # Each form gets its own copy: what one request typed is never another's.
        widget = super().__deepcopy__(memo)
        widget.search_text = ""
        widget._matches = {}
        return widget

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        # The project's templates, not the form renderer's (which sees only Django's widgets).
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308

    def use_required_attribute(self, initial: Any) -> bool:
        return False  # the search box is never required; the choice is checked by the field

    def matches(self) -> list[Membership]:
        """The members matching the text typed (one query per text, shared by clean and render)."""
        text = self.search_text
        if text not in self._matches:
            self._matches[text] = search_members(self.members, text)
        return self._matches[text]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        self.search_text = str(data.get(f"{name}_q", "")).strip()[:100]
        if self.multiple:
            return data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_q" not in data

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_q" if id_ else id_

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        values = value if isinstance(value, list | tuple) else [value]
        ids = [int(v) for v in values if str(v or "").isdigit()]
        chosen = list(self.members.filter(pk__in=ids).order_by("user__full_name", "id")) if ids else []
        chosen_ids = {m.pk for m in chosen}
        context["widget"].update(
            {
                "multiple": self.multiple,
                "input_type": "checkbox" if self.multiple else "radio",
                "chosen": chosen,
                "matches": [m for m in self.matches() if m.pk not in chosen_ids],
                "search_text": self.search_text,
                "search_url": self.search_url,
                "scope": self.scope,
                "empty_label": self.empty_label,
                "limit": PEOPLE_SEARCH_LIMIT,
            }
        )
        return context


class PersonField(forms.ModelChoiceField):
    """One member, picked with a ``PersonPicker``; ``offer`` says from whom."""

    widget = PersonPicker

    def offer(self, actor: Membership, members: QuerySet[Membership], *, scope: str = "") -> None:
        """Choose from ``members`` (of ``actor``'s organisation); the search offers the same set
        (``scope`` names it to organisations:people_search)."""
        self.queryset = members
        widget = self.widget
        if not isinstance(widget, PersonPicker):
            return
        widget.members = members
        widget.scope = scope
        widget.search_url = reverse("organisations:people_search", kwargs={"org_slug": actor.organisation.slug})
        widget.empty_label = "" if self.required else str(self.empty_label or "Nobody").strip("— ")

    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.full_name} ({obj.user.email})"

    def clean(self, value: Any) -> Any:
        if isinstance(self.widget, PersonPicker):  # not when a form hides the choice
            _require_a_match(self.widget, [value])
        return super().clean(value)


class PeopleField(forms.ModelMultipleChoiceField):
    """Several members, picked with a ``PersonPicker(multiple=True)``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PersonPicker(multiple=True))
        super().__init__(*args, **kwargs)

    offer = PersonField.offer

    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.full_name

    def clean(self, value: Any) -> Any:
        if isinstance(self.widget, PersonPicker):
            _require_a_match(self.widget, list(value or []))
        return super().clean(value)


def _require_a_match(widget: PersonPicker, values: list[Any]) -> None:
    """Text typed in the search box means "find this person": unless one of the people it finds
    was picked, the form comes back with them listed (what a browser without JavaScript needs,
    and what stops a typed name from being dropped in favour of an older choice)."""
    if not widget.search_text:
        return
    matches = widget.matches()
    if not matches:
        raise ValidationError(f"Nobody active matches “{widget.search_text}”. Try part of a name or an e-mail address.")
    if not {str(m.pk) for m in matches} & {str(v) for v in values}:
        raise ValidationError(f"Pick one of the people matching “{widget.search_text}”, listed below, then save again.")


class MembershipForm(TenantChoiceForm):
    role = forms.ChoiceField(choices=Role.choices)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="— no team —")
    manager = PersonField(queryset=Membership.objects.none(), required=False, empty_label="No manager")
    job_title = forms.CharField(max_length=120, required=False)


class InvitationForm(TenantChoiceForm):
    email = forms.EmailField(label="E-mail")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EMPLOYEE)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="— no team —")
    manager = PersonField(queryset=Membership.objects.none(), required=False, empty_label="No manager")
    job_title = forms.CharField(max_length=120, required=False)


class TeamForm(TenantChoiceForm):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(
        choices=[(TeamKind.DEPARTMENT, "Department"), (TeamKind.TEAM, "Team")], initial=TeamKind.TEAM
    )
    parent = forms.ModelChoiceField(queryset=Team.objects.none(), required=True, label="Sits under")


class TeamEditForm(TenantChoiceForm):
    name = forms.CharField(max_length=120)
    parent = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Sits under")


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=150)
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: email, name, team path (e.g. Engineering / Platform), manager email, role, title.",
    )


class OrganisationSettingsForm(forms.Form):
    """The organisation's name and its quarter rules (HR admins). Margins are typed in
    percentage points and stored as fractions."""

    name = forms.CharField(max_length=120)
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES, help_text="Decides “today” for cycles, pace and staleness."
    )
    fiscal_year_start_month = forms.TypedChoiceField(choices=MONTHS, coerce=int, label="Fiscal year starts in")
    review_window_days = forms.IntegerField(
        min_value=0,
        max_value=60,
        label="Review window (days)",
        help_text="Days after a cycle ends in which scores are given; applies to cycles created from now on.",
    )
    pace_on_track_percent = forms.IntegerField(
        min_value=0,
        max_value=99,
        label="On track within (percentage points)",
        help_text="On track when progress is at most this far behind the elapsed share of the cycle.",
    )
    pace_at_risk_percent = forms.IntegerField(
        min_value=0,
        max_value=99,
        label="At risk within (percentage points)",
        help_text="At risk up to this far behind; further behind is off track. At least the on-track margin.",
    )
    stale_after_days = forms.IntegerField(
        min_value=1, max_value=90, label="Stale after (days)", help_text="No progress update for this long."
    )
    number_format = forms.ChoiceField(choices=NumberFormat.choices, label="Numbers are written")
    objectives_need_approval = forms.BooleanField(
        required=False,
        label="Objectives need their manager's approval before a cycle becomes active",
        help_text="Activating a cycle is then refused while objectives of people who have a manager are not approved.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        on_track, at_risk = data.get("pace_on_track_percent"), data.get("pace_at_risk_percent")
        if on_track is not None and at_risk is not None and at_risk < on_track:
            self.add_error("pace_at_risk_percent", "The at-risk margin must be at least the on-track margin.")
        return data

    @staticmethod
    def initial_for(organisation: Organisation) -> dict[str, Any]:
        return {
            "name": organisation.name,
            "time_zone": organisation.time_zone,
            "fiscal_year_start_month": organisation.fiscal_year_start_month,
            "review_window_days": organisation.review_window_days,
            "pace_on_track_percent": int(organisation.pace_on_track_margin * 100),
            "pace_at_risk_percent": int(organisation.pace_at_risk_margin * 100),
            "stale_after_days": organisation.stale_after_days,
            "number_format": organisation.number_format,
            "objectives_need_approval": organisation.objectives_need_approval,
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["pace_on_track_margin"] = Decimal(data.pop("pace_on_track_percent")) / 100
        data["pace_at_risk_margin"] = Decimal(data.pop("pace_at_risk_percent")) / 100
        return data


class PeopleQuery(forms.Form):
    """The people list's filters (``?q=&status=&role=&team=``)."""

    q = forms.CharField(required=False)
    status = forms.ChoiceField(
        choices=[("", "Active"), ("active", "Active"), ("inactive", "Deactivated"), ("all", "Everyone")], required=False
    )
    role = forms.ChoiceField(choices=[("", "Any role"), *Role.choices], required=False)
    team = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q", "")).strip()[:100]


class PeopleSearchQuery(forms.Form):
    """A person picker's search (``?q=``) and the name of the field its choices set (``?field=``,
    so any form's picker can reuse the endpoint)."""

    q = forms.CharField(required=False)
    field = forms.RegexField(regex=r"^[a-z][a-z_]{0,29}$", required=False)
    multiple = forms.BooleanField(required=False)
    scope = forms.ChoiceField(choices=[("", "The organisation"), ("line", "My reporting line")], required=False)

    def clean_field(self) -> str:
        return str(self.cleaned_data.get("field") or "person")

    def clean(self) -> dict[str, Any]:
        """The text is ``q``, or the picker's own box (``<field>_q``), which htmx sends by name."""
        data = super().clean() or {}
        field = data.get("field") or "person"
        text = data.get("q") or self.data.get(f"{field}_q", "")
        data["q"] = str(text).strip()[:100]
        return data
