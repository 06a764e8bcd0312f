use calamine::{Reader, Xlsx};
use std::io::Cursor;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let mut wb = match Xlsx::new(Cursor::new(bytes)) { Ok(w) => w, Err(e) => { println!("ERR {e:?}"); return; } };
    for s in wb.sheets_metadata().to_vec() {
        println!("== sheet {:?} {:?} {:?}", s.name, s.typ, s.visible);
        let mut r = match wb.worksheet_cells_reader(&s.name) { Ok(r)=>r, Err(e)=>{println!("err {e:?}"); continue;} };
        let styles: Vec<_> = r.styles().to_vec();
        let mut n = 0;
        while let Ok(Some((c, sid))) = r.next_cell_with_style_id() {
            n += 1;
            if n < 40 { println!("{:?} {:?} {:?}", c.get_position(), c.get_value(), styles.get(sid).and_then(|s| s.number_format.clone())); }
        }
        println!("cells {n}");
    }
}
