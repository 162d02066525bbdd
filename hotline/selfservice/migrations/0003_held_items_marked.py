from django.db import migrations


def mark_held(apps, schema_editor):
    """Items of URLs she filed stay in triage until reviewed: mark them so that re-routing
    after a platform is added never sends one on (docs/decisions/0022)."""
    HeldUrl = apps.get_model("selfservice", "HeldUrl")
    Item = apps.get_model("cases", "Item")
    Item.objects.filter(
        pk__in=HeldUrl.objects.exclude(review="approved").values("item_id")
    ).update(held_for_review=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_item_location_kind_room_and_hold"),
        ("selfservice", "0002_held_urls_and_attempts"),
    ]

    operations = [migrations.RunPython(mark_held, migrations.RunPython.noop, elidable=True)]
