import sys

try:
    from simulator.cli.entry import entry, stop_listening
except KeyboardInterrupt:  # Ctrl-C while Python was still importing
    sys.exit(130)

code = entry()
stop_listening()  # a signal after the command finished must not turn its exit code into a death by signal
raise SystemExit(code)
