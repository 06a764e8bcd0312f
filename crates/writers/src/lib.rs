//! Writers for deliverables: xlsx with live formulas and native charts, docx from Markdown, pptx decks, PNG/SVG charts
