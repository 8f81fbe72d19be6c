"""The store's queries, by concern. Services decide who may see what (:mod:`pathways.services.access`
gives the conditions) and what the rows mean; the SQL that fetches them lives here. Every query is
set-based: a page or a night asks a few questions of the database, never one per row."""
