//! Office Math (OMML, `m:oMath`) as LaTeX-style text: fractions, scripts, radicals,
//! delimiters, n-ary operators and matrices keep their structure (`\frac{a}{b}`, `x^{2}`)
//! instead of collapsing into "ab2". Symbols stay Unicode, as Word shows them.

use std::collections::HashMap;

use super::body::Body;
use crate::xml::{Ev, XmlError};

/// The named parts of a math structure (`num`, `den`, `e`, `sub` …) and its properties.
#[derive(Default)]
struct Parts {
    parts: Vec<(String, String)>,
    props: HashMap<String, String>,
}

impl Parts {
    fn get(&self, name: &str) -> &str {
        self.parts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.as_str())
            .unwrap_or("")
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.parts
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, s)| s.as_str())
            .collect()
    }

    fn prop(&self, name: &str) -> Option<&str> {
        self.props.get(name).map(String::as_str)
    }
}

impl Body<'_, '_, '_, '_> {
    /// The math inside the element just started (`oMath`, `oMathPara`, or any part), to its
    /// end, as LaTeX-style text.
    pub(crate) fn math(&mut self) -> Result<String, XmlError> {
        let depth = self.xml.depth();
        let mut out = String::new();
        loop {
            let e = match self.xml.next()? {
                Ev::Start(e) => e,
                Ev::End if self.xml.depth() < depth => return Ok(out),
                Ev::Eof => return Ok(out),
                Ev::End | Ev::Text(_) => continue,
            };
            let local = e.local().to_string();
            drop(e);
            let piece = match local.as_str() {
                "t" => self.xml.text_of(&[])?,
                "f" => {
                    let p = self.math_parts()?;
                    if p.prop("type") == Some("lin") {
                        format!("{}/{}", p.get("num"), p.get("den"))
                    } else {
                        format!("\\frac{{{}}}{{{}}}", p.get("num"), p.get("den"))
                    }
                }
                "sSup" => {
                    let p = self.math_parts()?;
                    format!("{}^{{{}}}", p.get("e"), p.get("sup"))
                }
                "sSub" => {
                    let p = self.math_parts()?;
                    format!("{}_{{{}}}", p.get("e"), p.get("sub"))
                }
                "sSubSup" => {
                    let p = self.math_parts()?;
                    format!("{}_{{{}}}^{{{}}}", p.get("e"), p.get("sub"), p.get("sup"))
                }
                "sPre" => {
                    let p = self.math_parts()?;
                    format!(
                        "{{}}_{{{}}}^{{{}}}{}",
                        p.get("sub"),
                        p.get("sup"),
                        p.get("e")
                    )
                }
                "rad" => {
                    let p = self.math_parts()?;
                    let deg = p.get("deg");
                    if deg.is_empty() || p.prop("degHide").is_some_and(|v| v != "0") {
                        format!("\\sqrt{{{}}}", p.get("e"))
                    } else {
                        format!("\\sqrt[{deg}]{{{}}}", p.get("e"))
                    }
                }
                "d" => {
                    let p = self.math_parts()?;
                    let open = p.prop("begChr").unwrap_or("(");
                    let close = p.prop("endChr").unwrap_or(")");
                    let sep = p.prop("sepChr").unwrap_or("|");
                    format!("\\left{open}{}\\right{close}", p.all("e").join(sep))
                }
                "nary" => {
                    let p = self.math_parts()?;
                    let op = p.prop("chr").unwrap_or("∫");
                    let mut s = op.to_string();
                    if !p.get("sub").is_empty() {
                        s.push_str(&format!("_{{{}}}", p.get("sub")));
                    }
                    if !p.get("sup").is_empty() {
                        s.push_str(&format!("^{{{}}}", p.get("sup")));
                    }
                    s.push_str(p.get("e"));
                    s
                }
                "func" => {
                    let p = self.math_parts()?;
                    format!("{}{}", p.get("fName"), p.get("e"))
                }
                "limLow" => {
                    let p = self.math_parts()?;
                    format!("{}_{{{}}}", p.get("e"), p.get("lim"))
                }
                "limUpp" => {
                    let p = self.math_parts()?;
                    format!("{}^{{{}}}", p.get("e"), p.get("lim"))
                }
                "bar" => format!("\\overline{{{}}}", self.math_parts()?.get("e")),
                "m" => {
                    let p = self.math_parts()?;
                    format!(
                        "\\begin{{matrix}}{}\\end{{matrix}}",
                        p.all("mr").join(" \\\\ ")
                    )
                }
                "eqArr" => self.math_parts()?.all("e").join(" \\\\ "),
                // Run and control properties: formatting only.
                name if name.ends_with("Pr") => {
                    self.xml.skip()?;
                    String::new()
                }
                // Boxes, accents, group characters, phantoms and wrappers: their content.
                _ => self.math()?,
            };
            out.push_str(&piece);
        }
    }

    /// The children of the structure just started: parts by name, properties by name.
    fn math_parts(&mut self) -> Result<Parts, XmlError> {
        let depth = self.xml.depth();
        let mut parts = Parts::default();
        loop {
            let e = match self.xml.next()? {
                Ev::Start(e) => e,
                Ev::End if self.xml.depth() < depth => return Ok(parts),
                Ev::Eof => return Ok(parts),
                Ev::End | Ev::Text(_) => continue,
            };
            let local = e.local().to_string();
            drop(e);
            if local.ends_with("Pr") {
                self.math_props(&mut parts.props)?;
            } else {
                // A matrix row's cells are its `e` parts.
                let text = if local == "mr" {
                    self.math_parts()?.all("e").join(" & ")
                } else {
                    self.math()?
                };
                parts.parts.push((local, text));
            }
        }
    }

    /// Property values (`m:chr m:val="∑"`, `m:degHide`, `m:type`) of the element just started.
    fn math_props(&mut self, props: &mut HashMap<String, String>) -> Result<(), XmlError> {
        let depth = self.xml.depth();
        loop {
            match self.xml.next()? {
                Ev::Start(e) => {
                    let local = e.local();
                    if local != "ctrlPr" && local != "rPr" {
                        let value = e.attr("val").unwrap_or_else(|| "1".to_string());
                        props.insert(local.to_string(), value);
                    } else {
                        drop(e);
                        self.xml.skip()?;
                    }
                }
                Ev::End if self.xml.depth() < depth => return Ok(()),
                Ev::Eof => return Ok(()),
                Ev::End | Ev::Text(_) => {}
            }
        }
    }
}
