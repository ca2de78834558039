"""One INSERT of a new row, its statement built once per model: the ingest paths' hot writes.

`Model.save()` builds its INSERT again for every row: it walks the fields, compiles the query,
quotes every column name. On voting day a report, its audit entry and its ODK submission are
three such rows per request, and building them cost more CPU than the database's own work.
`insert(obj)` takes the statement Django's compiler makes for the model once and then only
prepares the values, field by field, as the compiler does (`pre_save`, `get_db_prep_save`).

It sends no `pre_save`/`post_save` signals: use it only for models nobody listens to (the
callers' tests check). Anything it cannot do the same way (a primary key given, a value that is
an SQL expression, a database that cannot return the new id) goes through `obj.save()`.
"""

from django.db import connections, router, transaction
from django.db.models.sql import InsertQuery

_statements: dict[tuple, tuple | None] = {}  # (model, alias) -> (sql, fields, returning params)


def _statement(model, connection) -> tuple | None:
    meta = model._meta
    if meta.parents or meta.db_returning_fields != [meta.pk]:
        return None
    if not connection.features.can_return_columns_from_insert:
        return None
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    query = InsertQuery(model)
    query.insert_values(fields, [model()])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk]
    [(sql, params)] = compiler.as_sql()
    if len(params) != len(fields) + len(compiler.returning_params):
        return None
    return sql, fields, tuple(compiler.returning_params)


def insert(obj) -> None:
    """Insert the new instance `obj` as `obj.save(force_insert=True)` would, signals aside."""
    model = type(obj)
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    key = (model, using)
    if key not in _statements:
        _statements[key] = _statement(model, connection)
    found = _statements[key]
    if found is None or obj.pk is not None:
        obj.save(force_insert=True, using=using)
        return
    sql, fields, returning_params = found
    obj._prepare_related_fields_for_save(operation_name="save")
    values = [field.pre_save(obj, True) for field in fields]
    if any(hasattr(value, "resolve_expression") for value in values):
        obj.save(force_insert=True, using=using)
        return
    params = [
        field.get_db_prep_save(v, connection) for field, v in zip(fields, values, strict=True)
    ]
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, (*params, *returning_params))
        (pk,) = connection.ops.fetch_returned_insert_columns(cursor, returning_params)
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using
