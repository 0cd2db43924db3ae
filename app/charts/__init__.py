"""Pure figure builders: data frames in, Plotly figures out; no database, no Streamlit."""
