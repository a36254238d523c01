-- Runs once, as the postgres superuser, when the db service's data volume is first
-- initialised (docker-entrypoint-initdb.d); it is not re-run on an existing volume.
--
-- Creates the role the application connects as. It must never be a superuser nor
-- have BYPASSRLS: Ascent isolates tenants with PostgreSQL row-level security, and
-- both of those attributes would silently switch it off. CREATEDB lets Django's test
-- runner create its test database.
--
-- The password comes from the ASCENT_DB_PASSWORD environment variable of the db
-- container (docker-compose.yml passes the same value the app uses in DATABASE_URL);
-- psql's \getenv (PostgreSQL 15+) reads it, and :'var' quotes it as a literal.

\set ON_ERROR_STOP on
\getenv ascent_db_password ASCENT_DB_PASSWORD
\if :{?ascent_db_password}
\else
  \warn 'ASCENT_DB_PASSWORD is not set in the db container; refusing to create ascent_app without a password'
  SELECT 1/0 AS ascent_db_password_missing;
\endif

CREATE ROLE ascent_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE CREATEDB
    PASSWORD :'ascent_db_password';

CREATE DATABASE ascent OWNER ascent_app ENCODING 'UTF8' TEMPLATE template0;

-- The public schema of a new database belongs to pg_database_owner (PostgreSQL 15+),
-- i.e. to ascent_app here, so the app can create its tables without further grants.
-- Nobody else may connect to it.
REVOKE ALL ON DATABASE ascent FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE ascent TO ascent_app;
