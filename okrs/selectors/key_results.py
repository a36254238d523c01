"""Reads of key results and their progress history, limited to objectives the actor may see."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from okrs.models import Contributor, KeyResult, KeyResultKind, Milestone, ProgressUpdate
from okrs.permissions import Access
from okrs.selectors.objectives import SPARKLINE_POINTS, latest_updates, visible_objectives
from organisations.models import Membership


def key_result_list(*, actor: Membership, access: Access | None = None) -> QuerySet[KeyResult]:
    """Key results of the objectives the actor may see."""
    return (
        KeyResult.objects.for_actor(actor)
        .filter(objective__in=visible_objectives(actor=actor, access=access))
        .select_related("objective__cycle", "owner__user")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("position", "id")))
    )


def access_key_result(actor: Membership, key_result_id: int, *, access: Access | None = None) -> KeyResult:
    kr = (
        KeyResult.objects.for_actor(actor)
        .filter(pk=key_result_id, objective__in=visible_objectives(actor=actor, access=access))
        .select_related("objective__cycle", "owner__user")
        .first()
    )
    if kr is None:
        raise Http404("No such key result")
    return kr


def key_results_for_rows(
    *, actor: Membership, access: Access | None = None, history: int = SPARKLINE_POINTS
) -> QuerySet[KeyResult]:
    """Visible key results with what a key result row (``okrs/parts.html#kr-row``) draws:
    objective (with cycle, owner and contributors), owner, milestones and the latest ``history``
    updates, in one query each whatever the number of rows."""
    return _with_row_parts(
        KeyResult.objects.for_actor(actor).filter(objective__in=visible_objectives(actor=actor, access=access)),
        history=history,
    )


def _with_row_parts(key_results: QuerySet[KeyResult], *, history: int) -> QuerySet[KeyResult]:
    return key_results.select_related("objective__cycle", "objective__owner__user", "owner__user").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("position", "id")),
        Prefetch("updates", queryset=latest_updates(history), to_attr="recent_updates"),
        Prefetch("objective__contributor_links", queryset=Contributor.objects.select_related("membership__user")),
    )


def key_result_for_row(
    actor: Membership, key_result_id: int, *, access: Access, history: int = SPARKLINE_POINTS
) -> KeyResult:
    """One visible key result with what its row on My OKRs draws (``key_results_for_rows``)."""
    kr = key_results_for_rows(actor=actor, access=access, history=history).filter(pk=key_result_id).first()
    if kr is None:
        raise Http404("No such key result")
    return kr


def key_result_row_after(seen: KeyResult, update: ProgressUpdate, *, history: int = SPARKLINE_POINTS) -> KeyResult:
    """``seen`` (which ``key_result_for_row`` returned earlier in this request's transaction) as
    it is after ``update``: its stored values from the copy the update locked and wrote
    (``update.key_result``) and the update first in its history, without reading it again
    (that cost a progress update four queries and most of its Python time). A milestone key
    result is read again, its row's parts with it: its milestones' done flags are what changed.
    Visibility is not evaluated a second time either way: the first read decided it."""
    if seen.kind == KeyResultKind.MILESTONES:
        return _with_row_parts(KeyResult.objects.for_actor(seen).filter(pk=seen.pk), history=history).get()
    saved = update.key_result
    for field in ("current_value", "progress", "measured", "confidence", "last_update_at"):
        setattr(seen, field, getattr(saved, field))
    seen.recent_updates = [update, *getattr(seen, "recent_updates", [])][:history]  # type: ignore[attr-defined]
    return seen


def progress_update_list(*, actor: Membership, access: Access | None = None) -> QuerySet[ProgressUpdate]:
    """Progress updates of the key results the actor may see, newest first."""
    return (
        ProgressUpdate.objects.for_actor(actor)
        .filter(key_result__objective__in=visible_objectives(actor=actor, access=access))
        .select_related("author__user")
        .order_by("-created_at", "-id")
    )
