"""Who sees what: the internal view (non-public indicators, provisional figures) only behind Streamlit's
OIDC login in an internal deployment; a public deployment never shows it, whatever the URL says.

The deployment says which it is (app.settings.access_mode): `public` (PILOT_TRACKER_PUBLIC=1) never
offers a login; `internal` (PILOT_TRACKER_INTERNAL=1, [auth] in .streamlit/secrets.toml) shows the
public view until a user on the allowed list (PILOT_TRACKER_INTERNAL_EMAILS, empty = anyone the
provider logs in) has logged in; `open` (neither: development and the demo) shows everything. Nothing
here reads st.query_params: the view follows the login (Streamlit's signed cookie), never the URL.
"""

from __future__ import annotations

import logging

import streamlit as st

from app.i18n import t
from app.safe_text import md_escape
from app.settings import Settings, load_settings

log = logging.getLogger(__name__)


def _user() -> dict:
    try:
        return dict(st.user.to_dict())
    except Exception:  # noqa: BLE001 - no script context or no user: nobody is logged in
        return {}


def allowed(email: str | None, settings: Settings) -> bool:
    """Whether a logged-in address may see the internal view: any, or one on the list (address or @domain)."""
    if not settings.internal_emails:
        return True
    email = (email or "").strip().lower()
    return bool(email) and any(email == entry or (entry.startswith("@") and email.endswith(entry))
                               for entry in settings.internal_emails)


def internal_view() -> bool:
    """True when this session may see non-public indicators and provisional figures."""
    settings = load_settings()
    if settings.access == "open":
        return True
    if settings.access != "internal":
        return False
    user = _user()
    return user.get("is_logged_in") is True and allowed(user.get("email"), settings)


def _login_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def access_controls(lang: str) -> None:
    """The sidebar's login or logout, and which view this is; nothing in open or public deployments."""
    if load_settings().access != "internal":
        return
    user = _user()
    who = md_escape(user.get("email") or user.get("name") or "?", 80)
    if user.get("is_logged_in") is True:
        if internal_view():
            st.sidebar.caption(t("access.internal_view", lang, user=who))
        else:
            st.sidebar.caption(t("access.not_allowed", lang, user=who))
        if st.sidebar.button(t("access.logout", lang), key="access_logout", icon=":material/logout:"):
            st.logout()
        return
    st.sidebar.caption(t("access.public_view", lang))
    if not _login_configured():
        log.error("PILOT_TRACKER_INTERNAL is on but .streamlit/secrets.toml has no [auth] section")
        st.sidebar.caption(t("access.login_missing", lang))
        return
    if st.sidebar.button(t("access.login", lang), key="access_login", icon=":material/login:"):
        st.login()
