"""HTML pages for accounts, the organisation switcher, the profile and HR's people admin."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from organisations import forms, rls, selectors, services
from organisations.importer import people_import
from organisations.models import Membership, Organisation, Role, TeamKind, User

ViewFunc = Callable[..., HttpResponseBase]


def tenant_view(role: Role = Role.EMPLOYEE) -> Callable[[ViewFunc], ViewFunc]:
    """A page under /o/<org_slug>/: the middleware has resolved the membership; check the role.

    A non-member never gets here (404 from the middleware); a member below ``role`` gets 403.
    """

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            membership: Membership | None = getattr(request, "membership", None)
            if membership is None:
                raise RuntimeError(f"{view.__name__} is a tenant view but its route has no <org_slug>")
            selectors.require_role(membership, role)
            return view(request, membership, *args, **kwargs)

        wrapped.tenant_role = role  # type: ignore[attr-defined]
        return wrapped

    return decorator


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, region: str | None = None) -> HttpResponse:
    """Render the page, or only ``region`` (a {% partialdef %}) for an htmx request."""
    if region and getattr(request, "htmx", False) and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, f"{template}#{region}", context)
    return render(request, template, context)


# ---------------------------------------------------------------- accounts


def home(request: HttpRequest) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect("login")
    memberships = selectors.user_memberships(request.user)
    last = request.session.get("last_org")
    for membership in memberships:
        if membership.organisation.slug == last:
            return redirect("my_work", org_slug=last)
    if len(memberships) >= 1:
        return redirect("my_work", org_slug=memberships[0].organisation.slug)
    return redirect("organisation_list")


def signup(request: HttpRequest) -> HttpResponseBase:
    if request.user.is_authenticated:
        return redirect("organisation_create")
    form = forms.SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.signup(**form.cleaned_data)
        except ValidationError as exc:
            forms.apply_validation_error(form, exc)
        else:
            login(request, membership.user, backend="organisations.backends.EmailBackend")
            messages.success(request, f"Welcome to Ascent! {membership.organisation.name} is ready.")
            return redirect("my_work", org_slug=membership.organisation.slug)
    return render(request, "registration/signup.html", {"form": form})


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "organisations/organisation_list.html", {"memberships": selectors.user_memberships(request.user)}
    )


@login_required
def organisation_create(request: HttpRequest) -> HttpResponseBase:
    form = forms.OrganisationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.organisation_create(owner=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            forms.apply_validation_error(form, exc)
        else:
            messages.success(request, f"{membership.organisation.name} is ready. Invite your people next.")
            return redirect("my_work", org_slug=membership.organisation.slug)
    return render(request, "organisations/organisation_create.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponseBase:
    user: User = request.user  # type: ignore[assignment]
    form = forms.ProfileForm(
        request.POST if request.POST.get("action") == "profile" else None,
        initial={
            "full_name": user.full_name,
            "time_zone": user.time_zone,
            "email_notifications": user.email_notifications,
        },
    )
    token_form = forms.ApiTokenForm(request.POST if request.POST.get("action") == "token" else None)
    new_token = None
    if request.method == "POST" and request.POST.get("action") == "profile" and form.is_valid():
        try:
            services.user_update_profile(user=user, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_validation_error(form, exc)
        else:
            messages.success(request, "Profile saved.")
            return redirect("profile")
    if request.method == "POST" and request.POST.get("action") == "token" and token_form.is_valid():
        try:
            _, new_token = services.api_token_create(user=user, name=token_form.cleaned_data["name"])
        except ValidationError as exc:
            forms.apply_validation_error(token_form, exc)
        else:
            token_form = forms.ApiTokenForm()
    context = {
        "form": form,
        "token_form": token_form,
        "tokens": selectors.api_token_list(user=user),
        "new_token": new_token,
        "memberships": selectors.user_memberships(user),
    }
    return render(request, "organisations/profile.html", context)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponseBase:
    services.api_token_revoke(user=request.user, token_id=token_id)  # type: ignore[arg-type]
    messages.success(request, "Token revoked. Scripts using it will now be refused.")
    return redirect("profile")


def invitation_accept(request: HttpRequest, join_slug: str, token: str) -> HttpResponseBase:
    """Open to anyone holding the link. The tenant is the one named in the link."""
    organisation = Organisation.objects.filter(slug=join_slug).first()
    if organisation is None:
        raise Http404("No such invitation")
    rls.set_tenant(organisation.pk)
    invitation = selectors.invitation_by_token(organisation, token)
    if invitation is None:
        raise Http404("No such invitation")
    user = request.user if isinstance(request.user, User) else None
    needs_account = user is None and not User.objects.filter(email__iexact=invitation.email).exists()
    form = forms.InvitationAcceptForm(request.POST or None) if needs_account else None
    error = None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            membership = services.invitation_accept(
                invitation=invitation,
                user=user,
                full_name=form.cleaned_data["full_name"] if form else "",
                password=form.cleaned_data["password"] if form else "",
            )
        except ValidationError as exc:
            if form is not None and hasattr(exc, "error_dict"):
                forms.apply_validation_error(form, exc)
            else:
                error = " ".join(exc.messages)
        else:
            if user is None:
                login(request, membership.user, backend="organisations.backends.EmailBackend")
            messages.success(request, f"Welcome to {organisation.name}!")
            return redirect("my_work", org_slug=organisation.slug)
    context = {
        "invitation": invitation,
        "organisation": None,
        "invite_org": organisation,
        "form": form,
        "error": error,
        "needs_login": user is None and not needs_account,
    }
    return render(request, "organisations/invitation_accept.html", context)


# ---------------------------------------------------------------- sections (filled by later issues)


@tenant_view()
def my_work(request: HttpRequest, membership: Membership) -> HttpResponse:
    request.session["last_org"] = membership.organisation.slug
    reports = selectors.direct_reports(actor=membership)
    return render(request, "organisations/my_work.html", {"reports": reports, "section": "work"})


SECTIONS = {
    "okrs": (
        "OKRs",
        "Your objectives and key results for the quarter, how they align to your team's and the company's, and their progress.",
    ),
    "goals": (
        "Goals",
        "Personal and professional-development goals — private, shared with your manager, or visible to everyone.",
    ),
    "checkins": (
        "Check-ins",
        "Bi-weekly conversations with your manager, quarterly planning and end-of-quarter reviews, with reminders.",
    ),
    "surveys": ("Surveys", "Engagement surveys scored by theme, and the action plans they suggest."),
}


@tenant_view()
def section(request: HttpRequest, membership: Membership, name: str) -> HttpResponse:
    if name not in SECTIONS:
        raise Http404("No such section")
    title, description = SECTIONS[name]
    return render(request, "organisations/section.html", {"title": title, "description": description, "section": name})


@tenant_view()
def team(request: HttpRequest, membership: Membership) -> HttpResponse:
    """My manager, my direct reports and my team mates."""
    members = list(selectors.member_list(actor=membership, team_id=membership.team_id)) if membership.team_id else []
    reports = list(selectors.member_list(actor=membership).filter(manager=membership))
    manager = selectors.access_membership(membership, membership.manager_id) if membership.manager_id else None
    context = {"team_members": members, "reports": reports, "section": "team", "manager": manager}
    return render(request, "organisations/team.html", context)


# ---------------------------------------------------------------- HR admin: people


@tenant_view(Role.ADMIN)
def people(request: HttpRequest, membership: Membership) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "active")
    role = request.GET.get("role", "")
    team_id_raw = request.GET.get("team", "")
    team_id = int(team_id_raw) if team_id_raw.isdigit() else None
    members = selectors.member_list(
        actor=membership, search=search, team_id=team_id, role=role if role in Role.values else "", status=status
    )
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "search": search,
        "status": status,
        "role": role,
        "team_id": team_id,
        "teams": selectors.team_list(actor=membership).order_by("name"),
        "roles": Role.choices,
        "section": "admin",
    }
    return _page(request, "organisations/people.html", context, region="member-list")


@tenant_view(Role.ADMIN)
def person_edit(request: HttpRequest, membership: Membership, membership_id: int) -> HttpResponseBase:
    person = selectors.access_membership(membership, membership_id)
    initial = {"role": person.role, "team": person.team_id, "manager": person.manager_id, "job_title": person.job_title}
    form = forms.MembershipForm(request.POST or None, initial=initial, actor=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(actor=membership, membership=person, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_validation_error(form, exc)
        else:
            messages.success(request, f"Saved {person.user.full_name}.")
            return redirect("people", org_slug=membership.organisation.slug)
    return render(request, "organisations/person_edit.html", {"form": form, "person": person, "section": "admin"})


@tenant_view(Role.ADMIN)
@require_POST
def person_deactivate(request: HttpRequest, membership: Membership, membership_id: int) -> HttpResponseBase:
    person = selectors.access_membership(membership, membership_id)
    try:
        services.membership_deactivate(actor=membership, membership=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{person.user.full_name} is deactivated; their history is kept.")
    return redirect("person_edit", org_slug=membership.organisation.slug, membership_id=person.pk)


@tenant_view(Role.ADMIN)
@require_POST
def person_reactivate(request: HttpRequest, membership: Membership, membership_id: int) -> HttpResponseBase:
    person = selectors.access_membership(membership, membership_id)
    services.membership_reactivate(actor=membership, membership=person)
    messages.success(request, f"{person.user.full_name} can sign in to {membership.organisation.name} again.")
    return redirect("person_edit", org_slug=membership.organisation.slug, membership_id=person.pk)


# ---------------------------------------------------------------- HR admin: invitations


@tenant_view(Role.ADMIN)
def invitations(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    form = forms.InvitationForm(request.POST or None, actor=membership)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _ = services.invitation_create(actor=membership, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_validation_error(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("invitations", org_slug=membership.organisation.slug)
    context = {"form": form, "invitations": selectors.invitation_list(actor=membership)[:200], "section": "admin"}
    return render(request, "organisations/invitations.html", context)


@tenant_view(Role.ADMIN)
@require_POST
def invitation_revoke(request: HttpRequest, membership: Membership, invitation_id: int) -> HttpResponseBase:
    invitation = selectors.access_invitation(membership, invitation_id)
    try:
        services.invitation_revoke(actor=membership, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Invitation for {invitation.email} revoked.")
    return redirect("invitations", org_slug=membership.organisation.slug)


# ---------------------------------------------------------------- HR admin: teams


@tenant_view(Role.ADMIN)
def teams(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    form = forms.TeamForm(request.POST or None, actor=membership)
    if request.method == "POST" and form.is_valid():
        try:
            team_ = services.team_create(actor=membership, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_validation_error(form, exc)
        else:
            messages.success(request, f"Added {team_.name}.")
            return redirect("teams", org_slug=membership.organisation.slug)
    return render(
        request,
        "organisations/teams.html",
        {"form": form, "tree": selectors.team_tree(actor=membership), "section": "admin"},
    )


@tenant_view(Role.ADMIN)
def team_edit(request: HttpRequest, membership: Membership, team_id: int) -> HttpResponseBase:
    team_ = selectors.access_team(membership, team_id)
    form = forms.TeamEditForm(
        request.POST or None, initial={"name": team_.name, "parent": team_.parent_id}, actor=membership
    )
    if team_.kind == TeamKind.COMPANY:
        form.fields.pop("parent")
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(
                actor=membership, team=team_, name=form.cleaned_data["name"], parent=form.cleaned_data.get("parent")
            )
        except ValidationError as exc:
            forms.apply_validation_error(form, exc)
        else:
            messages.success(request, f"Saved {team_.name}.")
            return redirect("teams", org_slug=membership.organisation.slug)
    return render(request, "organisations/team_edit.html", {"form": form, "team": team_, "section": "admin"})


@tenant_view(Role.ADMIN)
@require_POST
def team_delete(request: HttpRequest, membership: Membership, team_id: int) -> HttpResponseBase:
    team_ = selectors.access_team(membership, team_id)
    try:
        services.team_delete(actor=membership, team=team_)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("team_edit", org_slug=membership.organisation.slug, team_id=team_.pk)
    messages.success(request, f"Deleted {team_.name}.")
    return redirect("teams", org_slug=membership.organisation.slug)


# ---------------------------------------------------------------- HR admin: CSV import, settings


@tenant_view(Role.ADMIN)
def people_import_view(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    """Upload → dry-run preview with per-row errors → confirm. The import is all-or-nothing."""
    form = forms.PeopleImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and request.POST.get("action") == "confirm":
        csv_text = request.session.get("people_import_csv", "")
        if not csv_text:
            messages.error(request, "The preview expired; please upload the file again.")
            return redirect("people_import", org_slug=membership.organisation.slug)
        result = people_import(actor=membership, csv_text=csv_text, dry_run=False)
        if result.ok:
            del request.session["people_import_csv"]
            messages.success(
                request,
                f"Imported {result.created} new and updated {result.updated} people; {result.invited} invitations sent.",
            )
            return redirect("people", org_slug=membership.organisation.slug)
    elif request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            csv_text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", "The file must be UTF-8 encoded CSV (Excel: “CSV UTF-8”).")
        else:
            result = people_import(actor=membership, csv_text=csv_text, dry_run=True)
            if result.ok:
                request.session["people_import_csv"] = csv_text
    return render(request, "organisations/people_import.html", {"form": form, "result": result, "section": "admin"})


@tenant_view(Role.ADMIN)
def organisation_settings(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    organisation = membership.organisation
    initial = {
        "name": organisation.name,
        "time_zone": organisation.time_zone,
        "fiscal_year_start_month": organisation.fiscal_year_start_month,
    }
    form = forms.OrganisationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.organisation_update(actor=membership, **form.cleaned_data)
        messages.success(request, "Organisation settings saved.")
        return redirect("organisation_settings", org_slug=organisation.slug)
    return render(request, "organisations/organisation_settings.html", {"form": form, "section": "admin"})


@tenant_view(Role.ADMIN)
def admin_home(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    return redirect(reverse("people", kwargs={"org_slug": membership.organisation.slug}))
