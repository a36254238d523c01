"""REST API for OKRs under /api/v1/orgs/<org_slug>/: one module per resource (cycles with their
tree and export, objectives, key results, alignments, progress updates); routes in urls.py.

Reads go through okrs.selectors (visibility applied: an objective the caller may not see answers
404 everywhere, and its id in a body is refused like a foreign one); writes go through
okrs.services, whose typed errors become 400 / 403 / 409 in organisations.api.errors.

Key results are a flat resource (``/key-results/?objective=``) rather than nested under their
objective: they have their own ids, which progress updates, scores and alignments to a key result
refer to, and one URL per resource keeps the isolation sweep and clients simple.
"""
