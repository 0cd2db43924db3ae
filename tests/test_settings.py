"""Where the dashboard finds its database: environment, then secrets.toml, then the demo file."""

from app.settings import DEMO_DB_PATH, load_settings, resolve_db_url


def test_environment_wins(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connections.indicators]\nurl = "postgresql://reader@db/indicators"\n')
    assert resolve_db_url({"PILOT_TRACKER_DB": "sqlite:///x.sqlite"}, secrets) == "sqlite:///x.sqlite"


def test_secrets_file_is_next(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connections.indicators]\nurl = "postgresql://reader@db/indicators"\n')
    assert resolve_db_url({}, secrets) == "postgresql://reader@db/indicators"


def test_demo_file_is_the_default(tmp_path):
    assert resolve_db_url({}, tmp_path / "absent.toml") == f"sqlite:///{DEMO_DB_PATH}"


def test_unknown_default_language_falls_back_to_finnish():
    assert load_settings({"PILOT_TRACKER_LANG": "de"}).default_lang == "fi"
    assert load_settings({"PILOT_TRACKER_LANG": "sv"}).default_lang == "sv"
