"""The build: CodeBuild's phase machine, run against any container session."""
