# The default cache (CACHE_URL=dbcache://blog_cache) is a table, which every process on the
# machine shares; migrate creates it, so `make run` and a deployment need no extra step.
# With another cache configured this does nothing; see README, "Configuration".

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):

    dependencies = [
        ('blog', '0004_previous_addresses'),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
