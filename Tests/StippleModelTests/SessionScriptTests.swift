import Foundation
import Testing
@testable import StippleModel

@Suite struct SessionScriptTests {
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/demo-session.toml").path

    @Test func theDemoScriptParses() throws {
        let text = try ConfigFile.read(path: Self.demo).get()
        let script = try SessionScript.decode(text: text, file: Self.demo).get()
        #expect(script.steps.first?.action == .select(zone: .frontalHairline, profile: "frontal-hairline-soft", cartridge: "1RL-0.20", cartridgeID: 7001))
        #expect(script.steps.contains { $0.action == .estopPress })
        #expect(script.durationMilliseconds == 22500)
    }

    @Test(arguments: [
        ("[[step]]\nat_ms = 0\naction = \"jump\"\n", "step[0].action", "is not a known action"),
        ("[[step]]\nat_ms = 10\naction = \"arm\"\n[[step]]\nat_ms = 5\naction = \"arm\"\n", "step[1].at_ms", "is earlier than the step before"),
        ("[[step]]\nat_ms = 0\naction = \"select\"\nzone = \"nape\"\nprofile = \"x\"\n", "step[0].zone", "is not a known zone"),
        ("[[step]]\nat_ms = 0\naction = \"fault\"\nfault = \"fire\"\n", "step[0].fault", "is not a fault the simulator can inject"),
        ("[[step]]\nat_ms = 0\naction = \"arm\"\nspeed = 3\n", "step[0].speed", "is not a known key"),
        ("[[step]]\naction = \"arm\"\n", "step[0].at_ms", "is required but missing"),
        ("[[step]]\nat_ms = 0\naction = \"link-loss\"\nrate = 2.0\n", "step[0].rate", "is outside the allowed range"),
        ("title = \"x\"\n", "step", "is required but missing"),
    ])
    func badScriptsAreRefusedNamingTheStep(text: String, key: String, problem: String) {
        guard case .failure(let e) = SessionScript.decode(text: text, file: "s.toml") else {
            Issue.record("accepted: \(text)")
            return
        }
        #expect(e.issues.contains { $0.key == key && $0.problem.contains(problem) }, "\(e)")
    }
}
