"""Demo and benchmark data, kept out of the runtime packages.

`village.seed()` fills an empty database for `flask seed-demo` (and `make run`); the
modules named after a feature add that feature's demo rows and the generators the
benchmarks in bench/ use. They sit with the app factory, above every layer
(docs/architecture.md, "Layers"): nothing at runtime imports them.
"""
