//! Readers for text-based formats: CSV/TSV with encoding detection, EML/MBOX mail, ICS calendars, HTML, Markdown, text and JSON
