"""URLs of reports for funders: the convening team's list, the request, the two downloads."""

from django.urls import path

from . import views

REPORT = "<int:dialogue_id>/reports/<int:report_id>/"

urlpatterns = [
    path("<int:dialogue_id>/reports/", views.report_list, name="funder_reports"),
    path("<int:dialogue_id>/reports/new/", views.report_request, name="funder_report_request"),
    path(REPORT + "pdf/", views.report_pdf, name="funder_report_pdf"),
    path(REPORT + "csv/", views.report_csv, name="funder_report_csv"),
]
