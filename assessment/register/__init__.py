"""The register of the documents the course cites: their status, kept in book/references.bib."""
