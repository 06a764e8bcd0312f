//! `cowork config show`: every effective value with the layer it came from.

use std::fmt::Display;

use crate::merge::{EffectiveConfig, Sourced};

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn toml_list<T: Display>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| quoted(&i.to_string())).collect();
    format!("[{}]", items.join(", "))
}

fn row<T>(key: &str, value: String, s: &Sourced<T>) -> (String, String, String) {
    (key.to_string(), value, s.source())
}

impl EffectiveConfig {
    /// (key such as `approval.mode`, value as TOML, "layer (origin)") for every key. Unset
    /// optional values are shown as a TOML comment saying what their absence means.
    pub fn show(&self) -> Vec<(String, String, String)> {
        let mut rows = vec![
            row(
                "limits.max_actions_per_task",
                self.max_actions_per_task.value.to_string(),
                &self.max_actions_per_task,
            ),
            row(
                "limits.timeout_minutes",
                self.timeout_minutes.value.to_string(),
                &self.timeout_minutes,
            ),
            row(
                "limits.max_file_size_mb",
                self.max_file_size_mb.value.to_string(),
                &self.max_file_size_mb,
            ),
            row(
                "limits.max_written_mb_per_task",
                self.max_written_mb_per_task.value.to_string(),
                &self.max_written_mb_per_task,
            ),
            row(
                "files.allowed_file_types",
                match &self.allowed_file_types.value {
                    Some(types) => toml_list(types),
                    None => "# not set: any file type".to_string(),
                },
                &self.allowed_file_types,
            ),
            row(
                "files.restricted_folders",
                toml_list(&self.restricted_folders.value),
                &self.restricted_folders,
            ),
            row(
                "approval.mode",
                quoted(self.mode.value.as_str()),
                &self.mode,
            ),
            row(
                "approval.require_approval",
                toml_list(&self.require_approval.value),
                &self.require_approval,
            ),
            row(
                "approval.auto_approve",
                toml_list(&self.auto_approve.value),
                &self.auto_approve,
            ),
        ];
        if self.allowed_domain_lists.is_empty() {
            rows.push(row(
                "network.allowed_domains",
                "# not set: any destination".to_string(),
                &self.allowed_domains,
            ));
        }
        // Every layer's list applies, so each gets its own row.
        for l in &self.allowed_domain_lists {
            rows.push(row("network.allowed_domains", toml_list(&l.value), l));
        }
        rows.extend([
            row(
                "privacy.local_processing_only",
                self.local_processing_only.value.to_string(),
                &self.local_processing_only,
            ),
            row(
                "privacy.data_residency",
                self.data_residency
                    .value
                    .as_deref()
                    .map_or("# not set".to_string(), quoted),
                &self.data_residency,
            ),
            row(
                "audit.enabled",
                self.audit_enabled.value.to_string(),
                &self.audit_enabled,
            ),
            row(
                "audit.path",
                self.audit_path
                    .value
                    .as_ref()
                    .map_or("# not set: $XDG_DATA_HOME/cowork/audit".to_string(), |p| {
                        quoted(&p.display().to_string())
                    }),
                &self.audit_path,
            ),
            row(
                "audit.include_content",
                self.audit_include_content.value.to_string(),
                &self.audit_include_content,
            ),
            row(
                "audit.retention_days",
                self.audit_retention_days.value.to_string(),
                &self.audit_retention_days,
            ),
        ]);
        for (path, _) in &self.cedar_files {
            rows.push((
                "cedar.policies".to_string(),
                quoted(&path.display().to_string()),
                "organization".to_string(),
            ));
        }
        rows
    }
}
