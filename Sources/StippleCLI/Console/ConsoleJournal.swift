import Foundation
import StippleControl
import StippleJournal
import StippleModel

/// The journal side of one console treatment session. Unlike `stipple run` (RunJournal), the
/// machine has identified before the session begins and settings are chosen zone by zone at
/// runtime: each accepted `.load` is registered as the generation the control core gave it. It
/// checks what `run` checks (operator, client and consent, pigment lots, single-use cartridge,
/// the machine's depth calibration: no override here) before anything is written.
///
/// Not thread-safe, like the writer it drives: `ConsoleController` holds it under its lock.
final class ConsoleJournal {
    /// `POST /api/session`'s body.
    struct Request: Decodable, Sendable {
        struct CartridgeChoice: Decodable, Sendable {
            var type: String
            var id: UInt64
            var lot: String
        }

        var client: String
        var `operator`: String
        var pigments: [String]
        var cartridge: CartridgeChoice
    }

    let writer: JournalWriter
    let path: String
    let sessionID: Int64
    let clientRef: String
    let operatorRef: String
    let cartridge: Cartridge
    let cartridgeID: UInt64
    let cartridgeLot: String
    let calibration: CheckedCalibration
    let rateStatus: RateCalibrationStatus
    /// The pigment every pass used, when the session has exactly one (as `run` records it).
    let pigmentLot: String?
    /// Lines the writer's recovery produced at open, for the console's log.
    let recoveryNotes: [String]
    /// The first journal failure; the console stops arming once there is one.
    private(set) var failure: JournalError?
    private(set) var notes: [(at: UTCTimestamp, text: String)] = []
    /// The lockout as `LoopSide.arm` asks it: this session's cartridge was cleared at begin.
    let registry: CartridgeUseRegistry

    /// Checks everything and begins the session, or throws a `ConsoleRefusal` and writes nothing.
    init(_ r: Request, machine: MachineSpec, identity: (serial: String, firmware: String), catalog: HardwareCatalog,
         path: String, now: UInt64) throws {
        guard ClientID(r.client) != nil else {
            throw ConsoleRefusal(400, "client id \"\(r.client)\" must be 1-64 letters, digits, '-', '_' or '.'")
        }
        guard OperatorID(r.operator) != nil else {
            throw ConsoleRefusal(400, "operator id \"\(r.operator)\" must be 1-64 letters, digits, '-', '_' or '.'")
        }
        guard !r.pigments.isEmpty else {
            throw ConsoleRefusal(422, "no pigment: the record names every pigment used (ink passport). Choose at least one registered lot")
        }
        guard !r.cartridge.lot.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConsoleRefusal(400, "no cartridge lot: the record names the needle cartridge's lot. Enter it as printed on the pack")
        }
        let cartridge = try catalog.cartridge(named: r.cartridge.type).cartridge
        let w = try JournalWriter.open(at: path)
        recoveryNotes = SessionChecks.recoveredNotes(w, path: path)
        do {
            try SessionChecks.requireOperator(r.operator, in: w.journal, path: path)
            let (depth, rate, _) = try SessionChecks.calibrations(w.journal, serial: identity.serial, machine: machine)
            guard case .valid(let active) = depth, active.document != nil else {
                throw ConsoleRefusal(422, "machine not calibrated (\(machine.name)): \(depth.refusal(machine: machine.name) ?? "no valid depth calibration"). \(SessionChecks.calibrateAdvice(machine.name)); the console never treats without one")
            }
            if let mismatch = SessionChecks.serialMismatch(depth: active, rate: rate.active?.calibration, serial: identity.serial) {
                throw mismatch
            }
            let pigments = try r.pigments.map { try PigmentChoice.registeredLot($0).resolve(in: w.journal) }
            var start = SessionStart(clientRef: r.client, operatorRef: r.operator,
                                     machine: MachineIdentity(model: machine.model, serial: identity.serial, firmwareVersion: identity.firmware),
                                     pigments: pigments,
                                     cartridges: [CartridgeIdentity(uid: r.cartridge.id, typeName: cartridge.name, lot: r.cartridge.lot,
                                                                    singleUse: cartridge.singleUse)],
                                     calibrationRef: active.record.ref, anchor: TimeAnchor(monotonicNanoseconds: now, utc: .now()))
            try w.checkSession(start)
            // As in `run`: the cartridge is recorded as used when a pass first starts with it.
            start.cartridges = []
            sessionID = try w.beginSession(start)
            if let (c, correction) = rate.active {
                try w.recordEvent(.note, message: SessionChecks.rateNote(c, correction), at: now)
            }
            calibration = active
            rateStatus = rate
        } catch {
            try? w.close()
            throw ConsoleRefusal.from(error)
        }
        writer = w
        self.path = path
        clientRef = r.client
        operatorRef = r.operator
        self.cartridge = cartridge
        cartridgeID = r.cartridge.id
        cartridgeLot = r.cartridge.lot
        pigmentLot = r.pigments.count == 1 ? r.pigments[0] : nil
        registry = ClearedCartridges(cleared: [r.cartridge.id], journal: w.cartridgeRegistry)
    }

    /// The settings `profile` runs with in `zone` on this machine and the session's cartridge,
    /// through the calibration and the rate correction, with the profile file's text; a 422
    /// naming every reason it may not.
    func settings(profile name: String, zone: Zone, machine: MachineSpec, catalog: HardwareCatalog) throws -> (SessionSettings, String) {
        do {
            let p = try catalog.profile(named: name)
            let text = try p.file.text.get()
            var s = try SessionSettings.validated(machine: machine, cartridge: cartridge, cartridgeID: cartridgeID, profile: p.profile,
                                                  profileFile: p.file.path, zone: zone).get()
            if let d = calibration.document { s = s.calibrated(d.calibration) }
            if let (c, correction) = rateStatus.active {
                guard let corrected = s.rateCorrected(correction) else {
                    let needed = correction.commandedHertz(forAchieved: s.profile.rate.hertz)
                    throw ConsoleRefusal(422, "stroke-rate set-point out of range (\(machine.name), profile \(name)): through rate calibration \(c.record.ref) the profile's \(s.profile.rate.plain) Hz needs \(String(format: "%.3f", needed)) Hz, outside the machine's \(machine.limits.rateMin.plain)-\(machine.limits.rateMax.plain) Hz. Calibrate the stroke rate again, or choose another profile")
                }
                s = corrected
            }
            return (s, text)
        } catch {
            throw ConsoleRefusal.from(error)
        }
    }

    /// What passes of `generation` run with; call before arming with it.
    func register(_ s: SessionSettings, profileText: String, generation: UInt16) {
        writer.register(PassSettings.from(s, profileText: profileText, lot: cartridgeLot, pigmentLot: pigmentLot), generation: generation)
    }

    /// Journals one record from the loop.
    func take(_ r: ControlRecord) {
        guard failure == nil else { return }
        do { try writer.ingest(r) } catch { failure = error }
    }

    func noteDrops(telemetry: UInt64, critical: UInt64, at: UInt64) {
        guard failure == nil else { return }
        do { try writer.noteDrops(telemetry: telemetry, critical: critical, at: at) } catch { failure = error }
    }

    /// A practitioner's note, committed durably on the session.
    func note(_ text: String, at: UInt64) throws {
        if let failure { throw ConsoleRefusal(500, failure.description) }
        do { try writer.recordEvent(.note, message: text, at: at) } catch {
            failure = error
            throw ConsoleRefusal(500, error.description)
        }
        notes.append((.now(), text))
    }

    /// Ends and seals the session, closes the writer, then verifies the journal as
    /// `stipple journal verify` does.
    func end(at: UInt64) throws -> (seal: SessionSeal, verified: Bool, problem: String?) {
        defer { try? writer.close() }
        if let failure { throw ConsoleRefusal(500, "the session could not be fully journaled: \(failure.description). Passes committed before the failure are kept; run `stipple journal verify` once the cause is fixed") }
        let seal: SessionSeal
        do { seal = try writer.endSession(at: at) } catch {
            failure = error
            throw ConsoleRefusal(500, error.description)
        }
        try? writer.close()
        do {
            let j = try Journal.open(at: path)
            defer { try? j.close() }
            let report = try j.verify()
            return (seal, report.firstProblem == nil, report.firstProblem.map { "\($0.table) row \($0.rowID): \($0.kind.rawValue): \($0.detail)" })
        } catch {
            return (seal, false, "\(error)")
        }
    }

    /// Closes the writer without ending the session (the next writer closes it as interrupted).
    func abandon() { try? writer.close() }
}
