"""A manager's alignment review over the API: coverage of a team (per report and for the team),
the key results nobody supports, and the approval state of the team's objectives.

The same selectors as the team view, so the numbers are the page's numbers: only what the caller
may see counts."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from okrs import selectors
from okrs.api.common import OkrViewSet
from okrs.api.serializers import ApprovalItemSerializer
from okrs.models import ApprovalState, Cycle, KeyResult
from okrs.selectors.approvals import approvals_waiting
from okrs.selectors.coverage import Coverage, team_coverage, uncovered_key_results
from organisations import selectors as org_selectors
from organisations.api.base import IdParam
from organisations.models import Membership, Role


class TeamAlignmentQuery(serializers.Serializer[Any]):
    cycle = IdParam(help_text="A cycle id; by default the default cycle (the active one containing today)")
    manager = IdParam(help_text="Whose team (HR admins only); by default the caller's")


class ApprovalsQuery(TeamAlignmentQuery):
    approval_state = serializers.ChoiceField(choices=ApprovalState.choices, required=False)


class CoverageNumbersSerializer(serializers.Serializer[Coverage]):
    aligned = serializers.IntegerField(help_text="Objectives aligned to something the caller may see")
    total = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True, help_text="null when there is no objective")


class ReportCoverageSerializer(serializers.Serializer[Any]):
    member = serializers.IntegerField()
    name = serializers.CharField()
    direct = serializers.BooleanField(help_text="A direct report of the manager (else an indirect one)")
    coverage = CoverageNumbersSerializer()
    unaligned_objectives = serializers.ListField(child=serializers.IntegerField(), help_text="Ids")


class TeamCoverageSerializer(serializers.Serializer[Any]):
    manager = serializers.IntegerField()
    cycle = serializers.IntegerField(allow_null=True)
    team = CoverageNumbersSerializer()
    reports = ReportCoverageSerializer(many=True)


class UncoveredKeyResultSerializer(serializers.ModelSerializer[KeyResult]):
    objective_title = serializers.CharField(source="objective.title", read_only=True)
    owner_name = serializers.CharField(source="owner.user.full_name", read_only=True)
    has_any_child = serializers.BooleanField(
        read_only=True, help_text="Something is aligned to it, but nothing that counts toward its progress"
    )

    class Meta:
        model = KeyResult
        fields = ["id", "title", "objective", "objective_title", "owner", "owner_name", "has_any_child"]
        read_only_fields = fields


def _numbers(coverage: Coverage) -> dict[str, Any]:
    return {"aligned": coverage.aligned, "total": coverage.total, "percent": coverage.percent}


@extend_schema(tags=["okrs"])
class TeamAlignmentViewSet(OkrViewSet):
    """The alignment of a manager's team (direct and indirect reports) in one cycle."""

    queryset = KeyResult.objects.none()
    read_role = Role.EMPLOYEE
    pagination_class = None

    def _subject(self, query_class: type[TeamAlignmentQuery] = TeamAlignmentQuery) -> tuple[Membership, Cycle | None]:
        query = self.query(query_class)
        manager = org_selectors.access_reporting_line_of(self.membership, query.get("manager"))
        cycle_id = query.get("cycle")
        today = self.organisation.today()
        cycle = (
            selectors.access_cycle(self.membership, cycle_id)
            if cycle_id is not None
            else selectors.default_cycle(actor=self.membership, today=today)
        )
        return manager, cycle

    @extend_schema(
        summary="Alignment coverage of a manager's team, per report and for the team",
        parameters=[TeamAlignmentQuery],
        responses=TeamCoverageSerializer,
    )
    @action(detail=False, methods=["get"])
    def coverage(self, request: Request, org_slug: str) -> Response:
        manager, cycle = self._subject()
        found = team_coverage(actor=self.membership, manager=manager, cycle=cycle, access=self.access)
        reports = [
            {
                "member": m.pk,
                "name": m.user.full_name,
                "direct": m.manager_id == manager.pk,
                "coverage": _numbers(found.per_member[m.pk]),
                "unaligned_objectives": [o.pk for o in found.unaligned_of(m)],
            }
            for m in found.members
        ]
        body = {
            "manager": manager.pk,
            "cycle": cycle.pk if cycle else None,
            "team": _numbers(found.team),
            "reports": reports,
        }
        return Response(TeamCoverageSerializer(body).data)

    @extend_schema(
        summary="The manager's (and their team's) key results fed by aligned objectives that nothing counting supports",
        parameters=[TeamAlignmentQuery],
        responses=UncoveredKeyResultSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="uncovered-key-results")
    def uncovered_key_results(self, request: Request, org_slug: str) -> Response:
        manager, cycle = self._subject()
        found = (
            uncovered_key_results(actor=self.membership, manager=manager, cycle=cycle, access=self.access)
            if cycle
            else []
        )
        return Response(UncoveredKeyResultSerializer(found, many=True).data)

    @extend_schema(
        summary="The team's objectives with their approval state (those the manager reviews)",
        parameters=[ApprovalsQuery],
        responses=ApprovalItemSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def approvals(self, request: Request, org_slug: str) -> Response:
        manager, cycle = self._subject(ApprovalsQuery)
        if cycle is None:
            return Response([])
        state = self.query(ApprovalsQuery).get("approval_state", "")
        found = approvals_waiting(actor=self.membership, cycle=cycle, access=self.access, state=state, manager=manager)
        return Response(ApprovalItemSerializer(found.order_by("owner__user__full_name", "title", "id"), many=True).data)
