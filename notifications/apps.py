from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"
    # The bell with the unread count sits beside the account menu on every tenant page; the
    # notification centre is one click from it.
    topbar = ["notifications/_bell.html"]
