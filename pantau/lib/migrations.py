"""Migration operations for upgrading a large database that must keep serving."""

from django.db.migrations.operations import AddIndex


class AddIndexOnline(AddIndex):
    """AddIndex built with CREATE INDEX CONCURRENTLY on PostgreSQL: reports keep coming in
    while a national table is indexed, instead of every write waiting for the build. Elsewhere
    (SQLite) a plain CREATE INDEX. A migration using it must set `atomic = False` (PostgreSQL
    refuses a concurrent build inside a transaction). If such a build is interrupted it leaves
    an invalid index: drop it (`DROP INDEX CONCURRENTLY name`) and migrate again."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)
