import Foundation

/// A structural validator for the FHIR R4 JSON the exports write, from the R4 specification
/// (hl7.org/fhir/R4: json.html, datatypes.html, bundle.html, patient.html, practitioner.html,
/// device.html, substance.html, procedure.html, observation.html) for the resources and
/// elements Stipple uses. It checks:
/// - JSON rules: no nulls, no empty arrays or objects, no empty or blank strings;
/// - per resource type, that every element is one R4 defines (unknown elements are errors);
/// - required elements and cardinalities used here (Bundle.type, entry.fullUrl and resource,
///   Procedure.status/subject, Observation.status/code, Substance.code, Device.deviceName.name/type,
///   Device.version.value, focalDevice.manipulated, performer.actor, component.code,
///   Annotation.text);
/// - required value sets (Bundle.type, Procedure.status, Observation.status, Substance.status,
///   Device.deviceName.type, data-absent-reason codes);
/// - primitive formats (id, uri, dateTime, date, instant, decimal, urn:uuid fullUrl);
/// - Quantity: UCUM system with a code from the units used, qty-3 (code needs system);
/// - invariants bdl-7 (unique fullUrl), obs-6, obs-7, per-1 (start <= end);
/// - every Reference resolves to a fullUrl in the bundle and targets an allowed type.
/// It is not the HL7 validator: no terminology server, no profiles, no extensions.
struct FHIRR4Validator {
    private(set) var issues: [String] = []
    private var fullUrls: [String: String] = [:]

    static func validate(_ text: String) -> [String] {
        var v = FHIRR4Validator()
        guard let data = text.data(using: .utf8), let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return ["$: not a JSON object"]
        }
        v.bundle(root)
        return v.issues
    }

    // MARK: - Element sets (R4)

    static let common = ["resourceType", "id", "meta", "implicitRules", "language", "text", "contained", "extension", "modifierExtension"]
    static let elements: [String: Set<String>] = [
        "Patient": Set(common + ["identifier", "active", "name", "telecom", "gender", "birthDate", "deceasedBoolean", "deceasedDateTime",
                                 "address", "maritalStatus", "multipleBirthBoolean", "multipleBirthInteger", "photo", "contact",
                                 "communication", "generalPractitioner", "managingOrganization", "link"]),
        "Practitioner": Set(common + ["identifier", "active", "name", "telecom", "address", "gender", "birthDate", "photo",
                                      "qualification", "communication"]),
        "Device": Set(common + ["identifier", "definition", "udiCarrier", "status", "statusReason", "distinctIdentifier", "manufacturer",
                                "manufactureDate", "expirationDate", "lotNumber", "serialNumber", "deviceName", "modelNumber",
                                "partNumber", "type", "specialization", "version", "property", "patient", "owner", "contact",
                                "location", "url", "note", "safety", "parent"]),
        "Substance": Set(common + ["identifier", "status", "category", "code", "description", "instance", "ingredient"]),
        "Procedure": Set(common + ["identifier", "instantiatesCanonical", "instantiatesUri", "basedOn", "partOf", "status", "statusReason",
                                   "category", "code", "subject", "encounter", "performedDateTime", "performedPeriod", "performedString",
                                   "performedAge", "performedRange", "recorder", "asserter", "performer", "location", "reasonCode",
                                   "reasonReference", "bodySite", "outcome", "report", "complication", "complicationDetail",
                                   "followUp", "note", "focalDevice", "usedReference", "usedCode"]),
        "Observation": Set(common + ["identifier", "basedOn", "partOf", "status", "category", "code", "subject", "focus", "encounter",
                                     "effectiveDateTime", "effectivePeriod", "effectiveTiming", "effectiveInstant", "issued",
                                     "performer", "valueQuantity", "valueCodeableConcept", "valueString", "valueBoolean",
                                     "valueInteger", "valueRange", "valueRatio", "valueSampledData", "valueTime", "valueDateTime",
                                     "valuePeriod", "dataAbsentReason", "interpretation", "note", "bodySite", "method", "specimen",
                                     "device", "referenceRange", "hasMember", "derivedFrom", "component"]),
    ]

    static let bundleTypes: Set = ["document", "message", "transaction", "transaction-response", "batch", "batch-response", "history",
                                   "searchset", "collection"]
    static let procedureStatus: Set = ["preparation", "in-progress", "not-done", "on-hold", "stopped", "completed", "entered-in-error", "unknown"]
    static let observationStatus: Set = ["registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"]
    static let deviceNameTypes: Set = ["udi-label-name", "user-friendly-name", "patient-reported-name", "manufacturer-name", "model-name", "other"]
    static let dataAbsentReasons: Set = ["unknown", "asked-unknown", "temp-unknown", "not-asked", "asked-declined", "masked", "not-applicable",
                                         "unsupported", "as-text", "error", "not-a-number", "negative-infinity", "positive-infinity",
                                         "not-performed", "not-permitted"]
    /// The UCUM codes Stipple's observations use (UCUM codes are case-sensitive: `hz` is not hertz).
    static let ucumCodes: Set = ["Hz", "mm"]

    // R4 regular expressions (datatypes.html).
    static let dateTime = #"^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$"#
    static let date = #"^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$"#
    static let instant = #"^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$"#
    static let id = #"^[A-Za-z0-9\-\.]{1,64}$"#
    static let uri = #"^[a-zA-Z][a-zA-Z0-9+.\-]*:\S+$"#
    static let uuidURL = #"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"#

    static func matches(_ s: String, _ pattern: String) -> Bool { s.range(of: pattern, options: .regularExpression) != nil }

    // MARK: - Checks

    private mutating func issue(_ path: String, _ what: String) { issues.append("\(path): \(what)") }

    private mutating func jsonRules(_ value: Any, _ path: String) {
        switch value {
        case is NSNull: issue(path, "null is not allowed in FHIR JSON")
        case let a as [Any]:
            if a.isEmpty { issue(path, "empty array") }
            for (i, x) in a.enumerated() { jsonRules(x, "\(path)[\(i)]") }
        case let o as [String: Any]:
            if o.isEmpty { issue(path, "empty object") }
            for (k, x) in o { jsonRules(x, "\(path).\(k)") }
        case let s as String:
            if s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { issue(path, "empty or blank string") }
        default: break
        }
    }

    private mutating func bundle(_ b: [String: Any]) {
        jsonRules(b, "Bundle")
        guard b["resourceType"] as? String == "Bundle" else { return issue("Bundle.resourceType", "not Bundle") }
        let allowed: Set = ["resourceType", "id", "meta", "implicitRules", "language", "identifier", "type", "timestamp", "total", "link",
                            "entry", "signature"]
        for k in b.keys where !allowed.contains(k) { issue("Bundle.\(k)", "unknown element") }
        if let id = b["id"] as? String, !Self.matches(id, Self.id) { issue("Bundle.id", "not an id") }
        guard let type = b["type"] as? String else { return issue("Bundle.type", "required (1..1)") }
        if !Self.bundleTypes.contains(type) { issue("Bundle.type", "\(type) not in the bundle-type value set") }
        if let ts = b["timestamp"] { if let s = ts as? String, Self.matches(s, Self.instant) {} else { issue("Bundle.timestamp", "not an instant") } }
        if b["total"] != nil, type != "searchset" { issue("Bundle.total", "bdl-1: total only in a searchset") }
        if let ident = b["identifier"] { identifier(ident, "Bundle.identifier") }
        guard let entries = b["entry"] as? [[String: Any]] else { return issue("Bundle.entry", "expected an array of objects") }
        // First pass: fullUrls, for references.
        for (i, e) in entries.enumerated() {
            guard let url = e["fullUrl"] as? String else { issue("Bundle.entry[\(i)].fullUrl", "missing"); continue }
            if !Self.matches(url, Self.uuidURL) { issue("Bundle.entry[\(i)].fullUrl", "not a urn:uuid") }
            if fullUrls[url] != nil { issue("Bundle.entry[\(i)].fullUrl", "bdl-7: duplicate fullUrl") }
            fullUrls[url] = (e["resource"] as? [String: Any])?["resourceType"] as? String ?? "?"
        }
        for (i, e) in entries.enumerated() {
            let path = "Bundle.entry[\(i)]"
            for k in e.keys where !["link", "fullUrl", "resource", "search", "request", "response"].contains(k) { issue("\(path).\(k)", "unknown element") }
            if e["request"] != nil, !["batch", "transaction", "history"].contains(type) { issue("\(path).request", "bdl-3: only in batch, transaction or history") }
            guard let r = e["resource"] as? [String: Any] else { issue("\(path).resource", "required for a collection"); continue }
            if let url = e["fullUrl"] as? String, let id = r["id"] as? String, url.hasPrefix("urn:uuid:"), url != "urn:uuid:" + id {
                issue("\(path).resource.id", "does not match its fullUrl")
            }
            resource(r, "\(path).resource")
        }
    }

    private mutating func resource(_ r: [String: Any], _ path: String) {
        guard let type = r["resourceType"] as? String else { return issue("\(path).resourceType", "required") }
        guard let known = Self.elements[type] else { return issue("\(path).resourceType", "\(type) is not a resource type this validator knows") }
        for k in r.keys where !known.contains(k) { issue("\(path).\(k)", "unknown element for \(type)") }
        if let id = r["id"] { if let s = id as? String, Self.matches(s, Self.id) {} else { issue("\(path).id", "not an id") } }
        for (i, x) in (r["identifier"] as? [Any] ?? []).enumerated() { identifier(x, "\(path).identifier[\(i)]") }
        if let x = r["identifier"], !(x is [Any]) { issue("\(path).identifier", "0..* must be an array") }
        switch type {
        case "Patient", "Practitioner":
            for (i, n) in (r["name"] as? [[String: Any]] ?? []).enumerated() {
                for k in n.keys where !["use", "text", "family", "given", "prefix", "suffix", "period"].contains(k) { issue("\(path).name[\(i)].\(k)", "unknown element") }
            }
            if let d = r["birthDate"] { if let s = d as? String, Self.matches(s, Self.date) {} else { issue("\(path).birthDate", "not a date") } }
        case "Device":
            for (i, n) in (r["deviceName"] as? [[String: Any]] ?? []).enumerated() {
                if n["name"] as? String == nil { issue("\(path).deviceName[\(i)].name", "required (1..1)") }
                if let t = n["type"] as? String { if !Self.deviceNameTypes.contains(t) { issue("\(path).deviceName[\(i)].type", "\(t) not in device-nametype") } }
                else { issue("\(path).deviceName[\(i)].type", "required (1..1)") }
            }
            for (i, v) in (r["version"] as? [[String: Any]] ?? []).enumerated() {
                if v["value"] as? String == nil { issue("\(path).version[\(i)].value", "required (1..1)") }
                if let t = v["type"] { codeableConcept(t, "\(path).version[\(i)].type") }
            }
            if let t = r["type"] { codeableConcept(t, "\(path).type") }
            if let d = r["expirationDate"] { dateTime(d, "\(path).expirationDate") }
            for k in ["lotNumber", "serialNumber", "modelNumber"] where r[k] != nil && !(r[k] is String) { issue("\(path).\(k)", "not a string") }
        case "Substance":
            if let c = r["code"] { codeableConcept(c, "\(path).code") } else { issue("\(path).code", "required (1..1)") }
            if let s = r["status"] as? String, !["active", "inactive", "entered-in-error"].contains(s) { issue("\(path).status", "\(s) not in substance-status") }
            for (i, inst) in (r["instance"] as? [[String: Any]] ?? []).enumerated() {
                for k in inst.keys where !["identifier", "expiry", "quantity"].contains(k) { issue("\(path).instance[\(i)].\(k)", "unknown element") }
                if let x = inst["identifier"] { identifier(x, "\(path).instance[\(i)].identifier") }
                if let x = inst["expiry"] { dateTime(x, "\(path).instance[\(i)].expiry") }
            }
        case "Procedure":
            if let s = r["status"] as? String { if !Self.procedureStatus.contains(s) { issue("\(path).status", "\(s) not in event-status") } }
            else { issue("\(path).status", "required (1..1)") }
            if let s = r["subject"] { reference(s, "\(path).subject", ["Patient", "Group"]) } else { issue("\(path).subject", "required (1..1)") }
            for k in ["code", "statusReason"] { if let c = r[k] { codeableConcept(c, "\(path).\(k)") } }
            for (i, b) in (r["bodySite"] as? [Any] ?? []).enumerated() { codeableConcept(b, "\(path).bodySite[\(i)]") }
            if let p = r["performedPeriod"] { period(p, "\(path).performedPeriod") }
            for (i, p) in (r["performer"] as? [[String: Any]] ?? []).enumerated() {
                if let a = p["actor"] { reference(a, "\(path).performer[\(i)].actor", ["Practitioner", "PractitionerRole", "Organization", "Patient", "RelatedPerson", "Device"]) }
                else { issue("\(path).performer[\(i)].actor", "required (1..1)") }
            }
            for (i, f) in (r["focalDevice"] as? [[String: Any]] ?? []).enumerated() {
                if let m = f["manipulated"] { reference(m, "\(path).focalDevice[\(i)].manipulated", ["Device"]) }
                else { issue("\(path).focalDevice[\(i)].manipulated", "required (1..1)") }
                if let a = f["action"] { codeableConcept(a, "\(path).focalDevice[\(i)].action") }
            }
            for (i, u) in (r["usedReference"] as? [Any] ?? []).enumerated() { reference(u, "\(path).usedReference[\(i)]", ["Device", "Medication", "Substance"]) }
            for (i, n) in (r["note"] as? [[String: Any]] ?? []).enumerated() where n["text"] as? String == nil {
                issue("\(path).note[\(i)].text", "required (1..1)")
            }
        case "Observation":
            if let s = r["status"] as? String { if !Self.observationStatus.contains(s) { issue("\(path).status", "\(s) not in observation-status") } }
            else { issue("\(path).status", "required (1..1)") }
            let code = r["code"]
            if let code { codeableConcept(code, "\(path).code") } else { issue("\(path).code", "required (1..1)") }
            if let s = r["subject"] { reference(s, "\(path).subject", ["Patient", "Group", "Device", "Location"]) }
            for (i, p) in (r["partOf"] as? [Any] ?? []).enumerated() {
                reference(p, "\(path).partOf[\(i)]", ["MedicationAdministration", "MedicationDispense", "MedicationStatement", "Procedure", "Immunization", "ImagingStudy"])
            }
            if let d = r["device"] { reference(d, "\(path).device", ["Device", "DeviceMetric"]) }
            if let p = r["effectivePeriod"] { period(p, "\(path).effectivePeriod") }
            let hasValue = r.keys.contains { $0.hasPrefix("value") }
            if hasValue, r["dataAbsentReason"] != nil { issue("\(path)", "obs-6: dataAbsentReason only when there is no value") }
            if let q = r["valueQuantity"] { quantity(q, "\(path).valueQuantity") }
            if let d = r["dataAbsentReason"] { dataAbsent(d, "\(path).dataAbsentReason") }
            for (i, c) in (r["component"] as? [[String: Any]] ?? []).enumerated() {
                let cp = "\(path).component[\(i)]"
                for k in c.keys where !(k == "code" || k.hasPrefix("value") || ["dataAbsentReason", "interpretation", "referenceRange", "extension", "id"].contains(k)) {
                    issue("\(cp).\(k)", "unknown element")
                }
                guard let cc = c["code"] else { issue("\(cp).code", "required (1..1)"); continue }
                codeableConcept(cc, "\(cp).code")
                let cHasValue = c.keys.contains { $0.hasPrefix("value") }
                if cHasValue, c["dataAbsentReason"] != nil { issue(cp, "obs-6: dataAbsentReason only when there is no value") }
                if let q = c["valueQuantity"] { quantity(q, "\(cp).valueQuantity") }
                if hasValue, let code, NSDictionary(dictionary: code as? [String: Any] ?? [:]).isEqual(to: cc as? [String: Any] ?? [:]) {
                    issue(cp, "obs-7: a component with the observation's own code while the observation has a value")
                }
            }
        default: break
        }
    }

    private mutating func identifier(_ x: Any, _ path: String) {
        guard let o = x as? [String: Any] else { return issue(path, "not an Identifier object") }
        for k in o.keys where !["use", "type", "system", "value", "period", "assigner"].contains(k) { issue("\(path).\(k)", "unknown element") }
        if let s = o["system"] { if let s = s as? String, Self.matches(s, Self.uri) {} else { issue("\(path).system", "not a uri") } }
        if let use = o["use"] as? String, !["usual", "official", "temp", "secondary", "old"].contains(use) { issue("\(path).use", "not in identifier-use") }
    }

    private mutating func codeableConcept(_ x: Any, _ path: String) {
        guard let o = x as? [String: Any] else { return issue(path, "not a CodeableConcept object") }
        for k in o.keys where !["coding", "text"].contains(k) { issue("\(path).\(k)", "unknown element") }
        for (i, c) in (o["coding"] as? [[String: Any]] ?? []).enumerated() { coding(c, "\(path).coding[\(i)]") }
    }

    private mutating func coding(_ c: [String: Any], _ path: String) {
        for k in c.keys where !["system", "version", "code", "display", "userSelected"].contains(k) { issue("\(path).\(k)", "unknown element") }
        if let s = c["system"] { if let s = s as? String, Self.matches(s, Self.uri) {} else { issue("\(path).system", "not an absolute uri") } }
        if let code = c["code"] as? String, code != code.trimmingCharacters(in: .whitespaces) || code.isEmpty { issue("\(path).code", "not a code") }
    }

    private mutating func dataAbsent(_ x: Any, _ path: String) {
        codeableConcept(x, path)
        for (i, c) in ((x as? [String: Any])?["coding"] as? [[String: Any]] ?? []).enumerated()
        where c["system"] as? String == "http://terminology.hl7.org/CodeSystem/data-absent-reason" && !Self.dataAbsentReasons.contains(c["code"] as? String ?? "") {
            issue("\(path).coding[\(i)].code", "not a data-absent-reason code")
        }
    }

    private mutating func quantity(_ x: Any, _ path: String) {
        guard let q = x as? [String: Any] else { return issue(path, "not a Quantity object") }
        for k in q.keys where !["value", "comparator", "unit", "system", "code"].contains(k) { issue("\(path).\(k)", "unknown element") }
        if let v = q["value"], v is String || v is [Any] || v is [String: Any] { issue("\(path).value", "not a decimal") }
        if q["code"] != nil, q["system"] == nil { issue(path, "qty-3: a code needs a system") }
        if q["system"] as? String == "http://unitsofmeasure.org", !Self.ucumCodes.contains(q["code"] as? String ?? "") {
            issue("\(path).code", "not a UCUM code Stipple uses (\(q["code"] ?? "none"))")
        }
    }

    private mutating func period(_ x: Any, _ path: String) {
        guard let p = x as? [String: Any] else { return issue(path, "not a Period object") }
        for k in p.keys where !["start", "end"].contains(k) { issue("\(path).\(k)", "unknown element") }
        if let s = p["start"] { dateTime(s, "\(path).start") }
        if let e = p["end"] { dateTime(e, "\(path).end") }
        if let s = p["start"] as? String, let e = p["end"] as? String, s.count == e.count, s > e { issue(path, "per-1: start after end") }
    }

    private mutating func dateTime(_ x: Any, _ path: String) {
        if let s = x as? String, Self.matches(s, Self.dateTime) { return }
        issue(path, "not a dateTime")
    }

    private mutating func reference(_ x: Any, _ path: String, _ targets: Set<String>) {
        guard let o = x as? [String: Any], let ref = o["reference"] as? String else { return issue(path, "not a Reference with a reference") }
        for k in o.keys where !["reference", "type", "identifier", "display"].contains(k) { issue("\(path).\(k)", "unknown element") }
        guard let type = fullUrls[ref] else { return issue(path, "\(ref) does not resolve within the bundle") }
        if !targets.contains(type) { issue(path, "targets a \(type), allowed: \(targets.sorted().joined(separator: ", "))") }
    }
}
