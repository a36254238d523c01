from django.apps import AppConfig

from organisations.frame import MyWorkCard, NavItem


class GoalsConfig(AppConfig):
    name = "goals"
    navigation = [NavItem("Goals", "goals:home", section="goals", position=30)]
    demo_seed = "goals.demo.seed"
    my_work = [MyWorkCard("goals/_my_work.html", "goals.views.shared.my_work_card", position=30)]
