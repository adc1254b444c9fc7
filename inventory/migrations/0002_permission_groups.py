"""The three groups API permissions are granted through.

viewers read everything; catalog_editors also write products;
stock_managers also write stock, including adjust and transfer.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = [
    ("products", "view_product"),
    ("inventory", "view_stock"),
    ("inventory", "view_movement"),
]
GROUPS = {
    "viewers": READ,
    "catalog_editors": READ
    + [
        ("products", "add_product"),
        ("products", "change_product"),
        ("products", "delete_product"),
    ],
    "stock_managers": READ
    + [
        ("inventory", "add_stock"),
        ("inventory", "change_stock"),
        ("inventory", "delete_stock"),
    ],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the groups
    # need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in codenames:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("products", "0001_initial"),
        ("inventory", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
