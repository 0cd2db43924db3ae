"""Files from many hands, probed as an unlucky operator or an attacker would: links, pipes, devices, bombs,
deep nesting, NUL bytes, control and text-direction characters, over-long names. Each is refused with
a message naming the file, never a traceback, and the database is left exactly as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app.ingest.errors import InputError
from app.ingest.files import MAX_CELLS, MB, hostile_content
from tests.conftest import ROOT
from tests.ingest_helpers import db_state, fixture_file, run_cli
from tests.pxweb_files import json_stat, municipality_codes, write_json_stat

PILOTS_HEADER = "pilot_code,name_fi,name_sv,name_en,ely_code,municipality_code,valid_from,valid_to\n"


@pytest.fixture
def loaded_db(tmp_path):
    """A database with the schema, the reference data and one small PxWeb load."""
    url = f"sqlite:///{tmp_path / 'indicators.sqlite'}"
    assert run_cli("db", "init", "--db", url).exit_code == 0
    small = write_json_stat(tmp_path / "first.json", 2, municipality_codes()[:20], ["HAKIJALOPUSSA"])
    assert run_cli("ingest", "pxweb", small, "--db", url).exit_code == 0
    return url


def refused(db_url: str, *args) -> str:
    """Run the CLI, expect a refusal, and prove the database did not change; the message (stderr)."""
    before = db_state(db_url)
    result = run_cli(*args, "--db", db_url)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.stderr and "\x1b" not in result.stderr
    assert db_state(db_url) == before
    return result.stderr


def test_a_symbolic_link_is_refused(loaded_db, tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(fixture_file("pxweb_small.json"))
    assert "symbolic link" in refused(loaded_db, "ingest", "pxweb", link)


def test_a_fifo_is_refused_without_waiting_for_a_writer(loaded_db, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert "named pipe (FIFO)" in refused(loaded_db, "ingest", "monitoring", fifo)


@pytest.mark.parametrize("command", ["pxweb", "pilots"])
def test_a_device_is_refused_not_reported_missing(loaded_db, command):
    message = refused(loaded_db, "ingest", command, "/dev/zero")
    assert "character device" in message and "not found" not in message


def test_a_folder_is_refused(tmp_path):
    from app.ingest.files import read_input_bytes

    with pytest.raises(InputError, match="is a folder, not a file"):
        read_input_bytes(tmp_path)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(loaded_db, tmp_path):
    big = tmp_path / "big.json"
    with big.open("wb") as fh:
        fh.truncate(65 * MB)  # sparse: no disk, no time
    assert "at most 64 MB" in refused(loaded_db, "ingest", "pxweb", big)


def test_no_message_quotes_a_line_of_the_file_given(loaded_db, tmp_path):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin\n")
    for command in ("pxweb", "pilots", "monitoring", "areas"):
        message = refused(loaded_db, "ingest", command, secret)
        assert "root:x" not in message and "/bin/bash" not in message and "daemon" not in message, message


def test_deep_nesting_is_refused_with_the_file_named(loaded_db, tmp_path):
    nested = tmp_path / "nested.json"
    nested.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert "nested too deeply" in refused(loaded_db, "ingest", "pxweb", nested)


def test_nul_bytes_are_refused_at_their_place(loaded_db, tmp_path):
    csv_file = tmp_path / "pilots.csv"
    csv_file.write_text(PILOTS_HEADER + "PILOT01,Hel\x00sinki,H,H,ELY01,KU091,2021-03-01,\n")
    assert "line 2, column 12: contains a NUL byte" in refused(loaded_db, "ingest", "pilots", csv_file)
    doc = json.loads(fixture_file("pxweb_small.json").read_text())
    doc["data"][0]["key"][0] = "KU0\x0091"
    json_file = tmp_path / "nul.json"
    json_file.write_text(json.dumps(doc))  # json.dumps writes \u0000: a code with a NUL, not a NUL byte
    assert "data[0].key[0]: a code contains a control" in refused(loaded_db, "ingest", "pxweb", json_file)


@pytest.mark.parametrize("name, expected", [
    ("\t=1+1", "U+0009"),
    ("Helsinki\u202egnp.exe", "U+202E"),
    ("Vantaa\x1b[2J", "U+001B"),
    ("x" * 100_000, "100,000 characters"),
])
def test_control_direction_characters_and_over_long_names_are_refused(loaded_db, tmp_path, name, expected):
    csv_file = tmp_path / "pilots.csv"
    csv_file.write_text(PILOTS_HEADER + f'PILOT01,"{name}",H,H,ELY01,KU091,2021-03-01,\n')
    message = refused(loaded_db, "ingest", "pilots", csv_file)
    assert "row 2, column 'name_fi'" in message and expected in message


def test_a_csv_with_bare_cr_line_ends_loads_and_a_stray_cr_is_a_message(loaded_db, tmp_path):
    monitoring = fixture_file("monitoring_small.csv").read_text().replace("\r\n", "\n")
    mac = tmp_path / "mac.csv"
    mac.write_bytes(monitoring.replace("\n", "\r").encode())
    result = run_cli("ingest", "monitoring", mac, "--db", loaded_db)
    assert result.exit_code == 0, result.output
    lines = monitoring.splitlines()
    stray = tmp_path / "stray.csv"
    stray.write_text("\n".join(lines[:2] + [lines[2].replace(",", ",\r", 1)] + lines[3:]) + "\n")
    assert "row 3: expected 5 fields, found 2" in refused(loaded_db, "ingest", "monitoring", stray)
    huge_field = tmp_path / "huge.csv"  # csv's own limit (131,072 characters a field) is a message too
    huge_field.write_text("\n".join(lines[:2] + ['"' + "x" * 200_000 + '"' + lines[2][lines[2].index(","):]]) + "\n")
    assert "row 3: not readable as CSV (field larger than field limit" in refused(
        loaded_db, "ingest", "monitoring", huge_field)


def test_escape_sequences_in_codes_never_reach_the_terminal(loaded_db, tmp_path):
    doc = json.loads(fixture_file("pxweb_small.json").read_text())
    doc["data"][0]["key"][0] = "KU\x1b]0;pwned\x07091"
    hostile = tmp_path / "escape.json"
    hostile.write_text(json.dumps(doc))
    message = refused(loaded_db, "ingest", "pxweb", hostile)
    assert "U+001B" in message and "\x07" not in message


def test_a_zip_bomb_is_refused_before_gdal_unpacks_it(loaded_db, tmp_path):
    bomb = tmp_path / "boundaries.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("municipalities.shp", "w") as member:
            for _ in range(200):
                member.write(bytes(MB))
    assert "compression bomb" in refused(loaded_db, "boundaries", "load", bomb, "--year", "2021")


def test_python_failures_on_hostile_content_become_input_errors(tmp_path):
    for failure in (RecursionError(), MemoryError()):
        with pytest.raises(InputError, match="x.json"):
            with hostile_content(tmp_path / "x.json"):
                raise failure


# VmHWM: the peak resident memory of this program since it started (ru_maxrss would include the
# test process it was forked from, which Linux keeps across exec).
PEAK_PROBE = """import runpy, sys
sys.argv = ["pilot-tracker", *sys.argv[1:]]
try:
    runpy.run_module("app.cli", run_name="__main__")
finally:
    hwm = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
    sys.stderr.write(f"\\nPEAK_KB={hwm}\\n")
"""


def _peak_rss_of_load(path: Path, db_url: str) -> tuple[int, str, float]:
    """Load in a child process; (exit code, stderr, the child's own peak resident memory in MB)."""
    done = subprocess.run([sys.executable, "-c", PEAK_PROBE, "ingest", "pxweb", str(path), "--db", db_url],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    peak_kb = int(done.stderr.rsplit("PEAK_KB=", 1)[1].split()[0])
    return done.returncode, done.stderr, peak_kb / 1024


def test_a_json_stat_cube_declared_huge_is_not_expanded(loaded_db, tmp_path):
    """The issue's 2.3 MB file declaring 100,000 x 100,000 cells with one value: 8 GB in 36 s before."""
    doc = json_stat(["KU091"], ["2026M06"], ["HAKIJALOPUSSA"])
    doc["id"], doc["size"] = ["Alue", "Kuukausi", "Tiedot"], [100_000, 100_000, 1]
    for name, prefix in (("Alue", "A"), ("Kuukausi", "B")):
        doc["dimension"][name]["category"]["index"] = [f"{prefix}{n}" for n in range(100_000)]
    doc["value"], doc["status"] = {"0": 5}, {}
    bomb = tmp_path / "bomb.json"
    bomb.write_text(json.dumps(doc))
    before = db_state(loaded_db)
    code, stderr, peak_mb = _peak_rss_of_load(bomb, loaded_db)
    print(f"declared 10,000,000,000-cell cube: refused, peak {peak_mb:.0f} MB")
    assert code == 1 and "Traceback" not in stderr and peak_mb < 600, (stderr[-500:], peak_mb)
    assert db_state(loaded_db) == before


@pytest.mark.slow
def test_a_ten_million_value_file_is_refused_without_gigabytes(loaded_db, tmp_path):
    months = 10_000_000 // (309 * 23) + 1
    big = write_json_stat(tmp_path / "ten_million.json", months)
    before = db_state(loaded_db)
    code, stderr, peak_mb = _peak_rss_of_load(big, loaded_db)
    print(f"{big.stat().st_size / 1e6:.0f} MB file of {309 * 23 * months:,} values: refused, peak {peak_mb:.0f} MB")
    assert code == 1 and f"at most {MAX_CELLS:,} values" in stderr, stderr[-800:]
    assert peak_mb < 1024, f"peak {peak_mb:.0f} MB"
    assert db_state(loaded_db) == before
