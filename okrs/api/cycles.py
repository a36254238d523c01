"""Cycles: list, custom cycles, generating a fiscal year, states by hand, the alignment tree of a
cycle and its CSV export."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, renderers, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from okrs import csv_io, selectors, services
from okrs import status as okr_status
from okrs.api.common import CsvRenderer, OkrViewSet
from okrs.api.examples import TREE_NODE_EXAMPLE
from okrs.api.serializers import (
    ApprovalItemSerializer,
    CycleSerializer,
    CycleStateSerializer,
    CycleTreeQuery,
    GenerateYearSerializer,
    objective_filters,
)
from okrs.models import Cycle, Objective
from okrs.selectors.approvals import unapproved_objectives
from okrs.tree import Forest
from organisations.models import Role
from organisations.selectors import require_role

#: The tree repeats an objective under each of its parents; this caps pathological fan-out.
TREE_MAX_NODES = 5000


@extend_schema(tags=["okrs"])
class CycleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, OkrViewSet
):
    """OKR cycles (quarters, years, custom). Everyone reads; HR admins create, move and delete
    them (an empty one only)."""

    serializer_class = CycleSerializer
    queryset = Cycle.objects.all()
    write_role = Role.ADMIN

    def get_base_queryset(self) -> Any:
        return selectors.cycle_list(actor=self.membership)

    @extend_schema(
        summary="Delete an empty cycle",
        responses={204: None, 400: OpenApiResponse(description="The cycle has objectives.")},
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance: Cycle) -> None:
        services.cycle_delete(actor=self.membership, cycle=instance)

    @extend_schema(
        summary="Create a custom cycle",
        examples=[
            OpenApiExample(
                "Launch sprint",
                value={"name": "Launch sprint", "start_date": "2026-11-01", "end_date": "2026-11-30"},
                request_only=True,
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer[Cycle]) -> None:
        data = serializer.validated_data
        serializer.instance = services.cycle_create_custom(
            actor=self.membership,
            name=data["name"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            review_window_days=data.get("review_window_days"),
        )

    @extend_schema(
        summary="Generate a fiscal year: the annual cycle and its four quarters",
        request=GenerateYearSerializer,
        responses={201: CycleSerializer(many=True), 409: OpenApiResponse(description="That year already exists.")},
        examples=[OpenApiExample("FY2027", value={"start_year": 2027}, request_only=True)],
    )
    @action(detail=False, methods=["post"], url_path="generate-year", pagination_class=None)
    def generate_year(self, request: Request, org_slug: str) -> Response:
        payload = GenerateYearSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        cycles = services.cycles_generate_year(
            actor=self.membership, start_year=payload.validated_data["start_year"], today=self.organisation.today()
        )
        return Response(CycleSerializer(cycles, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move a cycle to a state by hand (the daily task then leaves it alone)",
        request=CycleStateSerializer,
        responses=CycleSerializer,
        examples=[OpenApiExample("Open the review", value={"state": "review"}, request_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="set-state")
    def set_state(self, request: Request, org_slug: str, pk: str) -> Response:
        cycle = self.get_object()
        payload = CycleStateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        cycle = services.cycle_set_state(
            actor=self.membership,
            cycle=cycle,
            state=payload.validated_data["state"],
            confirm_overlap=payload.validated_data.get("confirm_overlap", False),
        )
        return Response(CycleSerializer(cycle).data)

    @extend_schema(
        summary="The cycle's objectives as an alignment tree, with progress and status",
        description=(
            "Objectives the caller may see, nested under the objectives they align to (directly or "
            "through one of their key results: `via_key_result`). An objective with several parents "
            "appears under each; one whose parents are in another cycle or invisible is a root. "
            "Filters as for the objective list narrow the nodes. The roots are paged (`limit`, "
            "`offset`; `count` is the number of roots, `next` and `previous` the neighbouring pages) "
            "and the tree goes `depth` levels down; each node's `child_count` says how many objectives "
            "are aligned to it, shown or not."
        ),
        parameters=[CycleTreeQuery],
        responses={
            200: inline_serializer(
                "ObjectiveTree",
                {
                    "cycle": CycleSerializer(),
                    "expected_progress": serializers.DecimalField(max_digits=7, decimal_places=6),
                    "truncated": serializers.BooleanField(),
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "roots": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
        examples=[OpenApiExample("A company objective and a team one aligned to its key result", TREE_NODE_EXAMPLE)],
    )
    @action(detail=True, methods=["get"])
    def tree(self, request: Request, org_slug: str, pk: str) -> Response:
        cycle = self.get_object()
        query = self.query(CycleTreeQuery)
        today = self.organisation.today()
        organisation = self.organisation
        visible = selectors.objective_search(
            selectors.visible_objectives(actor=self.membership, access=self.access),
            actor=self.membership,
            filters=objective_filters(query, actor=self.membership),
            today=today,
        )
        forest = Forest(actor=self.membership, cycle=cycle, objectives=visible, today=today, with_key_results=True)
        limit, offset, depth = query["limit"], query["offset"], query["depth"]
        roots = forest.root_page(offset=offset, limit=limit)
        _, root_total = forest.counts()
        below = forest.descend(forest.root_page_ids(offset=offset, limit=limit), depth - 1)
        emitted = 0

        def node(objective: Objective, via: int | None, level: int) -> dict[str, Any]:
            nonlocal emitted
            emitted += 1
            found = forest.status(objective)
            kids = []
            for kid in below.get(objective.pk, []) if level < depth else []:
                if emitted >= TREE_MAX_NODES:
                    break
                kids.append(node(kid.objective, kid.via_key_result_id, level + 1))
            return {
                "id": objective.pk,
                "title": objective.title,
                "level": objective.level,
                "kind": objective.kind,
                "owner": objective.owner_id,
                "owner_name": objective.owner.user.full_name,
                "team": objective.team_id,
                "progress": str(objective.progress),
                "status": found.value if found else None,
                "confidence": objective.worst_confidence,
                "via_key_result": via,
                "key_results": [
                    {
                        "id": kr.pk,
                        "title": kr.title,
                        "progress": str(kr.progress),
                        "status": getattr(
                            okr_status.key_result_status(kr, cycle, organisation=organisation, today=today),
                            "value",
                            None,
                        ),
                    }
                    for kr in objective.key_results.all()
                ],
                "child_count": objective.child_count,  # type: ignore[attr-defined]  # annotated by the tree's reads
                "children": kids,
            }

        nodes = [node(o, None, 1) for o in roots if emitted < TREE_MAX_NODES]
        url = request.build_absolute_uri()
        return Response(
            {
                "cycle": CycleSerializer(cycle).data,
                "expected_progress": str(okr_status.expected(cycle, today)),
                "truncated": emitted >= TREE_MAX_NODES,
                "count": root_total,
                "next": replace_query_param(url, "offset", offset + limit) if offset + limit < root_total else None,
                "previous": (None if offset == 0 else replace_query_param(url, "offset", max(offset - limit, 0))),
                "roots": nodes,
            }
        )

    @extend_schema(
        summary="Export the cycle's OKRs as CSV (one row per key result)",
        description="Only the objectives the caller may see. The file can be imported into another cycle.",
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, CsvRenderer])
    def export(self, request: Request, org_slug: str, pk: str) -> StreamingHttpResponse:
        cycle = self.get_object()
        return csv_io.csv_response(self.membership, cycle)

    @extend_schema(
        summary="The cycle's objectives that need approval and are not approved (HR admins)",
        responses=ApprovalItemSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def unapproved(self, request: Request, org_slug: str, pk: str) -> Response:
        require_role(self.membership, Role.ADMIN)
        cycle = self.get_object()
        found = unapproved_objectives(organisation_id=self.organisation.pk, cycle=cycle).select_related(
            "owner__user", "approval_by__user"
        )
        return Response(ApprovalItemSerializer(found.order_by("title", "id"), many=True).data)
