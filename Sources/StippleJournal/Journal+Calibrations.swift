import GRDB

extension Journal {
    /// Every calibration journaled, newest first; only those of machines with `serial` (as the
    /// machine identified itself, hex) and/or `model` when given.
    public func calibrations(serial: String? = nil, model: String? = nil) throws(JournalError) -> [CalibrationRecord] {
        try read("read calibrations") { db in
            var sql = """
                SELECT c.*, o.operator_ref FROM calibrations c JOIN operators o ON o.id = c.operator_id
                JOIN machines m ON m.id = c.machine_id WHERE 1 = 1
                """
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let serial {
                sql += " AND m.serial = ?"
                arguments.append(serial)
            }
            if let model {
                sql += " AND m.model = ?"
                arguments.append(model)
            }
            sql += " ORDER BY c.performed_utc DESC, c.id DESC"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { r in
                CalibrationRecord(rowID: r["id"], ref: r["calibration_ref"], machine: try Journal.machine(db, id: r["machine_id"]),
                                  performedAt: Journal.time(r["performed_utc"]), operatorRef: r["operator_ref"],
                                  expiresAt: Journal.time(r["expires_utc"]), payload: r["payload"])
            }
        }
    }
}
