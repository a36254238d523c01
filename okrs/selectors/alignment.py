"""Reads of the alignment graph: links, ancestors, the candidates a child may align to, and the
alignment tree's levels (okrs.tree builds the tree from them): roots, one node, the children of
some nodes, each node's child count, all asked in SQL of the tree's members."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from okrs import rules
from okrs.models import Alignment, Cycle, KeyResult, KeyResultSource, Objective, ObjectiveSource, level_rank
from okrs.permissions import Access
from okrs.selectors.objectives import by_level, visible_objectives
from organisations.models import Membership


def access_alignment(actor: Membership, alignment_id: int) -> Alignment:
    alignment = (
        Alignment.objects.for_actor(actor)
        .filter(pk=alignment_id, child__in=visible_objectives(actor=actor))
        .select_related("child", "parent_objective", "parent_key_result")
        .first()
    )
    if alignment is None:
        raise Http404("No such alignment")
    return alignment


def alignment_list(*, actor: Membership, access: Access | None = None) -> QuerySet[Alignment]:
    """Alignments whose child and parent the actor may both see (a link to an invisible parent
    would reveal that it exists)."""
    access = access or Access(actor)
    visible = visible_objectives(actor=actor, access=access)
    return (
        Alignment.objects.for_actor(actor)
        .filter(child__in=visible)
        .filter(Q(parent_objective__in=visible) | Q(parent_key_result__objective__in=visible))
        .select_related("parent_objective", "parent_key_result__objective")
        .order_by("id")
    )


def ancestor_ids(organisation_id: int, objective_id: int) -> set[int]:
    """Every objective above ``objective_id`` through objective or key-result alignments, in one
    recursive query (the graph is a DAG, and UNION stops on repeats anyway). The loop check of
    ``alignment_create`` and the refresh of the ancestors a page shows both use it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE up(id) AS (
                SELECT %s::bigint
                UNION
                SELECT coalesce(a.parent_objective_id, kr.objective_id)
                  FROM okrs_alignment a
                  LEFT JOIN okrs_keyresult kr ON kr.id = a.parent_key_result_id AND kr.organisation_id = %s
                  JOIN up ON a.child_id = up.id
                 WHERE a.organisation_id = %s
            ) SELECT id FROM up WHERE id <> %s
            """,
            [objective_id, organisation_id, organisation_id, objective_id],
        )
        return {row[0] for row in cursor.fetchall() if row[0] is not None}


def objective_child_links(actor: Membership, objective: Objective, *, access: Access) -> list[Alignment]:
    """Visible objectives aligned to ``objective`` or to one of its key results."""
    return list(
        Alignment.objects.for_actor(actor)
        .filter(Q(parent_objective=objective) | Q(parent_key_result__objective=objective))
        .filter(child__in=visible_objectives(actor=actor, access=access))
        .select_related("child__cycle", "child__owner__user", "parent_key_result")
        .order_by("child__title", "id")
    )


def alignment_candidates(
    actor: Membership, child: Objective, *, query: str, access: Access, limit: int = 20
) -> list[Objective]:
    """Objectives (with their key results) that ``child`` could align to: visible, of its cycle
    or of a cycle containing it, not itself; matching ``query`` in their or a key result's title."""
    cycle = child.cycle
    objectives = (
        visible_objectives(actor=actor, access=access)
        .filter(cycle__start_date__lte=cycle.start_date, cycle__end_date__gte=cycle.end_date)
        .exclude(pk=child.pk)
    )
    query = query.strip()
    if query:
        matching_krs = KeyResult.objects.for_actor(actor).filter(title__icontains=query).values("objective_id")
        objectives = objectives.filter(Q(title__icontains=query) | Q(pk__in=matching_krs))
    return list(
        by_level(
            objectives.select_related("cycle", "owner__user").prefetch_related(
                Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id"))
            )
        )[:limit]
    )


class _CountOf(Subquery):
    """The number of rows of a subquery (``count(*)`` over it), as an integer column."""

    template = "(SELECT count(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


class _EqualsAny(Func):
    """``field = ANY(array)``, as a condition."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def tree_members(*, cycle: Cycle, objectives: QuerySet[Objective]) -> QuerySet[Objective]:
    """The objectives a tree of ``cycle`` may show: ``objectives`` (visible and filtered) of the
    cycle. Every question below about parents and children is asked inside this set, in SQL."""
    return objectives.filter(cycle_id=cycle.pk)


#: Parents of a tree query: objective ids from the request (the nodes a reader opened), or a
#: subquery of ids (a page of roots, the level below it), so a level is read without shipping the
#: previous level's ids back.
Parents = list[int] | QuerySet[Any]


def _links_up_to(actor: Membership, parent: OuterRef | Parents) -> Q:
    """Alignments to ``parent`` (an outer objective, or several objectives): to the objective
    itself or to one of its key results. The key results are a subquery, so each side of the OR
    uses its own index."""
    # ``= ANY(ARRAY(…))`` rather than ``IN (…)``: the planner then ORs two index scans (and
    # estimates the rows well enough not to JIT-compile a small query).
    krs = KeyResult.objects.for_actor(actor).order_by()
    if isinstance(parent, OuterRef):
        return Q(parent_objective_id=parent) | Q(
            _EqualsAny(F("parent_key_result_id"), ArraySubquery(krs.filter(objective_id=OuterRef(parent)).values("pk")))
        )
    return Q(parent_objective_id__in=parent) | Q(
        _EqualsAny(F("parent_key_result_id"), ArraySubquery(krs.filter(objective_id__in=parent).values("pk")))
    )


def _parent_id() -> Coalesce:
    return Coalesce("parent_objective_id", "parent_key_result__objective_id")


def _child_count(actor: Membership, members: QuerySet[Objective], objective: str) -> _CountOf:
    """How many members align to the outer row's ``objective`` (a field path), each counted once
    however many links (to it and to its key results) it has."""
    ref = OuterRef(objective)
    children = (
        Alignment.objects.for_actor(actor)
        .filter(_links_up_to(actor, ref), child__in=members)
        .exclude(child_id=ref)
        .values("child_id")
        .distinct()
    )
    return _CountOf(children)


def _placed_below(actor: Membership, members: QuerySet[Objective]) -> QuerySet[Any]:
    """The ids of members that align to another member (directly or through a key result): they
    hang below it. The others (no parent, or parents invisible, filtered out or of another cycle)
    are roots. Uncorrelated, so the database reads it once for the whole tree."""
    return (
        Alignment.objects.for_actor(actor)
        .annotate(tree_parent=_parent_id())
        .filter(tree_parent__in=members.values("pk"), child__in=members)
        .exclude(child_id=F("tree_parent"))
        .values("child_id")
    )


def _node_columns(queryset: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    """What a node draws: owner and team (and, for the API, key results)."""
    return queryset.select_related(f"{prefix}owner__user", f"{prefix}team")


def tree_counts(*, actor: Membership, members: QuerySet[Objective]) -> tuple[int, int]:
    """(objectives shown, roots among them): one query."""
    below = _placed_below(actor, members)
    counts = members.order_by().aggregate(shown=Count("pk"), roots=Count("pk", filter=~Q(pk__in=below)))
    return counts["shown"], counts["roots"]


def tree_roots(*, actor: Membership, members: QuerySet[Objective], after: int | None) -> QuerySet[Objective]:
    """The roots, company level first then by title, after the root ``after`` (keyset paging: the
    cursor is an objective id, whose level and title the query reads itself), each with
    ``child_count``; the caller slices a page."""
    roots = by_level(
        _node_columns(members)
        .exclude(pk__in=_placed_below(actor, members))
        .annotate(child_count=_child_count(actor, members, "pk"))
    )
    if after is not None:
        mark = members.filter(pk=after).annotate(mark_rank=level_rank())
        rank, title = Subquery(mark.values("mark_rank")[:1]), Subquery(mark.values("title")[:1])
        roots = roots.filter(
            Q(level_rank__gt=rank) | Q(level_rank=rank, title__gt=title) | Q(level_rank=rank, title=title, pk__gt=after)
        )
    return roots


def with_tree_counts(
    roots: QuerySet[Objective], *, actor: Membership, members: QuerySet[Objective]
) -> QuerySet[Objective]:
    """``roots`` (unfiltered by a cursor) with the counts of ``tree_counts`` on each row, read in
    the same query: ``tree_shown`` (a subquery run once) and ``tree_root_total`` (a window over
    the roots, before the page is sliced)."""
    return roots.annotate(tree_shown=_CountOf(members.order_by().values("pk")), tree_root_total=Window(Count("pk")))


def tree_with_key_results(objectives: QuerySet[Objective]) -> QuerySet[Objective]:
    """Tree nodes with their key results (the API draws them): one more query."""
    return objectives.prefetch_related(_key_results("key_results"))


def tree_node(*, actor: Membership, members: QuerySet[Objective], objective_id: int) -> Objective | None:
    """One member with its ``child_count`` (None: not a member, i.e. filtered out)."""
    return (
        _node_columns(members).filter(pk=objective_id).annotate(child_count=_child_count(actor, members, "pk")).first()
    )


@dataclass(frozen=True)
class TreeChild:
    """A member under a parent: through the parent itself, or one of its key results (``via``)."""

    parent_id: int
    objective: Objective  # with ``child_count``
    via_key_result_id: int | None
    via_title: str


def _child_links(actor: Membership, members: QuerySet[Objective], parents: Parents) -> QuerySet[Alignment]:
    return (
        Alignment.objects.for_actor(actor)
        .filter(_links_up_to(actor, parents), child__in=members)
        .annotate(tree_parent=_parent_id())
        .exclude(child_id=F("tree_parent"))
    )


def tree_child_ids(*, actor: Membership, members: QuerySet[Objective], parents: Parents) -> QuerySet[Any]:
    """The ids of the members under ``parents``, as a subquery: the parents of the next level."""
    return _child_links(actor, members, parents).values("child_id")


def tree_children(
    *, actor: Membership, members: QuerySet[Objective], parents: Parents, with_key_results: bool = False
) -> dict[int, list[TreeChild]]:
    """The members under each of ``parents`` (a parent need not be a member itself), company
    level first then by title, each with ``child_count``; a child linked to one parent twice (to
    it and to one of its key results) appears once, through its first link. One query (plus the
    key results when asked), whatever the number of parents."""
    if isinstance(parents, list) and not parents:
        return {}
    links = (
        _node_columns(_child_links(actor, members, parents), "child__")
        .select_related("parent_key_result")
        .annotate(child_rank=level_rank("child__level"), child_count=_child_count(actor, members, "child_id"))
        .order_by("tree_parent", "child_rank", "child__title", "child_id", "id")
    )
    if with_key_results:
        links = links.prefetch_related(_key_results("child__key_results"))
    found: dict[int, list[TreeChild]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for link in links:
        if (link.tree_parent, link.child_id) in seen:
            continue
        seen.add((link.tree_parent, link.child_id))
        child = link.child
        child.child_count = link.child_count
        kr = link.parent_key_result
        found[link.tree_parent].append(
            TreeChild(link.tree_parent, child, kr.pk if kr else None, kr.title if kr else "")
        )
    return found


def _key_results(path: str) -> Prefetch:
    return Prefetch(path, queryset=KeyResult.objects.order_by("position", "id"))


@dataclass(frozen=True)
class AlignPreview:
    """What aligning the child (weight 1, counted) would do to one candidate parent's progress:
    ``before`` and ``after`` as (progress, measured); ``moves`` False when the parent's progress
    does not come from aligned objectives (its own key results, or a key result updated by hand)."""

    before: tuple[Decimal, bool]
    after: tuple[Decimal, bool]
    moves: bool = True


def alignment_previews(actor: Membership, child: Objective, candidates: list[Objective]) -> None:
    """Attach ``preview`` (an ``AlignPreview``) to each candidate objective and each of its key
    results, by the roll-up's own rule (okrs.rules.mean_of_measured), before anything is saved:
    one query for the candidates' current aligned children."""
    objective_ids = [o.pk for o in candidates]
    kr_ids = [k.pk for o in candidates for k in o.key_results.all()]
    inputs: dict[tuple[str, int], list[rules.Input]] = defaultdict(list)
    links = Alignment.objects.for_actor(actor).filter(counts_toward_progress=True).exclude(child_id=child.pk)
    for parent_objective, parent_kr, weight, progress, measured in links.filter(
        Q(parent_objective_id__in=objective_ids) | Q(parent_key_result_id__in=kr_ids)
    ).values_list("parent_objective_id", "parent_key_result_id", "weight", "child__progress", "child__measured"):
        key = ("objective", parent_objective) if parent_objective else ("key_result", parent_kr)
        inputs[key].append((weight, progress, measured))
    new: rules.Input = (Decimal(1), child.progress, child.measured)
    for objective in candidates:
        krs = list(objective.key_results.all())
        for kr in krs:
            if kr.progress_source == KeyResultSource.ALIGNED_CHILDREN:
                now = inputs[("key_result", kr.pk)]
                kr.preview = AlignPreview(rules.mean_of_measured(now), rules.mean_of_measured([*now, new]))  # type: ignore[attr-defined]
            else:
                kr.preview = AlignPreview((kr.progress, kr.measured), (kr.progress, kr.measured), moves=False)  # type: ignore[attr-defined]
        before = (objective.progress, objective.measured)
        if objective.progress_source == ObjectiveSource.KEY_RESULTS:
            objective.preview = AlignPreview(before, before, moves=False)  # type: ignore[attr-defined]
            continue
        kr_inputs = [(kr.weight, kr.progress, kr.measured) for kr in krs]
        children = inputs[("objective", objective.pk)]
        own = kr_inputs if objective.progress_source == ObjectiveSource.BOTH else []
        objective.preview = AlignPreview(before, rules.mean_of_measured([*own, *children, new]))  # type: ignore[attr-defined]
