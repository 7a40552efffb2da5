"""The moved models leave the registry's model state (tools 0001 and authorizations 0001 took them
over; their tables were renamed in 0008). Content types follow, so admin log entries and permissions
still name them."""

from django.db import migrations

# registry model -> (app, model) it became
BECAME = {
    "designee": ("tools", "designee"),
    "historicaldesignee": ("tools", "historicaldesignee"),
    "tool": ("tools", "tool"),
    "historicaltool": ("tools", "historicaltool"),
    "toolrequest": ("tools", "toolrequest"),
    "historicaltoolrequest": ("tools", "historicaltoolrequest"),
    "logopermission": ("tools", "toollogopermission"),
    "historicallogopermission": ("tools", "historicaltoollogopermission"),
    "instructionaluse": ("authorizations", "authorization"),
    "historicalinstructionaluse": ("authorizations", "historicalauthorization"),
}


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old, (app_label, model) in BECAME.items():
        if not ContentType.objects.filter(app_label=app_label, model=model).exists():
            ContentType.objects.filter(app_label="registry", model=old).update(app_label=app_label, model=model)


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old, (app_label, model) in BECAME.items():
        ContentType.objects.filter(app_label=app_label, model=model).update(app_label="registry", model=old)


class Migration(migrations.Migration):
    dependencies = [
        ("authorizations", "0002_participation_scope"),
        ("consent", "0006_participation_scope_belongs_to_its_authorization"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("registry", "0008_tools_and_authorizations_move_out"),
        ("tools", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="HistoricalInstructionalUse"),
                migrations.DeleteModel(name="InstructionalUse"),
                migrations.DeleteModel(name="HistoricalToolRequest"),
                migrations.DeleteModel(name="ToolRequest"),
                migrations.DeleteModel(name="HistoricalToolLogoPermission"),
                migrations.DeleteModel(name="ToolLogoPermission"),
                migrations.DeleteModel(name="HistoricalTool"),
                migrations.DeleteModel(name="Tool"),
                migrations.DeleteModel(name="HistoricalDesignee"),
                migrations.DeleteModel(name="Designee"),
            ],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
