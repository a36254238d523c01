"""factory_boy factories. Tenant objects are created inside their organisation's RLS context,
and child objects inherit their parent's organisation."""

from __future__ import annotations

from typing import Any

import factory

from organisations import rls
from organisations.models import Invitation, Membership, Organisation, Role, Team, TeamKind, User

PASSWORD = "correct-horse-battery"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        organisation = kwargs["organisation"]
        with rls.tenant_context(organisation.pk):
            return super()._create(model_class, *args, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class TeamFactory(TenantFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    kind = TeamKind.TEAM
    parent = None


class MembershipFactory(TenantFactory):
    class Meta:
        model = Membership

    organisation = factory.LazyAttribute(lambda o: o.team.organisation if o.team else OrganisationFactory())
    user = factory.SubFactory(UserFactory)
    role = Role.EMPLOYEE
    team = None
    manager = None
    job_title = "Engineer"


class InvitationFactory(TenantFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    token_hash = factory.Sequence(lambda n: f"{n:064d}")
    expires_at = factory.LazyFunction(
        lambda: __import__("django.utils.timezone").utils.timezone.now() + __import__("datetime").timedelta(days=7)
    )
