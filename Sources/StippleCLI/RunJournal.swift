import Foundation
import StippleControl
import StippleJournal
import StippleModel

/// The journal side of `stipple run`, driven from the main thread that drains the control loop's
/// ring (never from the loop): it refuses bad input before the machine is touched, begins the
/// session once the machine has identified (so the record names its real serial and firmware),
/// feeds every record to the writer, reports ring drops, and seals the session at the end.
final class RunJournal {
    let writer: JournalWriter
    let path: String
    /// Called with the pass count after each pass the writer has committed durably.
    var onCommit: (Int) -> Void = { _ in }
    /// The first journal failure; the run stops arming once there is one.
    private(set) var failure: JournalError?
    private(set) var sessionID: Int64?
    private var start: SessionStart
    private let generations: [PassSettings]
    private var buffered: [ControlRecord] = []
    private var reportedPasses = 0

    /// Everything the CLI said about the record, checked before anything else happens.
    struct Request {
        var path: String
        var client: String
        var operatorRef: String
        var pigments: [PigmentChoice]
        var cartridgeLot: String
        var keepTelemetry: Bool
        /// The serial the machine will identify with when known before connecting (the built-in
        /// simulator's); nil matches any serial of the model, checked again at identify.
        var expectedSerial: String?
        /// `--override-calibration --technician ID`: run without a valid calibration, journaled.
        var overrideTechnician: String?
    }

    /// The calibration the session runs under (nil when overridden).
    private(set) var calibration: CheckedCalibration?
    /// Why the machine is not calibrated, when the run goes on by override; journaled at begin.
    private var overrideEvent: String?
    /// The machine's stroke-rate calibration status; its correction, when valid, is applied.
    private(set) var rateStatus: RateCalibrationStatus = .none
    /// The stroke-rate calibration applied, journaled at begin as a note (the shipped schema
    /// names only the depth calibration on the session row). None when uncorrected: a session
    /// without the note ran on the machine's own set-points, as every session did before.
    private var rateNote: String?

    /// Opens the writer (taking its lock and closing sessions a crashed writer left open) and runs
    /// every check `beginSession` will run, rolled back: on any refusal it throws and the journal
    /// holds nothing of this run.
    init(_ r: Request, plan: inout SessionPlan, ctx: CLIContext) throws {
        let w = try JournalWriter.open(at: r.path, options: .init(keepTelemetry: r.keepTelemetry))
        SessionChecks.recoveredNotes(w, path: r.path).forEach(ctx.printError)
        do {
            try SessionChecks.requireOperator(r.operatorRef, in: w.journal, path: r.path)
            // Before the machine is touched: no valid calibration, no treatment (unless overridden).
            let (status, rateStatus, _) = try SessionChecks.calibrations(w.journal, serial: r.expectedSerial, machine: plan.machine)
            var active: CheckedCalibration?
            if case .valid(let c) = status {
                active = c
                if r.overrideTechnician != nil {
                    ctx.printError("note: --override-calibration not needed: \(plan.machine.name) has a valid calibration (\(c.record.ref)), which is applied")
                }
            } else if let why = status.refusal(machine: plan.machine.name) {
                guard let tech = r.overrideTechnician else {
                    throw CLIError("machine not calibrated (\(plan.machine.name)): \(why). \(SessionChecks.calibrateAdvice(plan.machine.name)), or run with --override-calibration --technician ID (journaled on the session)")
                }
                guard try w.journal.operatorRecord(ref: tech) != nil else {
                    throw CLIError("unknown technician (\(tech)): no operator with this id is registered in \(r.path). Register them with `stipple operator add \(tech)`")
                }
                ctx.printError("warning: \(why); running uncalibrated by override of technician \(tech) (journaled on the session)")
                overrideEvent = "calibration override by technician \(tech): \(why); depths not corrected by a calibration"
            }
            if let active, let d = active.document {
                plan.apply(d.calibration)
                calibration = active
            }
            // The stroke-rate calibration is optional (issue 7 makes only depth mandatory): found
            // by the same serial matching as depth, applied when valid, else the run goes on
            // uncorrected and says so. A correction the machine cannot take refuses the run here.
            self.rateStatus = rateStatus
            if let (c, correction) = rateStatus.active {
                try plan.apply(correction, calibrationRef: c.record.ref)
                rateNote = SessionChecks.rateNote(c, correction)
            }
            let pigments = try r.pigments.map { try $0.resolve(in: w.journal) }
            var seen = Set<UInt64>()
            let cartridges = plan.loaded.filter { seen.insert($0.cartridgeID).inserted }.map {
                CartridgeIdentity(uid: $0.cartridgeID, typeName: $0.cartridge.name, lot: r.cartridgeLot, singleUse: $0.cartridge.singleUse)
            }
            // With a single pigment every pass is known to use it; with several the record lists
            // them for the session and leaves the pass's own pigment unsaid rather than guess.
            let pigmentLot = pigments.count == 1 ? pigments[0].lot : nil
            generations = plan.loaded.map {
                PassSettings.from($0, profileText: plan.profileTexts[$0.profile.name] ?? "", lot: r.cartridgeLot, pigmentLot: pigmentLot)
            }
            // The machine is not known until it identifies; the checks do not depend on it.
            start = SessionStart(clientRef: r.client, operatorRef: r.operatorRef,
                                 machine: MachineIdentity(model: plan.machine.model, serial: "not yet identified", firmwareVersion: "not yet identified"),
                                 pigments: pigments, cartridges: cartridges, calibrationRef: active?.record.ref,
                                 anchor: TimeAnchor(monotonicNanoseconds: 0, utc: .now()))
            try w.checkSession(start)
        } catch {
            try? w.close()
            throw error
        }
        writer = w
        path = r.path
        clearedCartridges = Set(start.cartridges.map(\.uid))
    }

    /// Cartridges `checkSession` cleared for this client: the loop may ask about them without
    /// reading the journal from its own thread.
    let clearedCartridges: Set<UInt64>

    /// Journals one record. Records before the machine has identified are held and journaled
    /// after the session begins, in order.
    func take(_ r: ControlRecord, identity: () -> (serial: String, firmware: String)?, now: UInt64) {
        guard failure == nil else { return }
        if sessionID == nil {
            guard let id = identity() else {
                buffered.append(r)
                return
            }
            start.machine = MachineIdentity(model: start.machine.model, serial: id.serial, firmwareVersion: id.firmware)
            // A calibration found by model alone must be this very machine's.
            if let mismatch = SessionChecks.serialMismatch(depth: calibration, rate: rateStatus.active?.calibration, serial: id.serial) {
                failure = mismatch
                return
            }
            start.anchor = TimeAnchor(monotonicNanoseconds: now, utc: .now())
            // Every cartridge the plan may fit was checked; each is recorded as used by the writer
            // when a pass first starts with it, so one the script never reached is not locked.
            start.cartridges = []
            do {
                sessionID = try writer.beginSession(start)
            } catch {
                failure = error
                return
            }
            for (i, s) in generations.enumerated() { writer.register(s, generation: UInt16(i + 1)) }
            if let rateNote {
                do { try writer.recordEvent(.note, message: rateNote, at: now) } catch {
                    failure = error
                    return
                }
            }
            if let overrideEvent {
                do { try writer.recordEvent(.override, message: overrideEvent, at: now) } catch {
                    failure = error
                    return
                }
            }
        }
        let held = buffered
        buffered = []
        do {
            for b in held { try writer.ingest(b) }
            try writer.ingest(r)
        } catch {
            failure = error
            return
        }
        while reportedPasses < writer.committedPasses {
            reportedPasses += 1
            onCommit(reportedPasses)
        }
    }

    /// Journals a note in the open session (nothing before it began or after a failure).
    func note(_ message: String, at: UInt64) {
        guard failure == nil, sessionID != nil else { return }
        do { try writer.recordEvent(.note, message: message, at: at) } catch { failure = error }
    }

    /// Tells the writer the ring's drop totals.
    func noteDrops(telemetry: UInt64, critical: UInt64, at: UInt64) {
        guard failure == nil, sessionID != nil else { return }
        do { try writer.noteDrops(telemetry: telemetry, critical: critical, at: at) } catch { failure = error }
    }

    /// Ends and seals the session (if it began) and closes the writer. A session that never began
    /// (the machine did not connect) leaves nothing in the journal.
    func finish(at: UInt64) -> SessionSeal? {
        defer { try? writer.close() }
        guard failure == nil, sessionID != nil else { return nil }
        do {
            return try writer.endSession(at: at)
        } catch {
            failure = error
            return nil
        }
    }
}
