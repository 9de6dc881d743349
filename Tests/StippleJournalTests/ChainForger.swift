@testable import StippleJournal
import GRDB

/// Recomputes every ledger hash over the file's current content, as an attacker who knows the
/// (public) canonical encoding would after editing rows.
enum ChainForger {
    static func rehash(_ path: String) throws {
        let q = try DatabaseQueue(path: path)
        try q.write { db in
            var prev = Ledger.genesis
            for row in try Row.fetchAll(db, sql: "SELECT seq, table_name, row_id FROM ledger ORDER BY seq") {
                let seq: Int64 = row["seq"]
                let table = JournalTable(rawValue: row["table_name"])!
                let id: Int64 = row["row_id"]
                let values = try Ledger.values(db, table, rowID: id)!
                let h = Ledger.hash(seq: seq, prev: prev, table: table, rowID: id, values: values)
                try db.execute(sql: "UPDATE ledger SET prev_hash = ?, hash = ? WHERE seq = ?", arguments: [prev, h, seq])
                prev = h
            }
        }
        try q.close()
    }
}
