"""Rendering: one content model built from the plan, many outputs (DOCX, Markdown, tables)."""
