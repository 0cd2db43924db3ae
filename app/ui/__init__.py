"""The only package that imports Streamlit (tests/test_architecture.py).

data: cached reads keyed on the database's fingerprint; state: widgets mirrored in the URL;
chrome: the router's guard, the language, the banner, captions, downloads and tables.
"""

# Streamlit runs each session's script in a thread of its own, so sessions arriving together at a fresh
# server import the heavy libraries at once, and plotly's lazy `import pandas` could then see a half-imported
# pandas ("partially initialized module 'pandas' has no attribute 'Series'": 5 of 582 pages in the soak
# test's first seconds). Importing them here, once, under this package's import lock, ends that race.
import pandas  # noqa: E402, F401
import plotly.graph_objects  # noqa: E402, F401
import pyarrow  # noqa: E402, F401
