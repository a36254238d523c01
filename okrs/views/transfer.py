"""CSV pages for OKRs: export a cycle (everyone, only what they may see) and import a file into a
cycle (admins and managers): upload → dry-run preview with per-row errors → confirm."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from okrs import csv_io, forms, queries, selectors
from organisations.models import Membership, Role
from organisations.web import TenantRequest, tenant_view

SESSION_TEXT = "okr_import_csv"
SESSION_CYCLE = "okr_import_cycle"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def _export_url(membership: Membership) -> str:
    return reverse("okrs:csv_export", kwargs={"org_slug": membership.organisation.slug})


@tenant_view()
def csv_export(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    """With ``?cycle=<id>`` the download; without, a page to choose the cycle."""
    cycles = list(selectors.cycle_list(actor=membership))
    error = ""
    if request.GET.get("cycle"):
        query = queries.CycleQuery(request.GET)
        if query.is_valid() and query.cleaned_data["cycle"] is not None:
            cycle = selectors.access_cycle(membership, query.cleaned_data["cycle"])  # another tenant's: 404
            return csv_io.csv_response(membership, cycle)
        error = "Choose a cycle."
    default = selectors.default_cycle(actor=membership, cycles=cycles)
    context = {
        "cycles": cycles,
        "selected": default.pk if default else None,
        "error": error,
        "can_import": membership.has_role(Role.MANAGER),
        "section": "okrs",
    }
    return render(request, "okrs/csv/export.html", context)


@tenant_view(Role.MANAGER)
def csv_import(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    """Upload → dry-run preview → confirm; the import is all-or-nothing (like people import)."""
    form = forms.OkrImportForm(request.POST or None, request.FILES or None, membership=membership)
    result = None
    cycle = None
    if request.method == "POST" and request.POST.get("action") == "confirm":
        csv_text = request.session.get(SESSION_TEXT, "")
        cycle_id = request.session.get(SESSION_CYCLE)
        if not csv_text or not cycle_id:
            messages.error(request, "The preview expired; please upload the file again.")
            return redirect("okrs:csv_import", org_slug=membership.organisation.slug)
        cycle = selectors.access_cycle(membership, int(cycle_id))
        result = csv_io.import_cycle(actor=membership, cycle=cycle, csv_text=csv_text, dry_run=False)
        if result.ok:
            del request.session[SESSION_TEXT]
            del request.session[SESSION_CYCLE]
            messages.success(
                request,
                f"Imported {result.objectives} objectives, {result.key_results} key results and "
                f"{result.alignments} alignments into {cycle.name}.",
            )
            return redirect(f"{_export_url(membership)}?cycle={cycle.pk}")
        form = forms.OkrImportForm(membership=membership, initial={"cycle": cycle.pk})
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        cycle = form.cleaned_data["cycle"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", "The file is larger than 2 MB; split it into smaller files.")
        else:
            try:
                csv_text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", "The file must be UTF-8 encoded CSV (Excel: “CSV UTF-8”).")
            else:
                result = csv_io.import_cycle(actor=membership, cycle=cycle, csv_text=csv_text, dry_run=True)
                if result.ok:
                    request.session[SESSION_TEXT] = csv_text
                    request.session[SESSION_CYCLE] = cycle.pk
    context = {"form": form, "result": result, "cycle": cycle, "columns": csv_io.COLUMNS, "section": "okrs"}
    return render(request, "okrs/csv/import.html", context)
