-- besponsa-desktop: the roles of a ward database (PostgreSQL 15 or later).
--
-- Run as a superuser (or a role with CREATEROLE that owns the database), connected to the
-- ward database, after creating it:
--     createdb besponsa
--     psql -v ON_ERROR_STOP=1 -d besponsa -f roles.sql
-- (`besponsa-desktop db roles` prints this file.) Safe to run again.
--
-- besponsa_owner  owns the database and its tables; only schema upgrades
--                 (`besponsa-desktop db init` / `db upgrade`) act as it.
-- besponsa_app    pharmacists and nurses: read courses, append events. It cannot update,
--                 delete or truncate the event log (no privilege, and triggers refuse it).
-- besponsa_read   read only: audit, reporting.
-- People log in with roles of their own, members of one group:
--     CREATE ROLE jsmith LOGIN PASSWORD '...' IN ROLE besponsa_app;
-- Every change is recorded under the name of the role that logged in (session_user).

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'besponsa_owner') THEN
        CREATE ROLE besponsa_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'besponsa_app') THEN
        CREATE ROLE besponsa_app NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'besponsa_read') THEN
        CREATE ROLE besponsa_read NOLOGIN;
    END IF;
    EXECUTE format('ALTER DATABASE %I OWNER TO besponsa_owner', current_database());
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO besponsa_app, besponsa_read',
                   current_database());
END
$$;

ALTER SCHEMA public OWNER TO besponsa_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO besponsa_app, besponsa_read;

-- Tables created later by the owner (schema upgrades) are readable by both groups.
ALTER DEFAULT PRIVILEGES FOR ROLE besponsa_owner IN SCHEMA public
    GRANT SELECT ON TABLES TO besponsa_app, besponsa_read;

-- When the schema exists already: the same privileges the schema revisions grant.
DO $$
BEGIN
    IF to_regclass('public.events') IS NOT NULL THEN
        GRANT SELECT ON ALL TABLES IN SCHEMA public TO besponsa_app, besponsa_read;
        GRANT INSERT ON patients, courses, events TO besponsa_app;
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO besponsa_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON events FROM besponsa_app, besponsa_read, PUBLIC;
    END IF;
END
$$;
