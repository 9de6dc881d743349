// `make bench`: figures, not pass/fail. One statement: real code lives in WireBenchmark.swift.
WireBenchmark.run()
