"""The git pre-push hook: install and uninstall it (install.py), read what is pushed (pushed.py), check each pushed
tip out where the user's working tree and index are out of reach (checkout.py), validate what the push touches
(validating.py), run the dev build or the pipeline (runs.py), and say what was found (report.py); checks.py ties
them together. The command line is simulator/cli/commands/hook.py."""
