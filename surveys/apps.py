from django.apps import AppConfig

from organisations.frame import MyWorkCard, NavItem, Panel


class SurveysConfig(AppConfig):
    name = "surveys"
    navigation = [NavItem("Surveys", "surveys:home", section="surveys", position=50)]
    my_work = [MyWorkCard("surveys/_my_work.html", "surveys.views.my_work_card", position=50)]
    demo_seed = "surveys.demo.seed"
    #: On a goal's page (goals renders ``panels("goal_panels", …)``): where an action-plan goal came from.
    goal_panels = [Panel("surveys/_goal_panel.html", "surveys.views.goal_panel", position=50)]
