"""URLs of the timelines: none of their own. A timeline is a view of a page that has its address
already (a dialogue's Sessions tab, the home page), asked for by query parameters
(``?view=month&month=2027-01``), so the access matrix's routes for those pages cover it."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
