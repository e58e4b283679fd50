"""No lost edits: every editable record carries an ``edit_revision``. A save names the revision
the editor started from; if someone saved in between, the save is refused with what they
changed, never silently overwritten."""

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models, transaction

_M = TypeVar("_M", bound=models.Model)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    theirs: Any  # the value saved meanwhile by someone else
    yours: Any  # the value this editor tried to save


class EditConflict(Exception):
    """Someone saved the record after this editor opened it."""

    def __init__(self, *, current: models.Model, changes: list[FieldChange]):
        self.current = current
        self.changes = changes
        super().__init__(f"{type(current).__name__} {current.pk} was changed meanwhile")


def _display(instance: models.Model, field: models.Field, value: Any) -> Any:
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def save_with_revision(
    *,
    instance: _M,
    expected_revision: int,
    values: dict[str, Any],
    derived: dict[str, Any] | None = None,
) -> _M:
    """Apply ``values`` to ``instance`` if its stored revision is still ``expected_revision``.
    Locks the row for the check-and-save, validates, raises the revision. ``derived`` values
    (worked out by the service, not typed by the editor) are saved too but never reported as a
    conflict. Call inside ``transaction.atomic``."""
    model = type(instance)
    with transaction.atomic():
        current: Any = model._default_manager.select_for_update().get(pk=instance.pk)
        if current.edit_revision != expected_revision:
            changes = []
            for name, yours in values.items():
                field = model._meta.get_field(name)
                theirs = getattr(current, name)
                if theirs != yours:
                    changes.append(
                        FieldChange(
                            field=name,
                            label=str(field.verbose_name),
                            theirs=_display(current, field, theirs),
                            yours=_display(current, field, yours),
                        )
                    )
            raise EditConflict(current=current, changes=changes)
        for name, value in {**values, **(derived or {})}.items():
            setattr(current, name, value)
        current.edit_revision = expected_revision + 1
        current.full_clean()
        current.save()
    return current
