"""Why a load stopped, as types the CLI tells apart: bad input, an unready database, the network."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad input file; the load that raised it leaves the database as it was."""

    def __init__(self, file: Path | str, message: str, *, location: str | None = None, column: str | None = None):
        self.file = str(file)
        self.location = location
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file]
        if self.location:
            where.append(self.location)
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class DatabaseNotReady(RuntimeError):
    """The target database cannot take a load (missing file or schema); nothing was written."""


class NetworkError(RuntimeError):
    """A download failed (no connection, timeout, an HTTP error): not the user's file, so try again later."""

    def __init__(self, url: str, message: str):
        self.url = url
        self.message = message
        super().__init__(f"{url}: {message}")
