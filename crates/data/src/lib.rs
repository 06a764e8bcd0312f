//! Read-only SQL over workspace data files (CSV/TSV/XLSX/JSON) in an embedded SQLite engine
