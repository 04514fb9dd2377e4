-- One database per service; each service creates its own tables (migrations at start).
CREATE DATABASE catalog;
CREATE DATABASE matching;
CREATE DATABASE notifications;
-- The web app's sessions. This script runs only on an empty data directory: a volume made
-- before the web app needs `CREATE DATABASE web;` once by hand.
CREATE DATABASE web;
