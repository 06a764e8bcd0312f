//! The content-stream interpreter: runs the text and graphics-state operators of a page (and
//! the form XObjects it draws) and records every glyph with its position on the page. Work
//! is bounded: a byte budget over all streams run for the page (forms drawn many times count
//! each time), a glyph cap, a nesting cap for forms and a guard against form cycles.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::{Dictionary, Document as LoDoc, Object, ObjectId};

use crate::font::Font;
use crate::lexer::{Lexer, Operand, Token};
use crate::objutil::{get, get_array, get_dict, get_name, num};

/// Glyphs recorded per page at most.
const MAX_GLYPHS: usize = 2_000_000;
/// Form XObjects nested deeper than this are not entered.
const MAX_FORM_DEPTH: usize = 12;
/// Saved graphics states kept at most (`q` without `Q` in a loop).
const MAX_STACK: usize = 512;
/// Operands kept before an operator (more is garbage).
const MAX_OPERANDS: usize = 64;

/// Fonts resolved so far, by object id, shared across pages.
pub(crate) type FontCache = HashMap<ObjectId, Rc<Font>>;

/// One glyph on the page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Glyph {
    /// Origin (baseline start) in page space, rotation of the page applied.
    pub(crate) x: f32,
    pub(crate) y: f32,
    /// Extent along the writing direction.
    pub(crate) adv: f32,
    /// Glyph height (font size on the page).
    pub(crate) size: f32,
    /// Writing direction: 0 right, 1 up, 2 left, 3 down.
    pub(crate) dir: u8,
    /// Byte range of its text in [`PageContent::text`].
    pub(crate) start: u32,
    pub(crate) len: u32,
}

/// What a page draws, as far as text extraction cares.
#[derive(Debug, Default)]
pub(crate) struct PageContent {
    pub(crate) glyphs: Vec<Glyph>,
    pub(crate) text: String,
    /// Images drawn (XObject images and inline images).
    pub(crate) images: usize,
    /// Work stopped early (budget or glyph cap).
    pub(crate) truncated: bool,
    /// Glyphs drawn whose font gives no text for them (no `/ToUnicode`, unknown names).
    pub(crate) unmapped: usize,
    /// Form XObjects whose stream could not be decoded (their text is missing).
    pub(crate) broken_forms: usize,
}

impl PageContent {
    pub(crate) fn glyph_text(&self, g: &Glyph) -> &str {
        self.text
            .get(g.start as usize..(g.start + g.len) as usize)
            .unwrap_or("")
    }
}

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m × n` (apply m first, then n), PDF's row-vector convention.
fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    h_scale: f64,
    leading: f64,
    rise: f64,
}

struct Interp<'a> {
    doc: &'a LoDoc,
    fonts: &'a mut FontCache,
    fallback: Rc<Font>,
    out: PageContent,
    budget: usize,
    forms: Vec<ObjectId>,
    tm: Matrix,
    tlm: Matrix,
}

/// Interpret a page's content. `rotate` is the page's `/Rotate` (multiple of 90).
pub(crate) fn run_page(
    doc: &LoDoc,
    fonts: &mut FontCache,
    content: &[u8],
    resources: Option<&Dictionary>,
    rotate: i64,
    budget: usize,
) -> PageContent {
    let ctm = match rotate.rem_euclid(360) {
        90 => [0.0, -1.0, 1.0, 0.0, 0.0, 0.0],
        180 => [-1.0, 0.0, 0.0, -1.0, 0.0, 0.0],
        270 => [0.0, 1.0, -1.0, 0.0, 0.0, 0.0],
        _ => IDENTITY,
    };
    let gs = GState {
        ctm,
        font: None,
        size: 0.0,
        char_spacing: 0.0,
        word_spacing: 0.0,
        h_scale: 1.0,
        leading: 0.0,
        rise: 0.0,
    };
    let mut it = Interp {
        doc,
        fonts,
        fallback: Rc::new(Font::fallback()),
        out: PageContent::default(),
        budget,
        forms: Vec::new(),
        tm: IDENTITY,
        tlm: IDENTITY,
    };
    it.run(content, resources, gs);
    it.out
}

fn nums<const N: usize>(ops: &[Operand]) -> Option<[f64; N]> {
    let tail = ops.get(ops.len().checked_sub(N)?..)?;
    let mut out = [0.0; N];
    for (o, v) in out.iter_mut().zip(tail) {
        *o = v.num()?;
    }
    Some(out)
}

impl Interp<'_> {
    fn run(&mut self, content: &[u8], resources: Option<&Dictionary>, mut gs: GState) {
        if content.len() > self.budget {
            self.out.truncated = true;
            self.budget = 0;
            return;
        }
        self.budget -= content.len();
        let mut stack: Vec<GState> = Vec::new();
        let mut ops: Vec<Operand> = Vec::new();
        let mut lexer = Lexer::new(content);
        while let Some(tok) = lexer.next_token() {
            let op = match tok {
                Token::Operand(o) => {
                    if ops.len() < MAX_OPERANDS {
                        ops.push(o);
                    }
                    continue;
                }
                Token::Operator(op) => op,
            };
            if self.out.glyphs.len() >= MAX_GLYPHS {
                self.out.truncated = true;
                return;
            }
            self.operator(op, &ops, &mut gs, &mut stack, resources, &mut lexer);
            ops.clear();
        }
    }

    fn operator(
        &mut self,
        op: &[u8],
        ops: &[Operand],
        gs: &mut GState,
        stack: &mut Vec<GState>,
        resources: Option<&Dictionary>,
        lexer: &mut Lexer<'_>,
    ) {
        match op {
            b"q" if stack.len() < MAX_STACK => stack.push(gs.clone()),
            b"Q" => {
                if let Some(saved) = stack.pop() {
                    *gs = saved;
                }
            }
            b"cm" => {
                if let Some(m) = nums::<6>(ops) {
                    gs.ctm = mul(&m, &gs.ctm);
                }
            }
            b"BT" => {
                self.tm = IDENTITY;
                self.tlm = IDENTITY;
            }
            b"Tf" => {
                if let [.., Operand::Name(name), Operand::Num(size)] = ops {
                    gs.font = Some(self.font(resources, name));
                    gs.size = *size;
                }
            }
            b"Tc" => gs.char_spacing = nums::<1>(ops).map_or(gs.char_spacing, |[v]| v),
            b"Tw" => gs.word_spacing = nums::<1>(ops).map_or(gs.word_spacing, |[v]| v),
            b"Tz" => gs.h_scale = nums::<1>(ops).map_or(gs.h_scale, |[v]| v / 100.0),
            b"TL" => gs.leading = nums::<1>(ops).map_or(gs.leading, |[v]| v),
            b"Ts" => gs.rise = nums::<1>(ops).map_or(gs.rise, |[v]| v),
            b"Td" => {
                if let Some([tx, ty]) = nums::<2>(ops) {
                    self.next_line(tx, ty);
                }
            }
            b"TD" => {
                if let Some([tx, ty]) = nums::<2>(ops) {
                    gs.leading = -ty;
                    self.next_line(tx, ty);
                }
            }
            b"Tm" => {
                if let Some(m) = nums::<6>(ops) {
                    self.tm = m;
                    self.tlm = m;
                }
            }
            b"T*" => self.next_line(0.0, -gs.leading),
            b"Tj" => {
                if let Some(Operand::Str(s)) = ops.last() {
                    self.show(s, gs);
                }
            }
            b"'" => {
                self.next_line(0.0, -gs.leading);
                if let Some(Operand::Str(s)) = ops.last() {
                    self.show(s, gs);
                }
            }
            b"\"" => {
                if let [.., Operand::Num(aw), Operand::Num(ac), Operand::Str(s)] = ops {
                    gs.word_spacing = *aw;
                    gs.char_spacing = *ac;
                    self.next_line(0.0, -gs.leading);
                    self.show(s, gs);
                }
            }
            b"TJ" => {
                if let Some(Operand::Array(items)) = ops.last() {
                    for item in items {
                        match item {
                            Operand::Str(s) => self.show(s, gs),
                            Operand::Num(n) => self.kern(*n, gs),
                            _ => {}
                        }
                    }
                }
            }
            b"Do" => {
                if let Some(Operand::Name(name)) = ops.last() {
                    self.draw_xobject(name, gs, resources);
                }
            }
            b"BI" => {
                lexer.skip_inline_image();
                self.out.images += 1;
            }
            _ => {}
        }
    }

    fn next_line(&mut self, tx: f64, ty: f64) {
        self.tlm = mul(&[1.0, 0.0, 0.0, 1.0, tx, ty], &self.tlm);
        self.tm = self.tlm;
    }

    fn font(&mut self, resources: Option<&Dictionary>, name: &[u8]) -> Rc<Font> {
        let doc = self.doc;
        let Some(entry) = resources
            .and_then(|r| get_dict(doc, r, b"Font"))
            .and_then(|f| f.get(name).ok())
        else {
            return self.fallback.clone();
        };
        if let Object::Reference(id) = entry {
            if let Some(font) = self.fonts.get(id) {
                return font.clone();
            }
            let font = match crate::objutil::as_dict(doc, entry) {
                Some(dict) => Rc::new(Font::load(doc, dict)),
                None => self.fallback.clone(),
            };
            self.fonts.insert(*id, font.clone());
            return font;
        }
        match crate::objutil::as_dict(doc, entry) {
            Some(dict) => Rc::new(Font::load(doc, dict)),
            None => self.fallback.clone(),
        }
    }

    /// A TJ number: move back by n/1000 em (forward for negative n).
    fn kern(&mut self, n: f64, gs: &GState) {
        let font = gs.font.as_ref().unwrap_or(&self.fallback);
        let d = -n / 1000.0 * gs.size;
        if font.vertical {
            self.tm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, d], &self.tm);
        } else {
            self.tm = mul(&[1.0, 0.0, 0.0, 1.0, d * gs.h_scale, 0.0], &self.tm);
        }
    }

    fn show(&mut self, bytes: &[u8], gs: &GState) {
        let font = gs.font.clone().unwrap_or_else(|| self.fallback.clone());
        let m = mul(&self.tm, &gs.ctm);
        let x_unit = (m[0] * m[0] + m[1] * m[1]).sqrt();
        let y_unit = (m[2] * m[2] + m[3] * m[3]).sqrt();
        let size = (gs.size.abs() * y_unit * f64::from(font.size_scale)) as f32;
        let vertical = font.vertical;
        let (dx, dy) = if vertical {
            (-m[2], -m[3])
        } else {
            (m[0], m[1])
        };
        let dir = if dx.abs() >= dy.abs() {
            if dx >= 0.0 { 0 } else { 2 }
        } else if dy > 0.0 {
            1
        } else {
            3
        };
        // Text-space offset of the next glyph along the writing direction.
        let mut offset = 0.0f64;
        let out = &mut self.out;
        font.decode(bytes, |g| {
            let w = f64::from(g.width) * gs.size;
            let (px, py) = if vertical {
                apply(&m, -w / 2.0, -offset + gs.rise)
            } else {
                apply(&m, offset, gs.rise)
            };
            if g.text.is_empty() && !g.is_space {
                out.unmapped += 1;
            }
            if !g.text.is_empty()
                && out.glyphs.len() < MAX_GLYPHS
                && px.is_finite()
                && py.is_finite()
            {
                let start = out.text.len() as u32;
                out.text.push_str(g.text);
                let extent = if vertical {
                    gs.size.abs() * y_unit
                } else {
                    w.abs() * gs.h_scale.abs() * x_unit
                };
                out.glyphs.push(Glyph {
                    x: px as f32,
                    y: py as f32,
                    adv: extent as f32,
                    size,
                    dir,
                    start,
                    len: g.text.len() as u32,
                });
            }
            let spacing = gs.char_spacing + if g.is_space { gs.word_spacing } else { 0.0 };
            offset += if vertical {
                gs.size + spacing
            } else {
                (w + spacing) * gs.h_scale
            };
        });
        let shift: Matrix = if vertical {
            [1.0, 0.0, 0.0, 1.0, 0.0, -offset]
        } else {
            [1.0, 0.0, 0.0, 1.0, offset, 0.0]
        };
        self.tm = mul(&shift, &self.tm);
    }

    fn draw_xobject(&mut self, name: &[u8], gs: &GState, resources: Option<&Dictionary>) {
        let doc = self.doc;
        let Some(entry) = resources
            .and_then(|r| get_dict(doc, r, b"XObject"))
            .and_then(|x| x.get(name).ok())
        else {
            return;
        };
        let id = match entry {
            Object::Reference(id) => Some(*id),
            _ => None,
        };
        let Some(Object::Stream(stream)) = crate::objutil::resolve(doc, entry) else {
            return;
        };
        match get_name(doc, &stream.dict, b"Subtype") {
            Some(b"Image") => self.out.images += 1,
            Some(b"Form") => {
                if self.forms.len() >= MAX_FORM_DEPTH
                    || id.is_some_and(|id| self.forms.contains(&id))
                {
                    return;
                }
                let matrix = get_array(doc, &stream.dict, b"Matrix")
                    .filter(|a| a.len() == 6)
                    .and_then(|a| {
                        let mut m = [0.0; 6];
                        for (slot, v) in m.iter_mut().zip(a) {
                            *slot = num(doc, v)?;
                        }
                        Some(m)
                    })
                    .unwrap_or(IDENTITY);
                // Undecodable or over budget: the form's text is lost, the page goes on.
                let Ok(content) = stream.get_plain_content_with_limit(self.budget.max(1)) else {
                    self.out.broken_forms += 1;
                    return;
                };
                self.enter_form(id, &content, &stream.dict, resources, gs, &matrix);
            }
            _ => {}
        }
    }

    fn enter_form(
        &mut self,
        id: Option<ObjectId>,
        content: &[u8],
        dict: &Dictionary,
        resources: Option<&Dictionary>,
        gs: &GState,
        matrix: &Matrix,
    ) {
        let doc = self.doc;
        let own = match get(doc, dict, b"Resources") {
            Some(Object::Dictionary(d)) => Some(d),
            _ => None,
        };
        let mut inner = gs.clone();
        inner.ctm = mul(matrix, &gs.ctm);
        let (tm, tlm) = (self.tm, self.tlm);
        self.forms.push(id.unwrap_or((0, 0)));
        self.run(content, own.or(resources), inner);
        self.forms.pop();
        self.tm = tm;
        self.tlm = tlm;
    }
}
