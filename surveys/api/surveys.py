"""Surveys over the API: the list, HR's builder, launch and close, the response rate (counts),
answering, results (published groups and the caller's own scores) and HR's comments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from organisations.api.base import TenantViewSet
from organisations.models import Role
from surveys import selectors, services
from surveys.api.serializers import (
    CommentSerializer,
    RespondSerializer,
    ResponseRateSerializer,
    ResultsSerializer,
    SurveySerializer,
    SurveyWriteSerializer,
)
from surveys.models import GroupResult, Survey, SurveyState
from surveys.permissions import can_manage, require_manage


def _scores(group: GroupResult | None) -> dict[str, Any] | None:
    if group is None:
        return None
    return {
        "kind": group.kind,
        "team": group.team_id,
        "n": group.n,
        "scores": [
            {"theme": r.theme_id, "theme_name": r.theme.name, "score": r.score} for r in group.theme_results.all()
        ],
    }


EXAMPLE = {
    "title": "Autumn engagement",
    "audience": "everyone",
    "opens_at": "2026-11-16T09:00:00+01:00",
    "closes_at": "2026-11-30T17:00:00+01:00",
    "anonymity_threshold": 5,
    "questions": [1, 2, 3],
}


@extend_schema(tags=["surveys"])
class SurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Surveys. Members read the open and closed ones; HR admins also drafts, and build them."""

    serializer_class = SurveySerializer
    queryset = Survey.objects.all()
    write_role = Role.EMPLOYEE  # answering is a write; services require HR for the rest

    def get_base_queryset(self) -> QuerySet[Survey]:
        return selectors.survey_queryset(self.membership)

    def get_object(self) -> Survey:
        survey = selectors.access_survey(self.membership, int(self.kwargs["pk"]))
        return self.get_queryset().get(pk=survey.pk)

    def _data(self, payload: dict[str, Any]) -> services.SurveyData:
        return services.SurveyData(
            title=payload["title"],
            description=payload.get("description", ""),
            audience=payload["audience"],
            teams=list(payload.get("teams", [])),
            opens_at=payload["opens_at"],
            closes_at=payload["closes_at"],
            anonymity_threshold=payload["anonymity_threshold"],
            questions=list(payload["questions"]),
        )

    @extend_schema(
        summary="Build a survey (a draft)",
        request=SurveyWriteSerializer,
        responses={201: SurveySerializer},
        examples=[OpenApiExample("Everyone", value=EXAMPLE, request_only=True)],
    )
    def create(self, request: Request, org_slug: str) -> Response:
        require_manage(self.membership)
        payload = SurveyWriteSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        survey = services.survey_create(actor=self.membership, data=self._data(payload.validated_data))
        return Response(self.get_serializer(self.get_queryset().get(pk=survey.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a draft", request=SurveyWriteSerializer, responses=SurveySerializer)
    def partial_update(self, request: Request, org_slug: str, pk: str) -> Response:
        require_manage(self.membership)
        survey = self.get_object()
        current = {
            "title": survey.title,
            "description": survey.description,
            "audience": survey.audience,
            "teams": [link.team_id for link in survey.audience_teams.all()],
            "opens_at": survey.opens_at,
            "closes_at": survey.closes_at,
            "anonymity_threshold": survey.anonymity_threshold,
            "questions": [link.question_id for link in survey.survey_questions.all()],
        }
        if not isinstance(request.data, Mapping):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        payload = SurveyWriteSerializer(data={**current, **request.data}, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        services.survey_update(actor=self.membership, survey=survey, data=self._data(payload.validated_data))
        return Response(self.get_serializer(self.get_queryset().get(pk=survey.pk)).data)

    @extend_schema(summary="Delete a draft", responses={204: None})
    def destroy(self, request: Request, org_slug: str, pk: str) -> Response:
        services.survey_delete(actor=self.membership, survey=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Launch: open the survey and invite its audience", request=None, responses=SurveySerializer)
    @action(detail=True, methods=["post"])
    def launch(self, request: Request, org_slug: str, pk: str) -> Response:
        survey = services.survey_launch(actor=self.membership, survey=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=survey.pk)).data)

    @extend_schema(summary="Close now and compute the results", request=None, responses=SurveySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, org_slug: str, pk: str) -> Response:
        survey = services.survey_close(actor=self.membership, survey=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=survey.pk)).data)

    @extend_schema(summary="Response rate (counts only; HR)", responses=ResponseRateSerializer)
    @action(detail=True, methods=["get"], url_path="response-rate")
    def response_rate(self, request: Request, org_slug: str, pk: str) -> Response:
        require_manage(self.membership)
        survey = self.get_object()
        responses = selectors.response_count(survey)
        rate = round(100 * responses / survey.invited) if survey.invited else 0
        return Response({"responses": responses, "invited": survey.invited, "rate": rate})

    @extend_schema(
        summary="Answer the survey (once)",
        request=RespondSerializer,
        responses={201: None},
        examples=[
            OpenApiExample(
                "Answers", value={"answers": [{"question": 1, "value": 4, "comment": ""}]}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, org_slug: str, pk: str) -> Response:
        survey = self.get_object()
        payload = RespondSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        answers = [
            services.AnswerData(a["question"], a["value"], a.get("comment", ""))
            for a in payload.validated_data["answers"]
        ]
        services.response_submit(actor=self.membership, survey=survey, answers=answers)
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(summary="Results: your own scores and the published groups you may see", responses=ResultsSerializer)
    @action(detail=True, methods=["get"])
    def results(self, request: Request, org_slug: str, pk: str) -> Response:
        survey = self.get_object()
        closed = survey.state == SurveyState.CLOSED
        me = self.membership
        own = selectors.own_scores(me, survey) if closed else []
        line = (
            selectors.group_result(survey, "manager", me.pk) if closed and selectors.manager_has_reports(me) else None
        )
        hr = closed and can_manage(me)
        data = {
            "own": [{"theme": s.theme.pk, "theme_name": s.theme.name, "score": s.score} for s in own],
            "reporting_line": _scores(line),
            "organisation": _scores(selectors.group_result(survey, "organisation")) if hr else None,
            "teams": [_scores(g) for g in selectors.team_results(survey)] if hr else [],
            "suppressed_message": selectors.TOO_FEW,
        }
        return Response(ResultsSerializer(data).data)

    @extend_schema(
        summary="Comments of the organisation (HR; no author, random order)", responses=CommentSerializer(many=True)
    )
    @action(detail=True, methods=["get"])
    def comments(self, request: Request, org_slug: str, pk: str) -> Response:
        require_manage(self.membership)
        survey = self.get_object()
        group = selectors.group_result(survey, "organisation")
        shown = selectors.comments(survey, group) if group else []
        return Response([{"theme": c.theme_id, "text": c.text} for c in shown])
