import ArgumentParser

/// `stipple calibrate`: the technician's calibration procedures.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate", abstract: "Calibrate a machine: stroke rate.",
        subcommands: [CalibrateRate.self])
}
