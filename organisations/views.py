"""HTML pages for accounts, the organisation switcher, the profile and HR's people admin."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from organisations import forms, limits, rls, selectors, services
from organisations.client_ip import client_ip
from organisations.importer import people_import
from organisations.models import Membership, Organisation, Role, TeamKind, User
from organisations.web import (
    TenantRequest,
    apply_validation_error,
    attempt,
    my_work_cards,
    navigation_for,
    panels,
    parse_query,
    render_page,
    submit,
    tenant_view,
)

# ---------------------------------------------------------------- accounts


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, with a limit per address and per client IP. Over the limit no mail
    goes out, and the answer is the same redirect as ever: the limit reveals nothing about an
    address, nor whether it has an account."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        window = settings.ASCENT_RESET_WINDOW_SECONDS
        per_ip = limits.hit(
            "reset-ip", client_ip(self.request), limit=settings.ASCENT_RESET_PER_IP, window_seconds=window
        )
        per_address = limits.hit("reset-address", email, limit=settings.ASCENT_RESET_PER_ADDRESS, window_seconds=window)
        if per_ip and per_address:
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


def home(request: HttpRequest) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect("login")
    memberships = selectors.user_memberships(request.user)
    last = request.session.get("last_org")
    for membership in memberships:
        if membership.organisation.slug == last:
            return redirect("organisations:my_work", org_slug=last)
    if len(memberships) >= 1:
        return redirect("organisations:my_work", org_slug=memberships[0].organisation.slug)
    return redirect("organisation_list")


def signup(request: HttpRequest) -> HttpResponseBase:
    if request.user.is_authenticated:
        return redirect("organisation_create")
    form = forms.SignupForm(request.POST or None)
    done = submit(form, lambda: services.signup(**form.cleaned_data))
    if done.ok:
        membership = done.result
        login(request, membership.user, backend="organisations.backends.EmailBackend")
        messages.success(request, f"Welcome to Ascent! {membership.organisation.name} is ready.")
        return redirect("organisations:my_work", org_slug=membership.organisation.slug)
    return render(request, "registration/signup.html", {"form": form})


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "organisations/organisation_list.html", {"memberships": selectors.user_memberships(request.user)}
    )


@login_required
def organisation_create(request: HttpRequest) -> HttpResponseBase:
    form = forms.OrganisationCreateForm(request.POST or None)
    done = submit(form, lambda: services.organisation_create(owner=request.user, **form.cleaned_data))  # type: ignore[arg-type]
    if done.ok:
        membership = done.result
        messages.success(request, f"{membership.organisation.name} is ready. Invite your people next.")
        return redirect("organisations:my_work", org_slug=membership.organisation.slug)
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
    if submit(form, lambda: services.user_update_profile(user=user, **form.cleaned_data)).ok:
        messages.success(request, "Profile saved.")
        return redirect("profile")
    created = submit(token_form, lambda: services.api_token_create(user=user, name=token_form.cleaned_data["name"]))
    if created.ok:
        _, new_token = created.result
        token_form = forms.ApiTokenForm()
    memberships = selectors.user_memberships(user)
    context: dict[str, object] = {
        "form": form,
        "token_form": token_form,
        "tokens": selectors.api_token_list(user=user),
        "new_token": new_token,
        "memberships": memberships,
    }
    # The profile is no organisation's page, but it keeps the main menu of the one last visited.
    last = request.session.get("last_org")
    current = next((m for m in memberships if m.organisation.slug == last), None) or next(iter(memberships), None)
    if current is not None:
        context["main_navigation"] = navigation_for(current)
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
                apply_validation_error(form, exc)
            else:
                error = " ".join(exc.messages)
        else:
            if user is None:
                login(request, membership.user, backend="organisations.backends.EmailBackend")
            messages.success(request, f"Welcome to {organisation.name}!")
            return redirect("organisations:my_work", org_slug=organisation.slug)
    context = {
        "invitation": invitation,
        "organisation": None,
        "invite_org": organisation,
        "form": form,
        "error": error,
        "needs_login": user is None and not needs_account,
    }
    return render(request, "organisations/invitation_accept.html", context)


# ---------------------------------------------------------------- my work, team


@tenant_view()
def my_work(request: TenantRequest, membership: Membership) -> HttpResponse:
    """The person's start page: each app's card (organisations.frame.MyWorkCard), their team."""
    request.session["last_org"] = membership.organisation.slug
    context = {
        "reports": selectors.direct_reports(actor=membership),
        "cards": my_work_cards(request, membership),
        "section": "work",
    }
    return render(request, "organisations/my_work.html", context)


@tenant_view()
def person(request: TenantRequest, membership: Membership, membership_id: int) -> HttpResponse:
    """A colleague's page in the directory: who they are, their manager and reports, and what
    other apps show of them to this reader (``AppConfig.person_panels``, e.g. visible objectives)."""
    subject = selectors.access_membership(membership, membership_id)
    context = {
        "subject": subject,
        "reports": selectors.direct_reports(actor=subject),
        "panels": panels("person_panels", request, membership, subject),
        "section": "team",
    }
    return render(request, "organisations/person.html", context)


@tenant_view()
def team(request: TenantRequest, membership: Membership) -> HttpResponse:
    """My manager, my direct reports and my team mates."""
    members = list(selectors.member_list(actor=membership, team_id=membership.team_id)) if membership.team_id else []
    reports = list(selectors.member_list(actor=membership).filter(manager=membership))
    manager = selectors.access_membership(membership, membership.manager_id) if membership.manager_id else None
    context = {"team_members": members, "reports": reports, "section": "team", "manager": manager}
    return render(request, "organisations/team.html", context)


@tenant_view()
def people_search(request: TenantRequest, membership: Membership) -> HttpResponse:
    """A person picker's choices: active members matching ``?q=``, at most
    ``PEOPLE_SEARCH_LIMIT``, as radio buttons named ``?field=`` (htmx swaps them into the picker;
    without JavaScript the page that holds the picker runs the same search itself)."""
    query = parse_query(request, forms.PeopleSearchQuery).cleaned_data
    context = {
        "field": query["field"],
        "people": selectors.member_search(actor=membership, query=query["q"], scope=query["scope"]),
        "input_type": "checkbox" if query["multiple"] else "radio",
        "people_query": query["q"],
        "people_limit": selectors.PEOPLE_SEARCH_LIMIT,
    }
    return render(request, "organisations/_people_choices.html", context)


# ---------------------------------------------------------------- HR admin: people


@tenant_view(Role.ADMIN)
def people(request: TenantRequest, membership: Membership) -> HttpResponse:
    query = parse_query(request, forms.PeopleQuery).cleaned_data
    search, status, role, team_id = query["q"], query["status"] or "active", query["role"], query["team"]
    members = selectors.member_list(actor=membership, search=search, team_id=team_id, role=role, status=status)
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
    return render_page(request, "organisations/people.html", context, region="member-list")


@tenant_view(Role.ADMIN)
def person_edit(request: TenantRequest, membership: Membership, membership_id: int) -> HttpResponseBase:
    person = selectors.access_membership(membership, membership_id)
    initial = {"role": person.role, "team": person.team_id, "manager": person.manager_id, "job_title": person.job_title}
    form = forms.MembershipForm(request.POST or None, initial=initial, actor=membership)
    if submit(form, lambda: services.membership_update(actor=membership, membership=person, **form.cleaned_data)).ok:
        messages.success(request, f"Saved {person.user.full_name}.")
        return redirect("organisations:people", org_slug=membership.organisation.slug)
    return render(request, "organisations/person_edit.html", {"form": form, "person": person, "section": "admin"})


@tenant_view(Role.ADMIN)
@require_POST
def person_deactivate(request: TenantRequest, membership: Membership, membership_id: int) -> HttpResponseBase:
    person = selectors.access_membership(membership, membership_id)
    attempt(
        request,
        lambda: services.membership_deactivate(actor=membership, membership=person),
        f"{person.user.full_name} is deactivated; their history is kept.",
    )
    return redirect("organisations:person_edit", org_slug=membership.organisation.slug, membership_id=person.pk)


@tenant_view(Role.ADMIN)
@require_POST
def person_reactivate(request: TenantRequest, membership: Membership, membership_id: int) -> HttpResponseBase:
    person = selectors.access_membership(membership, membership_id)
    services.membership_reactivate(actor=membership, membership=person)
    messages.success(request, f"{person.user.full_name} can sign in to {membership.organisation.name} again.")
    return redirect("organisations:person_edit", org_slug=membership.organisation.slug, membership_id=person.pk)


# ---------------------------------------------------------------- HR admin: invitations


@tenant_view(Role.ADMIN)
def invitations(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    form = forms.InvitationForm(request.POST or None, actor=membership)
    done = submit(form, lambda: services.invitation_create(actor=membership, **form.cleaned_data))
    if done.ok:
        invitation, _ = done.result
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return redirect("organisations:invitations", org_slug=membership.organisation.slug)
    context = {
        "form": form,
        "invitations": selectors.invitation_list_with_email_state(actor=membership)[:200],
        "section": "admin",
    }
    return render(request, "organisations/invitations.html", context)


@tenant_view(Role.ADMIN)
@require_POST
def invitation_resend(request: TenantRequest, membership: Membership, invitation_id: int) -> HttpResponseBase:
    invitation = selectors.access_invitation(membership, invitation_id)
    attempt(
        request,
        lambda: services.invitation_resend(actor=membership, invitation=invitation),
        f"The invitation e-mail to {invitation.email} is on its way again.",
    )
    return redirect("organisations:invitations", org_slug=membership.organisation.slug)


@tenant_view(Role.ADMIN)
@require_POST
def invitation_revoke(request: TenantRequest, membership: Membership, invitation_id: int) -> HttpResponseBase:
    invitation = selectors.access_invitation(membership, invitation_id)
    attempt(
        request,
        lambda: services.invitation_revoke(actor=membership, invitation=invitation),
        f"Invitation for {invitation.email} revoked.",
    )
    return redirect("organisations:invitations", org_slug=membership.organisation.slug)


# ---------------------------------------------------------------- HR admin: teams


@tenant_view(Role.ADMIN)
def teams(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    form = forms.TeamForm(request.POST or None, actor=membership)
    done = submit(form, lambda: services.team_create(actor=membership, **form.cleaned_data))
    if done.ok:
        team_ = done.result
        messages.success(request, f"Added {team_.name}.")
        return redirect("organisations:teams", org_slug=membership.organisation.slug)
    return render(
        request,
        "organisations/teams.html",
        {"form": form, "tree": selectors.team_tree(actor=membership), "section": "admin"},
    )


@tenant_view(Role.ADMIN)
def team_edit(request: TenantRequest, membership: Membership, team_id: int) -> HttpResponseBase:
    team_ = selectors.access_team(membership, team_id)
    form = forms.TeamEditForm(
        request.POST or None, initial={"name": team_.name, "parent": team_.parent_id}, actor=membership
    )
    if team_.kind == TeamKind.COMPANY:
        form.fields.pop("parent")
    update = lambda: services.team_update(  # noqa: E731
        actor=membership, team=team_, name=form.cleaned_data["name"], parent=form.cleaned_data.get("parent")
    )
    if submit(form, update).ok:
        messages.success(request, f"Saved {team_.name}.")
        return redirect("organisations:teams", org_slug=membership.organisation.slug)
    return render(request, "organisations/team_edit.html", {"form": form, "team": team_, "section": "admin"})


@tenant_view(Role.ADMIN)
@require_POST
def team_delete(request: TenantRequest, membership: Membership, team_id: int) -> HttpResponseBase:
    team_ = selectors.access_team(membership, team_id)
    if not attempt(request, lambda: services.team_delete(actor=membership, team=team_), f"Deleted {team_.name}."):
        return redirect("organisations:team_edit", org_slug=membership.organisation.slug, team_id=team_.pk)
    return redirect("organisations:teams", org_slug=membership.organisation.slug)


# ---------------------------------------------------------------- HR admin: CSV import, settings


@tenant_view(Role.ADMIN)
def people_import_view(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    """Upload → dry-run preview with per-row errors → confirm. The import is all-or-nothing."""
    form = forms.PeopleImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and request.POST.get("action") == "confirm":
        csv_text = request.session.get("people_import_csv", "")
        if not csv_text:
            messages.error(request, "The preview expired; please upload the file again.")
            return redirect("organisations:people_import", org_slug=membership.organisation.slug)
        result = people_import(actor=membership, csv_text=csv_text, dry_run=False)
        if result.ok:
            del request.session["people_import_csv"]
            messages.success(
                request,
                f"Imported {result.created} new and updated {result.updated} people; {result.invited} invitations sent.",
            )
            return redirect("organisations:people", org_slug=membership.organisation.slug)
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


#: How the activity log names each setting.
SETTING_LABELS = {
    "name": "Name",
    "time_zone": "Time zone",
    "fiscal_year_start_month": "Fiscal year starts in (month)",
    "review_window_days": "Review window (days)",
    "pace_on_track_margin": "On-track margin",
    "pace_at_risk_margin": "At-risk margin",
    "stale_after_days": "Stale after (days)",
    "number_format": "Number format",
    "objectives_need_approval": "Approval before a cycle is active",
}


@tenant_view(Role.ADMIN)
def organisation_settings(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    organisation = membership.organisation
    form = forms.OrganisationSettingsForm(
        request.POST or None, initial=forms.OrganisationSettingsForm.initial_for(organisation)
    )
    if submit(form, lambda: services.organisation_update(actor=membership, **form.service_kwargs())).ok:
        messages.success(request, "Organisation settings saved: they apply from the next page you open.")
        return redirect("organisations:organisation_settings", org_slug=organisation.slug)
    context = {
        "form": form,
        "section": "admin",
        "changes": [
            (
                entry,
                [(SETTING_LABELS.get(field, field), before, after) for field, (before, after) in entry.detail.items()],
            )
            for entry in selectors.organisation_activity(actor=membership)
        ],
    }
    return render(request, "organisations/organisation_settings.html", context)


@tenant_view(Role.ADMIN)
def admin_home(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    return redirect(reverse("organisations:people", kwargs={"org_slug": membership.organisation.slug}))
