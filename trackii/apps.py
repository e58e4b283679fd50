"""The project package as an app, for what belongs to no feature app: the sign-in clock."""

from django.apps import AppConfig


class TrackiiConfig(AppConfig):
    name = "trackii"
    verbose_name = "Trackii"

    def ready(self) -> None:
        # Connects the receiver that starts a session's clocks at sign-in (trackii.middleware),
        # before any sign-in, not when the first request happens to load the middleware.
        from . import i18n, middleware  # noqa: F401  (i18n: the language kept at sign-in)
