from simulator.cli.entry import entry

raise SystemExit(entry())
