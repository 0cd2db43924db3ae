"""The production launcher: `python -m app.ui.serve [streamlit run options]` serves streamlit_app.py.

It is `streamlit run streamlit_app.py` with one thing done first: Streamlit's legacy pages/ flag is
cleared before the first session, as st.navigation clears it on its first call. Without that, a
fresh server's first request to a page URL runs the page alone and app.ui.chrome.ensure_router has
to rerun it through the router (a second script run, once per server process). Plain `streamlit
run` still works; it pays that one rerun.
"""

from __future__ import annotations

import sys

from app.settings import PROJECT_ROOT

ENTRY = PROJECT_ROOT / "streamlit_app.py"


def main(argv: list[str] | None = None) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False  # the router (st.navigation) decides every page
    args = sys.argv[1:] if argv is None else argv
    sys.argv = ["streamlit", "run", str(ENTRY), *args]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
