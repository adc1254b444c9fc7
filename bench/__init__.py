"""Load benchmark and fault drills of StockWiz; see the README's
"Benchmarks" section."""
