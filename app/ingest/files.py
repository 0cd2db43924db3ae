"""Opening an input file as the loader's limits say (docs/ingest.md, "Limits"): a regular file only (no
symbolic link, FIFO or device), at most a documented size, a zip whose contents are not a bomb; and
the failures Python raises on hostile content (deep nesting, memory, CSV syntax) as InputError.
"""

from __future__ import annotations

import csv
import os
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.ingest.errors import InputError

MB = 1024 * 1024
#: The largest PxWeb, JSON-stat or CSV file a load reads: about 2.5 million values in PxWeb's own
#: formats, which a load holds in well under 1 GB. Larger tables: fetch or export them in parts.
MAX_TEXT_BYTES = 64 * MB
#: The most values (cells) one PxWeb or JSON-stat file may hold, and rows one CSV file may have.
MAX_CELLS = 2_500_000
#: Boundary files (GeoPackage, Shapefile, GeoJSON): the file, and a zip's unpacked contents.
MAX_GEO_BYTES = 512 * MB
MAX_ZIP_RATIO = 100  # a zip member unpacking to more than 100 times its packed size is a bomb

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((words for test, words in _KINDS if test(mode)), "not a regular file")


def check_input_file(path: Path, max_bytes: int) -> os.stat_result:
    """The file's stat, when it is a regular file of at most max_bytes; else InputError saying what it is."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        raise InputError(path, "is a symbolic link; give the path of the file itself")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, f"is {_kind(info.st_mode)}, not a file")
    if info.st_size > max_bytes:
        raise InputError(path, f"the file is {info.st_size / MB:,.0f} MB; a load reads files of at most "
                               f"{max_bytes // MB:,} MB (docs/ingest.md, Limits): split it, e.g. by months")
    return info


def read_input_bytes(path: Path, max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of a regular file of at most max_bytes, read through a descriptor that cannot follow a
    link or block on a pipe, and checked again after opening (the path may have changed in between)."""
    check_input_file(path, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InputError(path, f"is {_kind(info.st_mode)}, not a file")
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(path, f"the file is larger than {max_bytes // MB:,} MB (docs/ingest.md, Limits)")
    return data


def check_zip(path: Path, max_bytes: int = MAX_GEO_BYTES) -> None:
    """A zip (a zipped Shapefile) whose members unpack to at most max_bytes, none compressed like a bomb."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(path, f"not a readable zip file ({exc})") from None
    total = sum(m.file_size for m in members)
    if total > max_bytes:
        raise InputError(path, f"the zip unpacks to {total / MB:,.0f} MB; at most {max_bytes // MB:,} MB is read")
    for member in members:
        if member.file_size > MB and member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1):
            raise InputError(path, f"zip member {member.filename[:80]!r} unpacks to {member.file_size / MB:,.0f} MB "
                                   f"from {member.compress_size:,} bytes: refused as a compression bomb")


@contextmanager
def hostile_content(path: Path, where: str | None = None) -> Iterator[None]:
    """Deep nesting, exhausted memory and CSV syntax errors as InputError naming the file, never a traceback."""
    try:
        yield
    except RecursionError:
        raise InputError(path, "nested too deeply to read (a JSON file nests objects or lists a few levels "
                               "deep; this one thousands of levels)", location=where) from None
    except MemoryError:
        raise InputError(path, f"too large to read in memory; a load reads files of at most "
                               f"{MAX_TEXT_BYTES // MB} MB and {MAX_CELLS:,} values", location=where) from None
    except csv.Error as exc:
        raise InputError(path, f"not readable as CSV ({str(exc).split(' - ')[0]})", location=where) from None
