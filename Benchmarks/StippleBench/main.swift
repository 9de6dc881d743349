// `stipple-bench [wire|rt|estop|cycle|journal|edges]... [edges options]`: one statement; the code lives in BenchmarkCommand.swift.
BenchmarkCommand.main(CommandLine.arguments)
