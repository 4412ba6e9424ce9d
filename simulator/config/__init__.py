"""The project's defaults for flags: `.simulator.yml` (or `[tool.simulator]` in pyproject.toml) and the
`SIMULATOR_<FLAG>` environment variables, applied to the parser before it parses (flags > environment > file)."""
