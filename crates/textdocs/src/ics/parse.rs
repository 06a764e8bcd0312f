//! RFC 5545 content lines: unfolding, `NAME;PARAM=v:value` splitting, BEGIN/END components.

/// Components nested deeper than this are flattened into their parent (a calendar holds
/// events holding alarms: three levels is normal).
pub const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub struct Prop {
    /// Uppercase name.
    pub name: String,
    /// Parameters, names uppercase, values unquoted.
    pub params: Vec<(String, String)>,
    pub value: String,
}

impl Prop {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Component {
    /// Uppercase name: VCALENDAR, VEVENT, VALARM …
    pub name: String,
    pub props: Vec<Prop>,
    pub children: Vec<Component>,
}

impl Component {
    pub fn prop(&self, name: &str) -> Option<&Prop> {
        self.props.iter().find(|p| p.name == name)
    }

    pub fn props<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Prop> + 'a {
        self.props.iter().filter(move |p| p.name == name)
    }

    /// A text property, unescaped.
    pub fn text(&self, name: &str) -> Option<String> {
        self.prop(name)
            .map(|p| unescape(&p.value))
            .filter(|t| !t.trim().is_empty())
    }
}

/// Parse calendar text into its top-level components, plus how many lines were malformed.
pub fn parse(text: &str) -> (Vec<Component>, usize, bool) {
    let mut root = Component::default();
    // Open components: the path of child indexes from the root.
    let mut open: Vec<Component> = Vec::new();
    let mut bad = 0usize;
    let mut capped = false;
    for line in unfold(text) {
        if line.trim().is_empty() {
            continue;
        }
        let Some(prop) = content_line(&line) else {
            bad += 1;
            continue;
        };
        match prop.name.as_str() {
            "BEGIN" => {
                if open.len() >= MAX_DEPTH {
                    capped = true;
                    continue;
                }
                open.push(Component {
                    name: prop.value.trim().to_ascii_uppercase(),
                    ..Component::default()
                });
            }
            "END" => {
                let name = prop.value.trim().to_ascii_uppercase();
                // Close up to the matching BEGIN; an END without one is ignored.
                if let Some(pos) = open.iter().rposition(|c| c.name == name) {
                    while open.len() > pos {
                        if let Some(done) = open.pop() {
                            match open.last_mut() {
                                Some(parent) => parent.children.push(done),
                                None => root.children.push(done),
                            }
                        }
                    }
                }
            }
            _ => match open.last_mut() {
                Some(current) => current.props.push(prop),
                None => root.props.push(prop),
            },
        }
    }
    // Components left open at the end (a truncated file) are kept.
    while let Some(done) = open.pop() {
        match open.last_mut() {
            Some(parent) => parent.children.push(done),
            None => root.children.push(done),
        }
    }
    (root.children, bad, capped)
}

/// Lines with folding undone: a line starting with a space or tab continues the previous one.
fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t'])
            && let Some(last) = lines.last_mut()
        {
            last.push_str(rest);
            continue;
        }
        lines.push(raw.to_string());
    }
    lines
}

/// `NAME;P1=a;P2="b:c":value`.
fn content_line(line: &str) -> Option<Prop> {
    let mut chars = line.char_indices().peekable();
    let mut name_end = None;
    for (i, c) in chars.by_ref() {
        if c == ';' || c == ':' {
            name_end = Some((i, c));
            break;
        }
    }
    let (end, sep) = name_end?;
    let name = line[..end].trim().to_ascii_uppercase();
    if name.is_empty() {
        return None;
    }
    let mut params = Vec::new();
    let mut sep = sep;
    let mut pos = end + 1;
    while sep == ';' {
        // Parameter name up to '='.
        let rest = line.get(pos..)?;
        let eq = rest.find('=')?;
        let pname = rest[..eq].trim().to_ascii_uppercase();
        pos += eq + 1;
        // Values, comma separated, possibly quoted; ends at ';' or ':' outside quotes.
        let mut value = String::new();
        let mut in_quotes = false;
        let mut next_sep = None;
        for (i, c) in line.get(pos..)?.char_indices() {
            match c {
                '"' => in_quotes = !in_quotes,
                ';' | ':' if !in_quotes => {
                    next_sep = Some((pos + i, c));
                    break;
                }
                _ => value.push(c),
            }
        }
        let (at, c) = next_sep?;
        params.push((pname, value));
        pos = at + 1;
        sep = c;
    }
    Some(Prop {
        name,
        params,
        value: line.get(pos..).unwrap_or("").to_string(),
    })
}

/// Undo TEXT escaping: `\n` `\N` → newline, `\,` `\;` `\\` → the character.
pub fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_params_and_folding() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Long sum\r\n mary\\, with comma\r\nATTENDEE;CN=\"Doe; John\";ROLE=CHAIR:mailto:j@x.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let (cals, bad, capped) = parse(text);
        assert_eq!((bad, capped), (0, false));
        let event = &cals[0].children[0];
        assert_eq!(event.name, "VEVENT");
        assert_eq!(event.text("SUMMARY").unwrap(), "Long summary, with comma");
        let attendee = event.prop("ATTENDEE").unwrap();
        assert_eq!(attendee.param("CN"), Some("Doe; John"));
        assert_eq!(attendee.param("ROLE"), Some("CHAIR"));
        assert_eq!(attendee.value, "mailto:j@x.org");
    }
}
