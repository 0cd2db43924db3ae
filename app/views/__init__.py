"""Pure view models, one module per view: plain inputs and a Source in, frames, tables and figures out.

No Streamlit here (tests/test_architecture.py): the pages render what these functions return, and any
other consumer (the benchmark today) gets the same view from the same function.
"""
