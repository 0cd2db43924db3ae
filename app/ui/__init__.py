"""The only package that imports Streamlit (tests/test_architecture.py).

data: cached reads keyed on the database's fingerprint; state: widgets mirrored in the URL;
chrome: the router's guard, the language, the banner, captions, downloads and tables.
"""
