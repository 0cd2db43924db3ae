"""The locks of the read-only engine (app.db): which statements it runs, what SQLite may prepare, and
which PostgreSQL roles it refuses because they can write.
"""

from __future__ import annotations

import re
import sqlite3

#: The first word of every statement the dashboard sends; anything else is refused before it is sent.
READ_KEYWORDS = frozenset({"SELECT", "WITH", "SHOW", "EXPLAIN", "VALUES"})
#: SQLite functions that allocate as much as they are told or reach outside the database.
DENIED_FUNCTIONS = frozenset({"randomblob", "zeroblob", "load_extension", "readfile", "writefile", "edit",
                              "fts3_tokenizer"})
#: Pragmas that read the schema (SQLAlchemy's inspector asks them); any other pragma with an argument is refused.
READ_PRAGMAS = frozenset({"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo",
                          "foreign_key_list", "table_list"})
_PRAGMA = re.compile(r"\s*PRAGMA\s+(?:[\w\"]+\.)?\"?(\w+)\"?\s*(\(|=|;|$)", re.I)
_READ_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE,
                           sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT})
SQLITE_LIMITS = {
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,  # ATTACH and VACUUM INTO need an attached database: none allowed
    sqlite3.SQLITE_LIMIT_LENGTH: 64 * 1024 * 1024,  # no string or blob (nor printf result) over 64 MB
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 1024 * 1024,
}
_FIRST_WORD = re.compile(r"\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*\(?\s*([A-Za-z]+)", re.S)


class NotAReadStatement(RuntimeError):
    """A statement that is not a single read reached the read-only engine; it was not sent."""


def read_only_statement(statement: str) -> None:
    """Refuse anything but one read: no `COMMIT; BEGIN READ WRITE; INSERT ...`, no SET, no COPY."""
    match = _FIRST_WORD.match(statement)
    word = match.group(1).upper() if match else ""
    pragma = _PRAGMA.match(statement) if word == "PRAGMA" else None
    if pragma and pragma.group(2) != "=" and (pragma.group(1).lower() in READ_PRAGMAS or pragma.group(2) != "("):
        word = "SELECT"  # a schema read (table_info(x)) or a setting read (PRAGMA name): the authorizer checks it too
    if word not in READ_KEYWORDS or ";" in statement.rstrip().rstrip(";"):
        raise NotAReadStatement(f"the read-only engine runs single reads only, not: {statement[:60]!r}")


def sqlite_authorizer(action: int, arg1, arg2, _db_name, _trigger) -> int:
    """Allow reads only: SELECT, column reads, functions that cannot allocate without bound, pragma reads."""
    if action in _READ_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION:
        return sqlite3.SQLITE_DENY if (arg2 or "").lower() in DENIED_FUNCTIONS else sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and (arg2 is None or (arg1 or "").lower() in READ_PRAGMAS):
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


# --- PostgreSQL: a role that can write is refused ---------------------------------------------------

_ROLE_ATTRIBUTES = """
SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls,
       has_database_privilege(current_database(), 'CREATE')
FROM pg_roles WHERE rolname = current_user
"""
_SCHEMAS = """
SELECT nspname FROM pg_namespace
WHERE nspname = ANY (current_schemas(false)) AND has_schema_privilege(oid, 'CREATE')
"""
_TABLES = """
SELECT c.relname, p.privilege
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN (VALUES ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE'), ('TRIGGER')) AS p(privilege)
WHERE n.nspname = ANY (current_schemas(false)) AND c.relkind IN ('r', 'p', 'v', 'f', 'm')
  AND has_table_privilege(c.oid, p.privilege)
ORDER BY c.relname, p.privilege
"""
_MEMBERSHIPS = """
SELECT rolname FROM pg_roles
WHERE rolname IN ('pg_write_all_data', 'pg_execute_server_program', 'pg_write_server_files')
  AND pg_has_role(current_user, oid, 'MEMBER')
"""


def writing_privileges(dbapi_conn) -> list[str]:
    """What the connected role could change, in words; empty for a SELECT-only role."""
    found: list[str] = []
    row = dbapi_conn.execute(_ROLE_ATTRIBUTES).fetchone()
    if row is not None:
        for flag, words in zip(row, ("superuser", "CREATEROLE", "CREATEDB", "BYPASSRLS",
                                     "CREATE on the database")):
            if flag:
                found.append(words)
    found += [f"CREATE on schema {name}" for (name,) in dbapi_conn.execute(_SCHEMAS).fetchall()]
    found += [f"member of {name}" for (name,) in dbapi_conn.execute(_MEMBERSHIPS).fetchall()]
    tables: dict[str, list[str]] = {}
    for table, privilege in dbapi_conn.execute(_TABLES).fetchall():
        tables.setdefault(table, []).append(privilege)
    found += [f"{', '.join(privileges)} on {table}" for table, privileges in tables.items()]
    return found
