import ArgumentParser
import Foundation
import StippleJournal

/// `stipple journal verify [--file FILE]`
struct JournalVerify: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check the journal's hash chain and seals, or a session's JSON export offline.",
        discussion: """
            Without --file: walks the whole journal's chain and checks every seal. With --file: checks a \
            `stipple session export --format json` file with no journal: each record's hash, the links \
            between records, and the seal over the session's stretch of the chain. Exit 0 and one ok line \
            when everything holds; exit 1 naming the first bad record otherwise.
            """)

    @Option(help: "A session export (JSON) to verify offline instead of the journal.") var file: String?
    @Option(name: .customLong("trusted-key"), help: "A machine public key (64 hex) allowed to seal; repeat for several. Without it any key with a valid signature is accepted.")
    var trustedKeys: [String] = []
    @OptionGroup var journal: JournalOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let trusted = trustedKeys.isEmpty ? nil : Set(trustedKeys.map { $0.lowercased() })
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CLIError("cannot read export (\(file)): the file does not exist or is not readable. Check the path")
            }
            let r = try SessionExportVerifier.verify(String(decoding: data, as: UTF8.self), source: file, trustedKeys: trusted)
            if let p = r.firstProblem { return fail(p, in: ctx, source: file) }
            ctx.print("ok: export of session \(r.sessionID) verified offline (\(file)): \(r.records) records, "
                + "\(r.sealed) under the seal, \(r.recomputed) recomputed, \(r.hashOnly) hash-only, \(r.redacted) redacted; "
                + "head seq \(r.headSeq) \(r.headHash); key \(r.publicKey ?? "none")")
            return .success
        }
        let j = try journal.openExisting(in: ctx)
        defer { try? j.close() }
        let r = try j.verify(trustedKeys: trusted)
        if let p = r.firstProblem { return fail(p, in: ctx, source: j.path) }
        ctx.print("ok: journal verified (\(j.path)): \(r.entriesChecked) records, \(r.sealsChecked) seals; head seq \(r.headSeq) \(r.headHash)")
        return .success
    }

    private func fail(_ p: VerificationProblem, in ctx: CLIContext, source: String) -> ExitStatus {
        let record = "\(p.table) row \(p.rowID)" + (p.seq.map { ", ledger seq \($0)" } ?? "")
        ctx.printError("error: verification failed (\(source): \(record)): \(p.kind.rawValue): \(p.detail). "
            + "Treat the record as altered: restore from a backup that verifies, and keep this file as evidence")
        return .invalidInput
    }
}
