import Crypto

/// The session as a FHIR R4 Bundle (JSON) for the client's file in a clinic system.
///
/// Bundle type `collection`, not `document`: a document needs a Composition that someone
/// attests as a clinical narrative; this is a set of machine records to file alongside one,
/// and its proof of integrity is the JSON export's seal, not a FHIR signature.
///
/// Resources (every reference is an in-bundle `urn:uuid`):
/// - `Patient`: the client, the pseudonymous id as identifier (`urn:stipple:client-id`); name and
///   birthDate only when known and not redacted (redacted: the name is the pseudonymous id and
///   no birthDate, which cannot hold an id).
/// - `Practitioner`: the operator.
/// - `Device`: each machine identity (model, serial, firmware as `version`) and each cartridge
///   (type, lot as `lotNumber`, unique id as identifier `urn:stipple:cartridge-uid`).
/// - `Substance`: each pigment (brand and name as code text, batch as identifier, lot and
///   expiry as its instance, dilution in the description): ink is consumed material, and R4
///   Substance.instance has the lot identifier and expiry an ink passport needs.
/// - `Procedure`: one per zone pass; `completed`, or `stopped` when the needle stopped for a
///   reason other than the pedal or a disarm, or a pause was never resumed; performedPeriod,
///   bodySite (zone), performer, focalDevice (the cartridge), usedReference (machine, pigment),
///   and a note with the stop reason and pauses.
/// - `Observation`: per pass, the stroke-rate and depth set-points, and what was achieved
///   (value = mean; components mean, min, max, p5, p95), in UCUM `Hz` and `mm`.
///
/// UUIDs are derived from the session's first ledger hash (SHA-256, RFC 9562 version 8), so
/// exporting the same session twice gives the same bundle.
public enum FHIRBundle {
    static let ucum = "http://unitsofmeasure.org"
    static let dataAbsent = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
    static let observationCodes = "urn:stipple:observation"
    static let statisticCodes = "urn:stipple:statistic"

    public static func render(_ d: SessionDetail, redaction: ExportRedaction = .off) -> String {
        bundle(d, redaction: redaction).rendered()
    }

    static func bundle(_ d: SessionDetail, redaction: ExportRedaction) -> CanonicalJSON {
        let seed = d.ledger.first?.hash ?? "session-\(d.summary.id)"
        func url(_ name: String) -> String { "urn:uuid:" + uuid(seed: seed, name: name) }
        var entries: [CanonicalJSON] = []
        func add(_ name: String, _ resource: [String: CanonicalJSON]) {
            var r = resource
            let full = url(name)
            r["id"] = .string(String(full.dropFirst("urn:uuid:".count)))
            entries.append(.object(["fullUrl": .string(full), "resource": .object(r)]))
        }

        let patient = url("patient")
        var p: [String: CanonicalJSON] = [
            "resourceType": "Patient",
            "identifier": .array([identifier("urn:stipple:client-id", d.client.ref)]),
        ]
        if let name = redaction.clientName(d.client) { p["name"] = .array([.object(["text": .string(name)])]) }
        if !redaction.isOn, let dob = d.client.dateOfBirth { p["birthDate"] = .string(dob) }
        add("patient", p)

        let practitioner = url("practitioner")
        var pr: [String: CanonicalJSON] = [
            "resourceType": "Practitioner",
            "identifier": .array([identifier("urn:stipple:operator-id", d.operatorRecord.ref)]),
        ]
        if let name = redaction.operatorName(d.operatorRecord) { pr["name"] = .array([.object(["text": .string(name)])]) }
        add("practitioner", pr)

        var machines: [MachineIdentity] = [d.summary.machine]
        for pass in d.passes where !machines.contains(pass.machine) { machines.append(pass.machine) }
        func machineName(_ m: MachineIdentity) -> String { "machine|\(m.model)|\(m.serial)|\(m.firmwareVersion)" }
        for m in machines {
            add(machineName(m), [
                "resourceType": "Device",
                "identifier": .array([identifier("urn:stipple:machine-serial", m.serial)]),
                "serialNumber": .string(m.serial),
                "deviceName": .array([.object(["name": .string(m.model), "type": "model-name"])]),
                "modelNumber": .string(m.model),
                "type": .object(["text": "Scalp micropigmentation machine"]),
                "version": .array([.object(["type": .object(["text": "firmware"]), "value": .string(m.firmwareVersion)])]),
            ])
        }

        var cartridges: [CartridgeIdentity] = d.cartridges.map(\.cartridge)
        for pass in d.passes where !cartridges.contains(pass.cartridge) { cartridges.append(pass.cartridge) }
        func cartridgeName(_ c: CartridgeIdentity) -> String { "cartridge|\(c.uid)" }
        for c in cartridges {
            add(cartridgeName(c), [
                "resourceType": "Device",
                "identifier": .array([identifier("urn:stipple:cartridge-uid", String(c.uid))]),
                "lotNumber": .string(c.lot),
                "deviceName": .array([.object(["name": .string(c.typeName), "type": "model-name"])]),
                "type": .object(["text": .string(c.singleUse ? "Needle cartridge (single use)" : "Needle cartridge")]),
            ])
        }

        for pg in d.pigments {
            add("pigment|\(pg.rowID)", [
                "resourceType": "Substance",
                "identifier": .array([identifier("urn:stipple:pigment-batch", pg.batch)]),
                "status": "active",
                "code": .object(["text": .string("\(pg.brand) \(pg.name)")]),
                "description": .string("Pigment \(pg.brand) \(pg.name), batch \(pg.batch), lot \(pg.lot), expiry \(pg.expiry), "
                    + "dilution \(pg.dilution.description) part(s) diluent per part pigment"),
                "instance": .array([.object(["identifier": identifier("urn:stipple:pigment-lot", pg.lot), "expiry": .string(pg.expiry)])]),
            ])
        }

        for pass in d.passes {
            let procName = "procedure|\(pass.ordinal)"
            let stopped = isStopped(pass)
            let period: CanonicalJSON = .object(["start": .string(pass.startedAt.iso8601), "end": .string(pass.endedAt.iso8601)])
            var used: [CanonicalJSON] = [reference(url(machineName(pass.machine)))]
            if let pg = pass.pigmentRowID, d.pigments.contains(where: { $0.rowID == pg }) { used.append(reference(url("pigment|\(pg)"))) }
            var proc: [String: CanonicalJSON] = [
                "resourceType": "Procedure",
                "identifier": .array([identifier("urn:stipple:zone-pass", "session-\(d.summary.id)-pass-\(pass.ordinal)")]),
                "status": .string(stopped ? "stopped" : "completed"),
                "code": .object(["text": "Scalp micropigmentation zone pass"]),
                "subject": reference(patient),
                "performedPeriod": period,
                "performer": .array([.object(["actor": reference(practitioner)])]),
                "bodySite": .array([.object(["text": .string(ScalpZoneMap.label(pass.zone))])]),
                "focalDevice": .array([.object(["action": .object(["text": "needle cartridge used"]),
                                                "manipulated": reference(url(cartridgeName(pass.cartridge)))])]),
                "usedReference": .array(used),
                "note": .array([.object(["text": .string(note(pass))])]),
            ]
            if stopped { proc["statusReason"] = .object(["text": .string(pass.stopReason)]) }
            add(procName, proc)

            let common: [String: CanonicalJSON] = [
                "resourceType": "Observation", "status": "final", "subject": reference(patient),
                "partOf": .array([reference(url(procName))]), "device": reference(url(machineName(pass.machine))),
                "effectivePeriod": period,
            ]
            for (key, label, unit, set, stats) in [
                ("stroke-rate", "Needle stroke rate", "Hz", pass.rateSetHertz, pass.rate),
                ("depth", "Needle depth", "mm", pass.depthSetMillimetres, pass.depth),
            ] {
                var setPoint = common
                setPoint["code"] = code("\(key)-set-point", "\(label) set-point")
                setValue(&setPoint, set, unit)
                add("observation|\(pass.ordinal)|\(key)-set-point", setPoint)

                var achieved = common
                achieved["code"] = code("\(key)-achieved", "\(label) achieved")
                if let s = stats, s.mean.isFinite {
                    achieved["valueQuantity"] = quantity(s.mean, unit)
                    var components: [CanonicalJSON] = []
                    for (stat, value) in [("mean", s.mean), ("min", s.min), ("max", s.max), ("p5", s.p5), ("p95", s.p95)] {
                        guard let value, value.isFinite else { continue }
                        components.append(.object(["code": .object(["coding": .array([.object(["system": .string(statisticCodes), "code": .string(stat)])]),
                                                                    "text": .string(stat)]),
                                                   "valueQuantity": quantity(value, unit)]))
                    }
                    achieved["component"] = .array(components)
                } else {
                    achieved["dataAbsentReason"] = .object([
                        "coding": .array([.object(["system": .string(dataAbsent), "code": "unknown"])]),
                        "text": "no telemetry sample of the pass reached the journal",
                    ])
                }
                add("observation|\(pass.ordinal)|\(key)-achieved", achieved)
            }
        }

        return .object([
            "resourceType": "Bundle",
            "id": .string(uuid(seed: seed, name: "bundle")),
            "identifier": identifier("urn:stipple:session", "session-\(d.summary.id)"),
            "type": "collection",
            "timestamp": .string((d.seal?.endedAt ?? d.summary.startedAt).iso8601),
            "entry": .array(entries),
        ])
    }

    /// A pass the needle did not finish normally: stopped by e-stop, fault, lost link or a
    /// removed cartridge, or paused and never resumed.
    static func isStopped(_ p: ZonePassRecord) -> Bool {
        !["pedal-released", "disarmed"].contains(p.stopReason) || p.interruptions.contains { $0.resumedOffsetNanoseconds == nil }
    }

    static func note(_ p: ZonePassRecord) -> String {
        var text = "Stop reason: \(p.stopReason)" + (p.faultCode.map { " (fault code \($0))" } ?? "") + "."
        for i in p.interruptions {
            text += " Interrupted (\(i.reason)) at \(seconds(i.atOffsetNanoseconds)) s"
            text += i.resumedOffsetNanoseconds.map { ", resumed at \(seconds($0)) s." } ?? ", not resumed."
        }
        return text
    }

    static func seconds(_ ns: UInt64) -> String { (Double(ns) / 1e9).description }

    static func identifier(_ system: String, _ value: String) -> CanonicalJSON {
        .object(["system": .string(system), "value": .string(value)])
    }

    static func reference(_ url: String) -> CanonicalJSON { .object(["reference": .string(url)]) }

    static func code(_ code: String, _ display: String) -> CanonicalJSON {
        .object(["coding": .array([.object(["system": .string(observationCodes), "code": .string(code), "display": .string(display)])]),
                 "text": .string(display)])
    }

    /// Only for finite values: FHIR decimals have no infinity or NaN.
    static func quantity(_ value: Double, _ unit: String) -> CanonicalJSON {
        .object(["value": .real(value), "unit": .string(unit), "system": .string(ucum), "code": .string(unit)])
    }

    /// A set-point as valueQuantity, or a data-absent reason for a value FHIR cannot hold (an
    /// edited journal could store an infinity).
    static func setValue(_ observation: inout [String: CanonicalJSON], _ value: Double, _ unit: String) {
        if value.isFinite {
            observation["valueQuantity"] = quantity(value, unit)
        } else {
            observation["dataAbsentReason"] = .object(["coding": .array([.object(["system": .string(dataAbsent), "code": "error"])]),
                                                       "text": .string("the journal holds \(value)")])
        }
    }

    /// A name-based UUID: the first 16 bytes of SHA-256(seed | name) with the RFC 9562
    /// version-8 and variant bits set.
    static func uuid(seed: String, name: String) -> String {
        var b = Array(SHA256.hash(data: Array("\(seed)|\(name)".utf8)).prefix(16))
        b[6] = (b[6] & 0x0F) | 0x80
        b[8] = (b[8] & 0x3F) | 0x80
        let h = Hex.encode(b)
        let c = Array(h)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }
}
