"""Manual approval gates: the question asked at a terminal, and the answers given from anywhere (CP §1.12)."""
