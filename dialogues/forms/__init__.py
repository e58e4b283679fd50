"""Forms of dialogue content, one module per area (planner, workspace, documents)."""

from trackii.forms import add_service_error

__all__ = ["add_service_error"]
