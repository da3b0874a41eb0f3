"""The course store: a repository of patients' courses, each an append-only, hash-chained
log of events, on SQLAlchemy Core (SQLite, the embedded default; engine specifics in
``dialect``). It holds no clinical rule: the application replays the events through the
core. Never Qt, the window or printing.

    store = repository.open_store(path)     # opens, migrates (WAL, 0600)
    store.load(mrn) -> StoredCourse | None   # patient + events, oldest first
    store.append(patient, expected_version, [event, ...])   # ConflictError if stale
    store.find_patients(text); store.verify(); store.chain_contains(head)
"""
