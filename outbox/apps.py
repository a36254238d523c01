from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Background jobs: the one way to enqueue work (``outbox.services.enqueue``), the relay that
    publishes it to Celery, and the record of effects that must happen once (``outbox.effects``)."""

    name = "outbox"
    verbose_name = "Background jobs"
