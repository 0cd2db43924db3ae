"""The benchmark: how long the demo build, the pages' queries, their views and the map payload take here.

Run `python -m benchmarks` (or `make bench`); see docs/benchmark.md. A tool, not a test: nothing here
fails on a slow machine. It lives outside the `app` package, so it may call the library's writers
(app.ingest) directly to build the database it measures; it never reads outside this project.
"""
