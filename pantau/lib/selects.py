"""A read that runs often with the same SQL, its statement compiled once per connection.

Compiling a queryset (joins, ordering, quoting every column, finding the converters) costs more
CPU than a small indexed read itself. The audit sequencer asks the same three questions of the
database after every burst of writes, from every web worker: is anything queued, where is the
head, which entries are next. `Select(make)` compiles `make()` the first time a connection runs
it and then only executes the kept SQL and applies the kept converters, so the rows are the ones
the queryset gives (`values_list`: tuples of Python values).

Only for querysets whose SQL and parameters never change: a value that varies would be kept
from the first call.
"""

import weakref

from django.db import connections, transaction


class Select:
    def __init__(self, make, using: str = "default"):
        self.make = make  # () -> a values_list() queryset
        self.using = using
        self._compiled = weakref.WeakKeyDictionary()  # connection -> (sql, params, compiler, conv)

    def __call__(self) -> list[tuple]:
        connection = connections[self.using]
        found = self._compiled.get(connection)
        if found is None:
            compiler = self.make().query.get_compiler(using=self.using)
            sql, params = compiler.as_sql()
            columns = [select[0] for select in compiler.select[: compiler.col_count]]
            found = (sql, params, compiler, compiler.get_converters(columns))
            self._compiled[connection] = found
        sql, params, compiler, converters = found
        with transaction.mark_for_rollback_on_error(self.using), connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows
