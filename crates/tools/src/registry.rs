//! The set of tools a session offers the model.

use std::collections::BTreeMap;

use crate::tools::{
    CreateChart, CreateDocument, CreatePresentation, CreateSpreadsheet, DeletePath, DocumentReader,
    EditFile, ExtractTables, ListDir, MakeDir, MovePath, Organize, QueryData, ReadDocument,
    ReadFile, SearchFiles, UpdatePlan, WriteFile,
};
use crate::{ReaderRegistry, Tool, ToolSpec};

/// Tools by name, plus the readers read_file uses.
pub struct Registry {
    tools: BTreeMap<String, Box<dyn Tool>>,
    readers: ReaderRegistry,
}

impl Registry {
    /// A registry without tools and with the text reader.
    pub fn empty() -> Registry {
        Registry {
            tools: BTreeMap::new(),
            readers: ReaderRegistry::default(),
        }
    }

    /// All built-in tools (DESIGN.md §12) and `update_plan`.
    pub fn builtin() -> Registry {
        let mut registry = Registry::empty();
        // read_file reads office documents, mail, calendars and HTML through the document engine.
        registry.readers.register(Box::new(DocumentReader));
        let readers = registry.readers.clone();
        let tools: Vec<Box<dyn Tool>> = vec![
            Box::new(ListDir),
            Box::new(ReadFile::new(readers)),
            Box::new(SearchFiles),
            Box::new(WriteFile),
            Box::new(EditFile),
            Box::new(MovePath),
            Box::new(MakeDir),
            Box::new(DeletePath),
            Box::new(Organize),
            Box::new(UpdatePlan),
            Box::new(ReadDocument),
            Box::new(QueryData),
            Box::new(CreateSpreadsheet::default()),
            Box::new(CreateDocument::default()),
            Box::new(CreatePresentation::default()),
            Box::new(CreateChart::default()),
            Box::new(ExtractTables),
        ];
        for tool in tools {
            registry.register(tool);
        }
        registry
    }

    pub fn get(&self, name: &str) -> Option<&dyn Tool> {
        self.tools.get(name).map(|t| t.as_ref())
    }

    /// Specs of every tool, sorted by name.
    pub fn specs(&self) -> Vec<ToolSpec> {
        // BTreeMap iterates in key order, and keys are the spec names.
        self.tools.values().map(|t| t.spec()).collect()
    }

    /// Add a tool; one with the same name is replaced.
    pub fn register(&mut self, tool: Box<dyn Tool>) {
        self.tools.insert(tool.spec().name.to_string(), tool);
    }

    /// Names of the registered tools, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.tools.keys().map(String::as_str).collect()
    }

    pub fn readers(&self) -> &ReaderRegistry {
        &self.readers
    }

    /// Register readers here (the document engine does); read_file uses them at once.
    pub fn readers_mut(&mut self) -> &mut ReaderRegistry {
        &mut self.readers
    }
}

impl Default for Registry {
    fn default() -> Self {
        Registry::builtin()
    }
}
