"""The command line: parses flags, calls the package, turns outcomes into exit codes. Nothing else."""
