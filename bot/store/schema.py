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
    # 2: the advisors' workspace: a forum topic per case, relays recorded both ways, ratings
    """
    ALTER TABLE cases ADD COLUMN thread_id INTEGER;             -- the case's forum topic
    ALTER TABLE cases ADD COLUMN claimed_by TEXT;               -- advisor's display name
    ALTER TABLE cases ADD COLUMN first_response_at TEXT;
    ALTER TABLE cases ADD COLUMN reminded_at TEXT;              -- last "still waiting" notice
    ALTER TABLE cases ADD COLUMN rating INTEGER;
    ALTER TABLE cases ADD COLUMN comment TEXT;
    CREATE INDEX cases_thread ON cases(thread_id);
    ALTER TABLE case_messages ADD COLUMN source_ref TEXT;       -- chat:message the relay copies from
    ALTER TABLE case_messages ADD COLUMN dest_ref TEXT;         -- chat:message it became, once relayed
    ALTER TABLE case_messages ADD COLUMN reply_to_ref TEXT;     -- the relayed message it answers, if any
    ALTER TABLE case_messages ADD COLUMN relayed INTEGER NOT NULL DEFAULT 1;
    CREATE UNIQUE INDEX case_messages_source ON case_messages(source_ref) WHERE source_ref IS NOT NULL;
    CREATE INDEX case_messages_pending ON case_messages(relayed, id);
    """,
    # 3: the case card's message, so that it can show who claimed the case
    """
    ALTER TABLE cases ADD COLUMN card_message_id INTEGER;
    """,
]
