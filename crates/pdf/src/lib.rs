//! PDF reader: text in reading order, pages, metadata, form fields and annotations, guarded against parser panics
