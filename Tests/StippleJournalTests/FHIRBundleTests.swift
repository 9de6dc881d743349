import Foundation
@testable import StippleJournal
import Testing

/// The FHIR export is valid R4 (by the test validator) and says what the journal says.
@Suite struct FHIRBundleTests {
    private func bundle(_ f: ExportFixture, redaction: ExportRedaction = .off) throws -> (String, [String: Any]) {
        let text = FHIRBundle.render(try f.journal.session(id: f.sessionID), redaction: redaction)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return (text, obj)
    }

    private func resources(_ b: [String: Any], _ type: String) -> [[String: Any]] {
        (b["entry"] as? [[String: Any]] ?? []).compactMap { $0["resource"] as? [String: Any] }.filter { $0["resourceType"] as? String == type }
    }

    /// The resource a reference points at.
    private func resolve(_ b: [String: Any], _ ref: Any?) -> [String: Any]? {
        let url = (ref as? [String: Any])?["reference"] as? String
        return (b["entry"] as? [[String: Any]] ?? []).first { $0["fullUrl"] as? String == url }?["resource"] as? [String: Any]
    }

    @Test func theBundleIsValidR4() throws {
        let f = try ExportFixture()
        let (text, _) = try bundle(f)
        #expect(FHIRR4Validator.validate(text) == [])
        let (redacted, _) = try bundle(f, redaction: .pseudonymous)
        #expect(FHIRR4Validator.validate(redacted) == [])
    }

    @Test func theBundleHoldsThePatientPassesDevicesPigmentsAndObservations() throws {
        let f = try ExportFixture()
        let (_, b) = try bundle(f)
        #expect(b["type"] as? String == "collection")
        let patient = try #require(resources(b, "Patient").first)
        #expect(((patient["identifier"] as? [[String: Any]])?.first?["value"]) as? String == "c-001")
        #expect(patient["birthDate"] as? String == "1988-02-29")
        #expect(((patient["name"] as? [[String: Any]])?.first?["text"]) as? String == "Ana Client")

        let procedures = resources(b, "Procedure")
        #expect(procedures.map { $0["status"] as? String } == ["completed", "completed", "stopped"])
        #expect(procedures.map { (($0["bodySite"] as? [[String: Any]])?.first?["text"]) as? String } == ["Frontal hairline", "Frontal hairline", "Crown"])
        let stopped = procedures[2]
        #expect(((stopped["note"] as? [[String: Any]])?.first?["text"] as? String)?.contains("Stop reason: e-stop") == true)
        #expect(((stopped["note"] as? [[String: Any]])?.first?["text"] as? String)?.contains("not resumed") == true)
        #expect((stopped["statusReason"] as? [String: Any])?["text"] as? String == "e-stop")
        let period = try #require(procedures[0]["performedPeriod"] as? [String: Any])
        #expect(period["start"] as? String == "2026-11-20T09:00:01.000000Z")
        #expect(resolve(b, procedures[0]["subject"])?["resourceType"] as? String == "Patient")
        let performer = resolve(b, ((procedures[0]["performer"] as? [[String: Any]])?.first)?["actor"])
        #expect(((performer?["identifier"] as? [[String: Any]])?.first?["value"]) as? String == "op-ana")
        let cartridge = try #require(resolve(b, ((procedures[0]["focalDevice"] as? [[String: Any]])?.first)?["manipulated"]))
        #expect(cartridge["lotNumber"] as? String == "L2611")
        #expect(((cartridge["identifier"] as? [[String: Any]])?.first?["value"]) as? String == "9000001")

        let machine = try #require(resources(b, "Device").first { $0["serialNumber"] != nil })
        #expect(machine["serialNumber"] as? String == "R1-0042")
        #expect(((machine["version"] as? [[String: Any]])?.first?["value"]) as? String == "1.4.2")

        let pigment = try #require(resources(b, "Substance").first)
        let instance = try #require((pigment["instance"] as? [[String: Any]])?.first)
        #expect((instance["identifier"] as? [String: Any])?["value"] as? String == "LOT-77")
        #expect(instance["expiry"] as? String == "2027-03-31")

        let observations = resources(b, "Observation")
        #expect(observations.count == 12)
        func obs(_ code: String, pass: Int) -> [String: Any]? {
            observations.filter { o in
                (((o["code"] as? [String: Any])?["coding"] as? [[String: Any]])?.first?["code"] as? String) == code
            }.first { resolve(b, ($0["partOf"] as? [Any])?.first).map { NSDictionary(dictionary: $0).isEqual(to: procedures[pass]) } == true }
        }
        let rateSet = try #require(obs("stroke-rate-set-point", pass: 2))
        #expect((rateSet["valueQuantity"] as? [String: Any])?["value"] as? Double == 110)
        #expect((rateSet["valueQuantity"] as? [String: Any])?["code"] as? String == "Hz")
        let depth = try #require(obs("depth-achieved", pass: 0))
        let q = try #require(depth["valueQuantity"] as? [String: Any])
        #expect(q["code"] as? String == "mm" && q["system"] as? String == "http://unitsofmeasure.org")
        let components = try #require(depth["component"] as? [[String: Any]])
        #expect(components.compactMap { ($0["code"] as? [String: Any])?["text"] as? String } == ["mean", "min", "max", "p5", "p95"])
        let detail = try f.journal.session(id: f.sessionID)
        #expect((components[3]["valueQuantity"] as? [String: Any])?["value"] as? Double == detail.passes[0].depth?.p5)
    }

    @Test func theSameSessionGivesTheSameBundle() throws {
        let f = try ExportFixture()
        #expect(try bundle(f).0 == (try bundle(f).0))
    }

    @Test func aRedactedBundleHasThePseudonymInsteadOfNameAndNoBirthDate() throws {
        let f = try ExportFixture()
        let (text, b) = try bundle(f, redaction: .pseudonymous)
        #expect(!text.contains("Ana Client") && !text.contains("1988-02-29") && !text.contains("\"Ana\""))
        let patient = try #require(resources(b, "Patient").first)
        #expect(patient["birthDate"] == nil)
        #expect(((patient["name"] as? [[String: Any]])?.first?["text"]) as? String == "c-001")
    }

    // MARK: - The validator rejects what R4 forbids

    /// The fixture's bundle with `edit` applied to the first resource of `type`.
    private func invalid(_ type: String, _ edit: (inout [String: Any]) -> Void) throws -> [String] {
        let f = try ExportFixture()
        var (_, b) = try bundle(f)
        var entries = try #require(b["entry"] as? [[String: Any]])
        let i = try #require(entries.firstIndex { ($0["resource"] as? [String: Any])?["resourceType"] as? String == type })
        var r = try #require(entries[i]["resource"] as? [String: Any])
        edit(&r)
        entries[i]["resource"] = r
        b["entry"] = entries
        let data = try JSONSerialization.data(withJSONObject: b)
        return FHIRR4Validator.validate(String(decoding: data, as: UTF8.self))
    }

    @Test func theValidatorRejectsAProcedureWithoutStatus() throws {
        let issues = try invalid("Procedure") { $0["status"] = nil }
        #expect(issues.contains { $0.hasSuffix(".status: required (1..1)") })
    }

    @Test func theValidatorRejectsAReferenceOutsideTheBundle() throws {
        let issues = try invalid("Procedure") { $0["subject"] = ["reference": "urn:uuid:00000000-0000-4000-8000-000000000000"] }
        #expect(issues.contains { $0.contains("does not resolve within the bundle") })
    }

    @Test func theValidatorRejectsAReferenceToTheWrongType() throws {
        let issues = try invalid("Observation") { o in o["subject"] = o["partOf"].flatMap { ($0 as? [Any])?.first } }
        #expect(issues.contains { $0.contains(".subject: targets a Procedure") })
    }

    @Test func theValidatorRejectsABadDateTimeAndAnUnknownElement() throws {
        let issues = try invalid("Procedure") {
            $0["performedPeriod"] = ["start": "2026-11-20 09:00", "end": "2026-11-20T09:00:01Z"]
            $0["zone"] = "crown"
        }
        #expect(issues.contains { $0.hasSuffix("performedPeriod.start: not a dateTime") })
        #expect(issues.contains { $0.hasSuffix(".zone: unknown element for Procedure") })
    }

    @Test func theValidatorRejectsANonUCUMUnitAndAValueWithADataAbsentReason() throws {
        let issues = try invalid("Observation") {
            $0["valueQuantity"] = ["value": 1.0, "unit": "hz", "system": "http://unitsofmeasure.org", "code": "hz"]
            $0["dataAbsentReason"] = ["text": "none"]
        }
        #expect(issues.contains { $0.contains("not a UCUM code") })
        #expect(issues.contains { $0.contains("obs-6") })
    }

    @Test func theValidatorRejectsAnObservationWithoutCodeAndAnEmptyString() throws {
        let issues = try invalid("Observation") {
            $0["code"] = nil
            $0["status"] = ""
        }
        #expect(issues.contains { $0.hasSuffix(".code: required (1..1)") })
        #expect(issues.contains { $0.contains("empty or blank string") })
    }

    @Test func theValidatorRejectsABadBundleTypeAndDuplicateFullUrls() throws {
        let f = try ExportFixture()
        var (_, b) = try bundle(f)
        b["type"] = "bag"
        var entries = try #require(b["entry"] as? [[String: Any]])
        entries[1]["fullUrl"] = entries[0]["fullUrl"]
        b["entry"] = entries
        let issues = FHIRR4Validator.validate(String(decoding: try JSONSerialization.data(withJSONObject: b), as: UTF8.self))
        #expect(issues.contains { $0.hasPrefix("Bundle.type: bag not in") })
        #expect(issues.contains { $0.contains("bdl-7") })
    }
}
