"""Curation: the queue of flagged records, curator overrides that always win, and their UIs.

- `fields`: the curatable fields, their types and enums, parsing and showing typed values.
- `store`: the queue (`queue`, `next_in_queue`), one record (`load_record`), and writes
  (`curate`, `curate_many`) into the append-only `core.curation`, with conflict detection.
- `csvio`: export the queue as CSV and import it back, all rows or none.
- `web`: the server-rendered web UI (`litmine curate serve`), stdlib WSGI + Jinja2, offline.
- `cli`: the `curate` click group attached to `litmine`.
"""
