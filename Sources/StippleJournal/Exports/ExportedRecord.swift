import GRDB

/// One ledger entry as a session export carries it: the entry, and the row's stored values
/// (in `JournalTable.columns` order, `id` first) when the row belongs to the export. Entries of
/// other sessions' rows that sit inside the session's stretch of the chain carry no values.
struct ExportedRecord {
    var entry: LedgerEntry
    var values: [DatabaseValue]?
}
