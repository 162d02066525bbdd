"""Record on each notice whether its platform's clock pauses while waiting for information.

Notices made before this field existed get the value their deadline policy has when the
migration runs: the best hotline can know then (the policy that set the deadline is named
first in `deadline_basis`, "KR: ..."; else the request's jurisdiction; else "ZZ", as routing
chooses). From then on routing copies it when it makes a notice, and a later change to the
policy no longer reaches back. See docs/decisions/0010.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FALLBACK_JURISDICTION = "ZZ"


def copy_from_current_policies(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Notice = apps.get_model("cases", "Notice")
    DeadlinePolicy = apps.get_model("platforms", "DeadlinePolicy")
    pausing: dict[int, dict[str, bool]] = {}
    for policy in DeadlinePolicy.objects.all():
        policies = pausing.setdefault(policy.platform_id, {})
        policies[policy.jurisdiction.upper()] = policy.clock_pauses_for_info
    for notice in Notice.objects.select_related("request").iterator():
        known = pausing.get(notice.platform_id, {})
        written = notice.deadline_basis.split(":", 1)[0].strip().upper()
        requested = notice.request.jurisdiction.upper()
        jurisdiction = next(
            (j for j in (written, requested) if j in known), FALLBACK_JURISDICTION
        )
        if known.get(jurisdiction, False):
            Notice.objects.filter(pk=notice.pk).update(clock_pauses_for_info=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_itemlink"),
        ("platforms", "0003_merge_link_validity_and_clock_pause"),
    ]

    operations = [
        migrations.AddField(
            model_name="notice",
            name="clock_pauses_for_info",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(copy_from_current_policies, migrations.RunPython.noop),
    ]
