"""The schema as an ordered list of migrations; ``PRAGMA user_version`` records how many ran.

Never edit a migration that has shipped: append a new one.
"""
MIGRATIONS: list[str] = [
    # 1: people and what the bot needs to answer them well
    """
    CREATE TABLE people (
        person TEXT PRIMARY KEY,          -- channel-scoped id, e.g. tg:12345
        lang TEXT,
        audience TEXT,
        onboarded INTEGER NOT NULL DEFAULT 0,
        pending TEXT,                     -- what the next message answers, e.g. advisor-question
        blocked INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE recent (                 -- the last few questions, for an advisor's case card
        id INTEGER PRIMARY KEY,
        person TEXT NOT NULL REFERENCES people(person) ON DELETE CASCADE,
        text TEXT NOT NULL,
        article TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX recent_person ON recent(person, id);
    CREATE TABLE misses (                 -- questions without a confident answer, no personal data
        id INTEGER PRIMARY KEY,
        text TEXT NOT NULL,
        lang TEXT NOT NULL,
        action TEXT NOT NULL,
        best_article TEXT,
        score REAL,
        day TEXT NOT NULL
    );
    CREATE TABLE feedback (               -- "was this helpful?", no personal data
        id INTEGER PRIMARY KEY,
        article TEXT NOT NULL,
        lang TEXT NOT NULL,
        helpful INTEGER NOT NULL,
        day TEXT NOT NULL
    );
    CREATE TABLE cases (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        person TEXT NOT NULL,
        lang TEXT NOT NULL,
        audience TEXT,
        topic TEXT,
        first_name TEXT,
        status TEXT NOT NULL DEFAULT 'open',   -- open | closed | cancelled
        consent_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        closed_at TEXT
    );
    CREATE INDEX cases_person ON cases(person, status);
    CREATE TABLE case_messages (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        direction TEXT NOT NULL,               -- in (from the person) | out (to the person) | note
        kind TEXT NOT NULL DEFAULT 'text',
        text TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX case_messages_case ON case_messages(case_id, id);
    """,
]
