from django.apps import AppConfig

from organisations.frame import MyWorkCard, NavItem


class SurveysConfig(AppConfig):
    name = "surveys"
    navigation = [NavItem("Surveys", "surveys:home", section="surveys", position=50)]
    my_work = [MyWorkCard("surveys/_my_work.html", "surveys.views.my_work_card", position=50)]
    demo_seed = "surveys.demo.seed"
