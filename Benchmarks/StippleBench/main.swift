// `stipple-bench [wire|rt|estop]...`: one statement; the code lives in BenchmarkCommand.swift.
BenchmarkCommand.main(CommandLine.arguments)
