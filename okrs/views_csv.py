"""CSV pages for OKRs: export a cycle (everyone, only what they may see) and import a file into
a cycle (admins and managers): upload → dry-run preview with per-row errors → confirm."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render

from okrs import csv_io, selectors
from okrs.models import Cycle
from organisations.models import Membership, Role
from organisations.views import tenant_view

SESSION_TEXT = "okr_import_csv"
SESSION_CYCLE = "okr_import_cycle"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class CycleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cycle) -> str:
        return f"{obj.name} ({obj.get_state_display().lower()})"


class OkrImportForm(forms.Form):
    cycle = CycleChoiceField(queryset=Cycle.objects.none(), label="Import into cycle", empty_label=None)
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns: objective title, level, kind, owner email, team path, key result title, key result kind, "
            "start, target, unit, weight, parent objective title (optional columns may be left out)."
        ),
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the organisation's cycles: another tenant's cycle id is "not one of the choices".
        self.fields["cycle"].queryset = selectors.cycle_list(actor=membership)  # type: ignore[attr-defined]
        default = selectors.default_cycle(actor=membership)
        if default is not None and not self.is_bound:
            self.fields["cycle"].initial = default.pk


@tenant_view()
def okr_csv_export(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    """With ``?cycle=<id>`` the download; without, a page to choose the cycle."""
    cycles = list(selectors.cycle_list(actor=membership))
    raw = request.GET.get("cycle", "")
    error = ""
    if raw:
        if raw.isdigit():
            cycle = selectors.access_cycle(membership, int(raw))  # 404 for another tenant's cycle
            text = csv_io.export_cycle(actor=membership, organisation=membership.organisation, cycle=cycle)
            return csv_io.csv_response(text, cycle)
        error = "Choose a cycle."
    default = selectors.default_cycle(actor=membership)
    return render(
        request,
        "okrs/csv/export.html",
        {
            "cycles": cycles,
            "selected": default.pk if default else None,
            "error": error,
            "can_import": membership.has_role(Role.MANAGER),
            "section": "okrs",
        },
    )


@tenant_view(Role.MANAGER)
def okr_csv_import(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    """Upload → dry-run preview → confirm; the import is all-or-nothing (like people import)."""
    form = OkrImportForm(request.POST or None, request.FILES or None, membership=membership)
    result = None
    cycle = None
    if request.method == "POST" and request.POST.get("action") == "confirm":
        csv_text = request.session.get(SESSION_TEXT, "")
        cycle_id = request.session.get(SESSION_CYCLE)
        if not csv_text or not cycle_id:
            messages.error(request, "The preview expired; please upload the file again.")
            return redirect("okr_csv_import", org_slug=membership.organisation.slug)
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
        form = OkrImportForm(membership=membership, initial={"cycle": cycle.pk})
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
    return render(
        request,
        "okrs/csv/import.html",
        {"form": form, "result": result, "cycle": cycle, "columns": csv_io.COLUMNS, "section": "okrs"},
    )


def _export_url(membership: Membership) -> str:
    from django.urls import reverse

    return reverse("okr_csv_export", kwargs={"org_slug": membership.organisation.slug})
