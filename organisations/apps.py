from django.apps import AppConfig

from organisations.frame import NavItem


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = "Organisations and people"
    navigation = [
        NavItem("My work", "organisations:my_work", section="work", position=10),
        NavItem("Team", "organisations:team", section="team", position=80),
        NavItem("Admin", "organisations:people", section="admin", position=90, role="admin"),
    ]
    demo_seed = "organisations.demo.seed"

    def ready(self) -> None:
        from organisations import checks  # noqa: F401  (registers the RLS system check)
