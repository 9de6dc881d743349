import ArgumentParser
import StippleJournal

/// `stipple session show ID`
struct SessionShow: StippleCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one session: people, materials, passes, events and seal.")

    @Argument(help: "Session id (see `stipple session list`).") var id: Int64
    @Flag(help: "Show pseudonymous ids instead of names.") var redact = false
    @OptionGroup var journal: JournalOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let j = try journal.openExisting(in: ctx)
        defer { try? j.close() }
        let d = try j.session(id: id)
        let r = ExportRedaction(isOn: redact)
        let s = d.summary
        ctx.print("session \(s.id): \(s.status.rawValue), \(s.passes) pass(es)")
        ctx.print("  client     \(r.clientDisplayName(d.client))" + (r.isOn || d.client.name == nil ? "" : " (\(d.client.ref))"))
        ctx.print("  operator   \(r.operatorDisplayName(d.operatorRecord))")
        ctx.print("  started    \(s.startedAt.iso8601)")
        ctx.print("  ended      \(s.endedAt?.iso8601 ?? "not ended")")
        ctx.print("  machine    \(s.machine.model), serial \(s.machine.serial), firmware \(s.machine.firmwareVersion)")
        if let c = d.calibrationRef { ctx.print("  calibration \(c)") }
        for p in d.pigments {
            ctx.print("  pigment    \(p.brand) \(p.name), batch \(p.batch), lot \(p.lot), expiry \(p.expiry), dilution \(p.dilution)")
        }
        for c in d.cartridges {
            ctx.print("  cartridge  \(c.cartridge.uid) \(c.cartridge.typeName), lot \(c.cartridge.lot)")
        }
        if !d.passes.isEmpty {
            ctx.print("")
            let rows = d.passes.map { p in
                [String(p.ordinal), p.zone, p.profileName, p.startedAt.iso8601, String(Double(p.durationNanoseconds) / 1e9),
                 p.rate.map { String(format1($0.mean)) } ?? "-", p.depth.map { format2($0.mean) } ?? "-", p.stopReason]
            }
            for line in renderTable(["PASS", "ZONE", "PROFILE", "STARTED (UTC)", "DURATION_S", "RATE_HZ", "DEPTH_MM", "STOP"], rows) {
                ctx.print("  " + line)
            }
        }
        if !d.events.isEmpty {
            ctx.print("")
            for e in d.events {
                ctx.print("  \(e.at.iso8601) \(e.kind.rawValue)" + (e.code.map { " \($0)" } ?? "") + (e.message.isEmpty ? "" : ": \(e.message)"))
            }
        }
        ctx.print("")
        if let seal = d.seal {
            ctx.print("  sealed     \(seal.status.rawValue) at \(seal.endedAt.iso8601), head seq \(seal.headSeq) \(seal.headHash)")
            ctx.print("  key        \(seal.publicKey)")
        } else {
            ctx.print("  sealed     no (the session is open)")
        }
        return .success
    }

    private func format1(_ d: Double) -> String { String((d * 10).rounded() / 10) }
    private func format2(_ d: Double) -> String { String((d * 100).rounded() / 100) }
}
