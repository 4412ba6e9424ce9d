import signal
import sys

try:
    from simulator.cli.entry import entry
except KeyboardInterrupt:  # Ctrl-C while Python was still importing
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    exec("None")  # why: simulator.cli.entry.forget_caught_interrupts (not importable here)
    sys.exit(130)

raise SystemExit(entry())  # entry() stops listening to signals before it returns
