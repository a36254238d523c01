from django.apps import AppConfig

from organisations.frame import NavItem


class SurveysConfig(AppConfig):
    name = "surveys"
    navigation = [NavItem("Surveys", "surveys:home", section="surveys", position=50)]
