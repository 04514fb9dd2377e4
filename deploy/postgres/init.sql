-- One database per service; each service creates its own tables (migrations at start).
CREATE DATABASE catalog;
CREATE DATABASE matching;
CREATE DATABASE notifications;
