"""The course store: patients' courses, the administration record and the audit trail, in
an embedded SQLite database. Imports the core only; never Qt, the window or printing.

    conn = database.connect(path)          # opens, migrates (WAL, 0600)
    courses.save_plan(conn, plan, signed_by=..., expected_version=...)
    courses.history(conn, mrn); courses.next_cycle_request(conn, mrn)
    courses.record_dose(...); courses.reschedule_options(...)
    double_check.record_check(...); double_check.status(conn, plan_id)
    exchange.export_course(...); exchange.import_course(...)
    audit.verify(conn)
"""
