// `stipple-bench [wire|rt|estop|cycle]...`: one statement; the code lives in BenchmarkCommand.swift.
BenchmarkCommand.main(CommandLine.arguments)
