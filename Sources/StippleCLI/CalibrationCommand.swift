import ArgumentParser

/// `stipple calibration`: the journaled calibration records.
struct CalibrationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibration", abstract: "Show journaled calibration records.",
        subcommands: [CalibrationShow.self, CalibrationHistory.self])
}
