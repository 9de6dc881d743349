import GRDB

/// Direct SQL on a journal file, as someone tampering with it (or a test checking it) would.
enum RawSQL {
    static func execute(_ path: String, _ sql: String) throws {
        // A tamperer is not held to the foreign keys.
        var config = Configuration()
        config.foreignKeysEnabled = false
        let q = try DatabaseQueue(path: path, configuration: config)
        try q.writeWithoutTransaction { db in try db.execute(sql: sql) }
        try q.close()
    }

    static func int(_ path: String, _ sql: String) throws -> Int {
        let q = try DatabaseQueue(path: path)
        defer { try? q.close() }
        return try q.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    static func strings(_ path: String, _ sql: String) throws -> [String] {
        let q = try DatabaseQueue(path: path)
        defer { try? q.close() }
        return try q.read { db in try String.fetchAll(db, sql: sql) }
    }
}
