import Testing
import StippleControl

@Suite struct MachineStateTests {
    @Test func eStopIsReachableFromEveryState() {
        for s in MachineState.allCases where s != .eStopped {
            #expect(s.canTransition(to: .eStopped), "\(s) must be able to e-stop")
        }
    }

    @Test func eStopAndFaultLeaveOnlyThroughResetToIdle() {
        #expect(MachineState.allowedTransitions[.eStopped] == [.idle])
        for s in MachineState.allCases where s != .idle && s != .eStopped {
            #expect(!MachineState.fault.canTransition(to: s), "fault must not go straight to \(s)")
        }
    }

    @Test func needlingStartsOnlyFromArmed() {
        for s in MachineState.allCases where s.canTransition(to: .running) {
            #expect(s == .armed || s == .paused, "\(s) must not start the needle")
        }
        #expect(!MachineState.idle.canTransition(to: .running))
    }

    @Test func settingsAreLockedWhileTheNeedleIsEngaged() {
        #expect(!MachineState.running.allowsSettingsChange)
        #expect(!MachineState.paused.allowsSettingsChange)
        #expect(MachineState.idle.allowsSettingsChange)
        #expect(MachineState.armed.allowsSettingsChange)
    }

    @Test func noStateTransitionsToItself() {
        for s in MachineState.allCases { #expect(!s.canTransition(to: s)) }
    }
}
