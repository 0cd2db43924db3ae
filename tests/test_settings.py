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


def test_deployer_settings_come_from_the_environment_or_the_settings_file(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[pilot_tracker]\nfeedback = "saavutettavuus@example.fi"\nsite_url = "https://seuranta.example.fi/"\n'
                       'snapshot_url = "https://cdn.example.fi/snapshots"\nsupervisor_en = "The authority"\n',
                       encoding="utf-8")
    settings = load_settings({}, secrets)
    assert settings.feedback == "saavutettavuus@example.fi"
    assert settings.site_url == "https://seuranta.example.fi"  # no trailing slash: paths are appended
    assert settings.snapshot_url == "https://cdn.example.fi/snapshots"
    assert settings.supervisor["en"] == "The authority" and "Traficom" in settings.supervisor["fi"]
    assert settings.supervisor_url == "https://www.saavutettavuusvaatimukset.fi"
    assert load_settings({"PILOT_TRACKER_FEEDBACK": "https://palaute.example.fi"}, secrets).feedback \
        == "https://palaute.example.fi"


def test_nothing_configured_means_no_feedback_channel_and_no_public_mode(tmp_path):
    settings = load_settings({}, tmp_path / "absent.toml")
    assert settings.feedback is None and settings.public is False and settings.site_url is None
