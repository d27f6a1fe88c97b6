"""Statements of the login path, compiled once per dialect and run on the driver's own cursor.

A login runs a handful of small statements. Through ``Connection.execute`` each one pays for
SQLAlchemy's cache key, parameter processing and result machinery: measured here, about 26 µs
per statement on SQLite against 3 µs for the same query on the ``sqlite3`` cursor, which made
the store calls a third of a rules-only login. :class:`Prepared` keeps what SQLAlchemy compiled
(the SQL text, the bind and result type processors, so a ``UtcDateTime`` or a JSON column is
converted exactly as elsewhere) and only replays it.

Errors go through SQLAlchemy's own handling (``Connection._handle_dbapi_exception``): the same
exception types reach :func:`~contextmfa.store.database.translated_errors`, and a connection
found dead is invalidated with its pool, as for any other statement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import Executable

__all__ = ["Prepared"]

Processor = Callable[[Any], Any]


class _Plan:
    """One statement compiled for one dialect (and, for an INSERT, one set of columns)."""

    __slots__ = ("binds", "columns", "dialect", "positional", "results", "sql")

    def __init__(self, statement: Any, dialect: Dialect, columns: Sequence[str] | None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=columns)
        self.sql: str = compiled.string
        self.positional: bool = compiled.positional
        processors: Mapping[str, Processor] = compiled._bind_processors
        constants = compiled.construct_params({}, _check=False)
        names = compiled.positiontup if compiled.positional else list(constants)
        # (parameter name, the value when it is a constant of the statement, its processor)
        self.binds: list[tuple[str, Any, Processor | None]] = [
            (name, constants.get(name), processors.get(name)) for name in names
        ]
        self.dialect = dialect
        self.columns = list(statement.selected_columns) if statement.is_select else []
        self.results: list[Processor | None] | None = None

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        converted = []
        for name, constant, process in self.binds:
            value = values.get(name, constant)
            converted.append(value if process is None else process(value))
        if self.positional:
            return converted
        return {name: value for (name, _, _), value in zip(self.binds, converted, strict=True)}

    def processors(self, description: Sequence[Sequence[Any]]) -> list[Processor | None]:
        """Each column's result processor; some depend on the type the driver reports (a
        PostgreSQL float's), so they are made at the first execution."""
        if self.results is None:
            self.results = [
                column.type._cached_result_processor(self.dialect, found[1])
                for column, found in zip(self.columns, description, strict=True)
            ]
        return self.results

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        assert self.results is not None
        return tuple(
            value if process is None else process(value)
            for process, value in zip(self.results, raw, strict=True)
        )


class Prepared:
    """A Core statement with named binds (``p("...")``, or column names for an INSERT),
    executed on a connection of a :class:`~contextmfa.store.database.Database` transaction or
    read; rows come back as plain tuples, in the order of the statement's columns."""

    __slots__ = ("_plans", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[tuple[str, tuple[str, ...] | None], _Plan] = {}

    def first(self, connection: Connection, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        plan, cursor = self._run(connection, values, None)
        try:
            plan.processors(cursor.description)
            raw = cursor.fetchone()
        finally:
            cursor.close()
        return None if raw is None else plan.row(raw)

    def insert(self, connection: Connection, values: Mapping[str, Any]) -> None:
        """An INSERT of exactly these columns (the others take their defaults)."""
        _, cursor = self._run(connection, values, tuple(values))
        cursor.close()

    def send(
        self, connection: Connection, values: Mapping[str, Any], *, insert: bool = False
    ) -> Any:
        """Execute and return the open cursor, for a statement sent in a pipeline of
        PostgreSQL statements (its result is there once the pipeline syncs)."""
        return self._run(connection, values, tuple(values) if insert else None)[1]

    def _plan(self, dialect: Dialect, columns: tuple[str, ...] | None) -> _Plan:
        key = (dialect.name, columns)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _Plan(self.statement, dialect, columns)
        return plan

    def _run(
        self, connection: Connection, values: Mapping[str, Any], columns: tuple[str, ...] | None
    ) -> tuple[_Plan, Any]:
        plan = self._plan(connection.dialect, columns)
        parameters = plan.parameters(values)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(plan.sql, parameters)
        except Exception as exc:
            cursor.close()
            connection._handle_dbapi_exception(exc, plan.sql, parameters, cursor, None)
        return plan, cursor
