"""Renderings of an analysis :class:`~pathway._report._report.Report`: JSON, Markdown,
terminal text (rich when installed) and a self-contained HTML page with inline SVG."""
