"""A published agenda item keeps the level it was published at (``level_as_published``), while
``level`` becomes its marking: the stricter of that and its working item's level now (raising an
item's level takes effect at once for readers of the published agenda; loosening waits)."""

import django.db.models.deletion
from django.db import migrations, models


def _check_constraints_now(schema_editor):
    # PostgreSQL defers foreign-key checks to the end of the transaction; a table with such
    # pending checks cannot be altered, as the next operation does. Run them now.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def copy_levels(apps, schema_editor):
    PublishedAgendaItem = apps.get_model("dialogues", "PublishedAgendaItem")
    PublishedAgendaItem.objects.update(level_as_published=models.F("level"))
    # Copies whose working item was raised since they were published take its level now.
    raised = []
    for copy in PublishedAgendaItem.objects.filter(source__isnull=False).select_related(
        "level", "source__level"
    ):
        if copy.source.level.rank > copy.level.rank:
            copy.level = copy.source.level
            raised.append(copy)
    PublishedAgendaItem.objects.bulk_update(raised, ["level"], batch_size=500)
    _check_constraints_now(schema_editor)


def restore_levels(apps, schema_editor):
    PublishedAgendaItem = apps.get_model("dialogues", "PublishedAgendaItem")
    PublishedAgendaItem.objects.update(level=models.F("level_as_published"))
    _check_constraints_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("dialogues", "0010_outbound_and_scale_requests")]

    operations = [
        migrations.AddField(
            model_name="publishedagendaitem",
            name="level_as_published",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="dialogues.confidentialitylevel",
            ),
        ),
        migrations.RunPython(copy_levels, restore_levels),
        migrations.AlterField(
            model_name="publishedagendaitem",
            name="level_as_published",
            field=models.ForeignKey(
                help_text="The level it was published at; never changes (what the change list "
                "compares).",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="dialogues.confidentialitylevel",
            ),
        ),
        migrations.AlterField(
            model_name="publishedagendaitem",
            name="level",
            field=models.ForeignKey(
                help_text="The level it is marked with: the stricter of the level as published "
                "and its working item's level now (kept so by the agenda services). Pages, PDFs, "
                "feeds and the outbound rule read this one.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="dialogues.confidentialitylevel",
            ),
        ),
    ]
