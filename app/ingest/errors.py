"""Input errors that name the file, the place in it and the column, so a user can fix the file."""

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
