from django.apps import AppConfig

from organisations.frame import MyWorkCard, NavItem


class CheckinsConfig(AppConfig):
    name = "checkins"
    navigation = [NavItem("Check-ins", "checkins:home", section="checkins", position=40)]
    my_work = [MyWorkCard("checkins/_my_work.html", "checkins.views.my_work_card", position=40)]
    demo_seed = "checkins.demo.seed"
