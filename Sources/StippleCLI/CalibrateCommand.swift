import ArgumentParser

/// `stipple calibrate`: a technician's calibration procedures.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate", abstract: "Calibrate a machine (technician): needle depth, stroke rate.",
        subcommands: [CalibrateDepth.self, CalibrateRate.self])
}
