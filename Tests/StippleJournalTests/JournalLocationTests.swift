import Testing
import StippleJournal

@Suite struct JournalLocationTests {
    @Test func explicitPathWins() throws {
        let p = try JournalLocation.resolve(explicit: "/tmp/j.sqlite", environment: ["STIPPLE_HOME": "/x", "HOME": "/h"])
        #expect(p == "/tmp/j.sqlite")
    }

    @Test func stippleHomeBeatsXDGAndHome() throws {
        let p = try JournalLocation.resolve(explicit: nil, environment: ["STIPPLE_HOME": "/srv/stipple", "XDG_DATA_HOME": "/x", "HOME": "/h"])
        #expect(p == "/srv/stipple/journal.sqlite")
    }

    @Test func defaultsUnderHome() throws {
        #expect(try JournalLocation.resolve(explicit: nil, environment: ["HOME": "/home/ana"]) == "/home/ana/.local/share/stipple/journal.sqlite")
        #expect(try JournalLocation.resolve(explicit: nil, environment: ["XDG_DATA_HOME": "/d", "HOME": "/h"]) == "/d/stipple/journal.sqlite")
    }

    @Test func noLocationIsAnError() {
        #expect(throws: JournalLocation.Problem.noHome) {
            try JournalLocation.resolve(explicit: "", environment: [:])
        }
    }
}
