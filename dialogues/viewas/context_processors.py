"""``view_as`` in every template's context: the mode (``selectors.Mode``) while the request
views Trackii as a member, else None. The banner shows it; pages hide their forms for it."""


def view_as(request) -> dict:
    return {"view_as": getattr(request, "trackii_view_as", None)}
