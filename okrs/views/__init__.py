"""OKR pages, one module per subject: objectives, key results, alignment, the alignment tree, the
team view, cycles, the adoption report, CSV import and export. Routes: okrs/urls.py."""
