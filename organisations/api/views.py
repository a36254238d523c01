"""REST API for people, teams and invitations, and personal API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from organisations import selectors, services
from organisations.api.base import IdParam, SearchParam, TenantPrimaryKeyField, TenantViewSet, with_current
from organisations.api.throttles import ClientScopedRateThrottle
from organisations.models import Invitation, Membership, Organisation, Role, Team, TeamKind, User


class UserSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    user = UserSerializer(read_only=True)
    team = TenantPrimaryKeyField(queryset=Team.objects.all(), allow_null=True, required=False)
    manager = TenantPrimaryKeyField(queryset=Membership.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "role",
            "team",
            "manager",
            "job_title",
            "time_zone",
            "is_active",
            "deactivated_at",
            "created_at",
        ]
        read_only_fields = ["id", "user", "time_zone", "is_active", "deactivated_at", "created_at"]


class TeamSerializer(serializers.ModelSerializer[Team]):
    parent = TenantPrimaryKeyField(queryset=Team.objects.all(), allow_null=True, required=False)  # type: ignore[assignment]
    # Every kind can come back (the company team is one); only department and team can be sent.
    kind = serializers.ChoiceField(
        choices=TeamKind.choices,
        required=False,
        help_text="company (the root, made with the organisation: read only), department or team.",
    )
    member_count = serializers.IntegerField(read_only=True)

    def validate_kind(self, value: str) -> str:
        if value == TeamKind.COMPANY:
            raise serializers.ValidationError(
                "The company team comes with the organisation: choose department or team."
            )
        return value

    class Meta:
        model = Team
        fields = ["id", "name", "kind", "parent", "member_count", "created_at"]
        read_only_fields = ["id", "member_count", "created_at"]


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    team = TenantPrimaryKeyField(queryset=Team.objects.all(), allow_null=True, required=False)
    manager = TenantPrimaryKeyField(queryset=Membership.objects.all(), allow_null=True, required=False)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "team",
            "manager",
            "job_title",
            "status",
            "created_at",
            "expires_at",
            "accepted_at",
        ]
        read_only_fields = ["id", "status", "created_at", "expires_at", "accepted_at"]


class MemberQuery(serializers.Serializer[Any]):
    search = SearchParam(help_text="Name, e-mail or title contains")
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    team = IdParam()
    status = serializers.ChoiceField(choices=["active", "inactive", "all"], required=False)


@extend_schema(tags=["people"])
class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, TenantViewSet):
    """Members of the organisation. Everyone may read; HR admins change role, team, manager, title."""

    serializer_class = MembershipSerializer
    query_serializer = MemberQuery
    queryset = Membership.objects.select_related("user")
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_base_queryset(self) -> QuerySet[Membership]:
        query = self.filters
        return selectors.member_list(
            actor=self.membership,
            search=query.get("search", ""),
            role=query.get("role", ""),
            # The status filter is for the list; one person is found whatever their status
            # (otherwise a deactivated member could never be read or reactivated).
            status=query.get("status", "active") if self.action == "list" else "all",
            team_id=query.get("team"),
        )

    @extend_schema(parameters=[MemberQuery])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_update(self, serializer: serializers.BaseSerializer[Membership]) -> None:
        instance = serializer.instance
        assert instance is not None
        data = serializer.validated_data
        updated = services.membership_update(
            actor=self.membership,
            membership=instance,
            **with_current(data, instance, "role", "team", "manager", "job_title"),
        )
        serializer.instance = updated

    @extend_schema(request=None, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, org_slug: str, pk: str) -> Response:
        person = self.get_object()
        services.membership_deactivate(actor=self.membership, membership=person)
        return Response(self.get_serializer(person).data)

    @extend_schema(request=None, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, org_slug: str, pk: str) -> Response:
        person = self.get_object()
        services.membership_reactivate(actor=self.membership, membership=person)
        return Response(self.get_serializer(person).data)


@extend_schema(tags=["people"])
class TeamViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    TenantViewSet,
):
    """The team tree: one company, its departments, their teams."""

    serializer_class = TeamSerializer
    queryset = Team.objects.all()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_base_queryset(self) -> QuerySet[Team]:
        return selectors.team_list(actor=self.membership).order_by("name")

    def perform_create(self, serializer: serializers.BaseSerializer[Team]) -> None:
        data = serializer.validated_data
        team = services.team_create(
            actor=self.membership, name=data["name"], kind=data.get("kind", TeamKind.TEAM), parent=data.get("parent")
        )
        team.member_count = 0  # type: ignore[attr-defined]
        serializer.instance = team

    def perform_update(self, serializer: serializers.BaseSerializer[Team]) -> None:
        team = serializer.instance
        assert team is not None
        data = serializer.validated_data
        serializer.instance = services.team_update(
            actor=self.membership, team=team, **with_current(data, team, "name", "parent")
        )

    def perform_destroy(self, instance: Team) -> None:
        services.team_delete(actor=self.membership, team=instance)


@extend_schema(tags=["people"])
class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet):
    """Invitations by e-mail (HR admins). The link is e-mailed; the token is never returned."""

    serializer_class = InvitationSerializer
    queryset = Invitation.objects.all()
    read_role = Role.ADMIN

    def get_base_queryset(self) -> QuerySet[Invitation]:
        return selectors.invitation_list(actor=self.membership)

    @extend_schema(
        examples=[
            OpenApiExample(
                "Invite an engineer",
                value={"email": "ada@example.com", "role": "employee", "job_title": "Engineer"},
                request_only=True,
            )
        ]
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer[Invitation]) -> None:
        data = serializer.validated_data
        invitation, _ = services.invitation_create(
            actor=self.membership,
            email=data["email"],
            role=data.get("role", Role.EMPLOYEE),
            team=data.get("team"),
            manager=data.get("manager"),
            job_title=data.get("job_title", ""),
        )
        serializer.instance = invitation

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, org_slug: str, pk: str) -> Response:
        invitation = services.invitation_revoke(actor=self.membership, invitation=self.get_object())
        return Response(self.get_serializer(invitation).data)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, org_slug: str, pk: str) -> Response:
        """Send a pending invitation's e-mail again (the waiting one, or a new link if it went out)."""
        invitation = services.invitation_resend(actor=self.membership, invitation=self.get_object())
        return Response(self.get_serializer(invitation).data)


@extend_schema_serializer(many=False)
class MeSerializer(MembershipSerializer):
    """One membership, not a page of them."""


@extend_schema(tags=["people"])
@extend_schema_view(list=extend_schema(summary="The caller's own membership", responses=MeSerializer))
class MeViewSet(TenantViewSet):
    """The caller's own membership in this organisation."""

    serializer_class = MembershipSerializer
    queryset = Membership.objects.all()
    pagination_class = None

    def list(self, request: Request, org_slug: str) -> Response:
        return Response(MembershipSerializer(self.membership, context=self.get_serializer_context()).data)


class OrganisationSettingsSerializer(serializers.ModelSerializer[Organisation]):
    """The organisation's settings and quarter rules (margins as fractions: 0.10 is 10 points)."""

    time_zone = serializers.CharField(max_length=64, required=False, help_text="An IANA zone, e.g. Europe/London.")

    class Meta:
        model = Organisation
        fields = ["slug", *services.SETTINGS_FIELDS]  # what organisation_update accepts, no second list
        read_only_fields = ["slug"]
        extra_kwargs = {
            "name": {"required": False},
            "pace_at_risk_margin": {"help_text": "At least pace_on_track_margin."},
        }


@extend_schema(tags=["people"])
class OrganisationSettingsViewSet(TenantViewSet):
    """The organisation's settings and quarter rules: every member reads them, admins change them
    (recorded in the organisation's activity log)."""

    serializer_class = OrganisationSettingsSerializer
    queryset = Organisation.objects.none()
    read_role = Role.EMPLOYEE
    write_role = Role.ADMIN

    def retrieve(self, request: Request, org_slug: str) -> Response:
        return Response(OrganisationSettingsSerializer(self.organisation).data)

    @extend_schema(request=OrganisationSettingsSerializer, responses=OrganisationSettingsSerializer)
    def partial_update(self, request: Request, org_slug: str) -> Response:
        payload = OrganisationSettingsSerializer(self.organisation, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        organisation = services.organisation_update(actor=self.membership, **payload.validated_data)
        return Response(OrganisationSettingsSerializer(organisation).data)


class OrganisationSummarySerializer(serializers.Serializer[Membership]):
    slug = serializers.CharField(source="organisation.slug")
    name = serializers.CharField(source="organisation.name")
    role = serializers.CharField()


@extend_schema(tags=["auth"], responses=OrganisationSummarySerializer(many=True))
class OrganisationListView(APIView):
    """The organisations the caller belongs to."""

    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        memberships = selectors.user_memberships(request.user)
        return Response(OrganisationSummarySerializer(instance=memberships, many=True).data)  # type: ignore[arg-type]


class TokenRequestSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(max_length=80, required=False, default="API token")


@extend_schema(
    tags=["auth"],
    request=TokenRequestSerializer,
    responses={
        201: inline_serializer(
            "TokenCreated",
            {"id": serializers.IntegerField(), "name": serializers.CharField(), "token": serializers.CharField()},
        )
    },
    examples=[
        OpenApiExample(
            "Create a token",
            value={"email": "employee@acme.test", "password": "…", "name": "My script"},
            request_only=True,
        )
    ],
)
class TokenCreateView(APIView):
    """Exchange e-mail and password for a personal API token, shown once. Rate-limited."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [ClientScopedRateThrottle]
    throttle_scope = "token_create"

    def get_authenticate_header(self, request: Request) -> str:
        # With no authentication classes DRF would turn a failed sign-in into a 403; a wrong
        # password is a 401, which needs a WWW-Authenticate challenge.
        return "Bearer"

    def post(self, request: Request) -> Response:
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = authenticate(
            request._request, username=payload.validated_data["email"], password=payload.validated_data["password"]
        )
        if user is None or not user.is_active:
            raise AuthenticationFailed("E-mail or password is incorrect.")
        try:
            token, raw = services.api_token_create(user=user, name=payload.validated_data["name"])
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response({"id": token.pk, "name": token.name, "token": raw}, status=status.HTTP_201_CREATED)
