from django.apps import AppConfig


class DialoguesConfig(AppConfig):
    name = "dialogues"
    verbose_name = "Dialogues"

    def ready(self) -> None:
        from . import viewers

        # The viewers kept in the cache are forgotten when the rows they hold change.
        viewers.connect()
