from django.apps import AppConfig

from organisations.frame import NavItem


class GoalsConfig(AppConfig):
    name = "goals"
    navigation = [NavItem("Goals", "goals:home", section="goals", position=30)]
