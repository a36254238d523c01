from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers

from organisations import selectors
from organisations.api.base import TenantViewSet
from organisations.models import Membership


class ColleagueSerializer(serializers.ModelSerializer[Membership]):
    name = serializers.CharField(source="user.full_name")

    class Meta:
        model = Membership
        fields = ["id", "name"]


class ColleagueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = ColleagueSerializer
    queryset = Membership.objects.all()

    def get_base_queryset(self) -> QuerySet[Any]:
        return selectors.member_list(actor=self.membership)
