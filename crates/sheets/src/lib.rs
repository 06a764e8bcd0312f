//! Spreadsheet reader (xlsx, xls, ods): every sheet as a table with values as displayed, formulas, merged cells, ranges
