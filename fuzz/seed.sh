#!/usr/bin/env bash
# Build the seed corpora fuzz/corpus/<target>/ from the shared test corpus, at run time.
#
#   fuzz/seed.sh [TARGET...]        (default: every target)
#
# Copies the real documents of each target's format from $COWORK_CORPUS (default
# ../../shared/corpus beside the repo, as in CI), and writes small hand-made seeds:
#  - "entry lists" (see src/lib.rs) for docx/pptx/xlsx/ods: every XML part of a corpus package
#    as plain text, so mutations reach the XML instead of failing the zip CRC check;
#  - tiny packages for the formats the corpus lacks (ODS) and mbox files made of the eml files.
# Files are named by content hash, so re-running is idempotent; libFuzzer adds its own finds
# to the same folders. Nothing here is committed (.gitignore).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
shared="${COWORK_CORPUS:-$here/../../shared/corpus}"
out="$here/corpus"
ALL=(pdf docx pptx xlsx xls ods csv eml mbox ics html markdown json text detect data_load)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${ALL[@]}")

if [ ! -d "$shared" ]; then
    echo "seed.sh: no shared corpus at $shared (set COWORK_CORPUS); seeding hand-made inputs only" >&2
fi

# copy TARGET FILE...: into corpus/TARGET/ under a content-hash name (keeps the extension).
copy() {
    local t="$1"; shift
    mkdir -p "$out/$t"
    local f
    for f in "$@"; do
        [ -f "$f" ] || continue
        local h; h="$(sha1sum "$f" | cut -c1-16)"
        cp -f "$f" "$out/$t/seed-$h.${f##*.}"
    done
}

# Writes entry lists and hand-made packages with Python's zipfile (python3 is on Debian's
# base images). Without python3 only the raw corpus files are seeded.
gen_py() {
    if ! command -v python3 >/dev/null; then
        echo "seed.sh: python3 not found; skipping entry-list and hand-made package seeds" >&2
        return 0
    fi
    python3 - "$shared" "$out" "$@" <<'PY'
import hashlib, os, sys, zipfile, glob

shared, out, targets = sys.argv[1], sys.argv[2], sys.argv[3:]
MARK = b"@@ENTRY@@ "
# Parts worth mutating: XML and relationships; media and embedded binaries are left out.
TEXT_EXT = (".xml", ".rels", ".vml")
MAX_ENTRY = 192 * 1024    # one part larger than this is left out
MAX_TOTAL = 400 * 1024    # under the fuzzer's -max_len for these targets

def save(target, data, ext):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    h = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, f"gen-{h}.{ext}"), "wb") as f:
        f.write(data)

def entry_list(entries):
    """entries: [(name, bytes)] -> entry-list input (records joined by newlines)."""
    return b"\n".join(MARK + name.encode() + b"\n" + data for name, data in entries)

def from_package(path):
    try:
        z = zipfile.ZipFile(path)
    except Exception:
        return None
    entries, total = [], 0
    for info in z.infolist():
        name = info.filename
        if not (name.endswith(TEXT_EXT) or name == "mimetype"):
            continue
        if info.file_size > MAX_ENTRY or total + info.file_size > MAX_TOTAL:
            continue
        try:
            data = z.read(name)
        except Exception:
            continue
        entries.append((name, data))
        total += len(data)
    return entry_list(entries) if entries else None

def package(entries):
    """A real (deflated) zip of the entries, mimetype first and stored as ODF wants."""
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries:
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue()

CT = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>%s</Types>'
def rels(*items):
    body = "".join(f'<Relationship Id="rId{i+1}" Type="http://schemas.openxmlformats.org/{t}" Target="{target}"/>' for i, (t, target) in enumerate(items))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + body + '</Relationships>').encode()
OFFDOC = "officeDocument/2006/relationships/"

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
TINY_DOCX = [
    ("[Content_Types].xml", CT % b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'),
    ("_rels/.rels", rels((OFFDOC + "officeDocument", "word/document.xml"))),
    ("word/_rels/document.xml.rels", rels((OFFDOC + "numbering", "numbering.xml"), (OFFDOC + "footnotes", "footnotes.xml"), (OFFDOC + "hyperlink", "https://example.com/"))),
    ("word/document.xml", f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {W}><w:body>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Title</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>first</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>nested</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r></w:p>
<w:p><w:hyperlink r:id="rId3"><w:r><w:t>link</w:t></w:r></w:hyperlink><w:ins w:author="A"><w:r><w:t>added</w:t></w:r></w:ins><w:del w:author="B"><w:r><w:delText>gone</w:delText></w:r></w:del></w:p>
<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>b</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
</w:body></w:document>'''.encode()),
    ("word/numbering.xml", f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering {W}><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1.%2)"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>'''.encode()),
    ("word/footnotes.xml", f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes {W}><w:footnote w:id="1"><w:p><w:r><w:t>A note.</w:t></w:r></w:p></w:footnote></w:footnotes>'''.encode()),
]

P = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
TINY_PPTX = [
    ("[Content_Types].xml", CT % b'<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/><Override PartName="/ppt/slides/slide1.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/>'),
    ("_rels/.rels", rels((OFFDOC + "officeDocument", "ppt/presentation.xml"))),
    ("ppt/_rels/presentation.xml.rels", rels((OFFDOC + "slide", "slides/slide1.xml"))),
    ("ppt/presentation.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<p:presentation {P}><p:sldIdLst><p:sldId id="256" r:id="rId1"/></p:sldIdLst></p:presentation>'.encode()),
    ("ppt/slides/_rels/slide1.xml.rels", rels((OFFDOC + "notesSlide", "../notesSlides/notesSlide1.xml"))),
    ("ppt/slides/slide1.xml", f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<p:sld {P}><p:cSld><p:spTree>
<p:sp><p:nvSpPr><p:cNvPr id="2" name="Title"/><p:cNvSpPr/><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>Slide title</a:t></a:r></a:p></p:txBody></p:sp>
<p:sp><p:nvSpPr><p:cNvPr id="3" name="Body"/><p:cNvSpPr/><p:nvPr><p:ph idx="1"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:pPr lvl="1"><a:buAutoNum type="arabicPeriod"/></a:pPr><a:r><a:t>point</a:t></a:r></a:p></p:txBody></p:sp>
<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="4" name="T"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/table"><a:tbl><a:tr><a:tc gridSpan="2"><a:txBody><a:p><a:r><a:t>x</a:t></a:r></a:p></a:txBody></a:tc></a:tr></a:tbl></a:graphicData></a:graphic></p:graphicFrame>
</p:spTree></p:cSld></p:sld>'''.encode()),
    ("ppt/notesSlides/notesSlide1.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<p:notes {P}><p:cSld><p:spTree><p:sp><p:nvSpPr><p:cNvPr id="2" name="N"/><p:cNvSpPr/><p:nvPr><p:ph type="body" idx="1"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>Speaker notes</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>'.encode()),
]

S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
TINY_XLSX = [
    ("[Content_Types].xml", CT % b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'),
    ("_rels/.rels", rels((OFFDOC + "officeDocument", "xl/workbook.xml"))),
    ("xl/_rels/workbook.xml.rels", rels((OFFDOC + "worksheet", "worksheets/sheet1.xml"), (OFFDOC + "sharedStrings", "sharedStrings.xml"), (OFFDOC + "styles", "styles.xml"))),
    ("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {S}><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets><definedNames><definedName name="Total">Sheet1!$B$4</definedName></definedNames></workbook>'.encode()),
    ("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {S} count="3" uniqueCount="3"><si><t>Region</t></si><si><t>Sales</t></si><si><r><t>No</t></r><r><t>rth</t></r></si></sst>'.encode()),
    ("xl/styles.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {S}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd;@"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="10" applyNumberFormat="1"/></cellXfs></styleSheet>'.encode()),
    ("xl/worksheets/sheet1.xml", f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet {S}><dimension ref="A1:C4"/><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>Date</t></is></c></row>
<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>12.5</v></c><c r="C2" s="1"><v>45322</v></c></row>
<row r="3"><c r="A3" t="str"><v>x</v></c><c r="B3" s="2"><v>0.25</v></c><c r="C3" t="b"><v>1</v></c></row>
<row r="4"><c r="A4" t="e"><v>#DIV/0!</v></c><c r="B4"><f>SUM(B2:B3)</f><v>12.75</v></c></row>
</sheetData><mergeCells count="1"><mergeCell ref="A3:A4"/></mergeCells></worksheet>'''.encode()),
]

ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
O = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"'
def ods(content_body):
    return [
        ("mimetype", ODS_MIME),
        ("META-INF/manifest.xml", b'<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'),
        ("content.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {O}><office:body><office:spreadsheet>{content_body}</office:spreadsheet></office:body></office:document-content>'.encode()),
    ]
def cell(kind, value, shown, extra=""):
    attr = {"string": "", "float": f' office:value="{value}"', "percentage": f' office:value="{value}"',
            "currency": f' office:value="{value}" office:currency="EUR"', "date": f' office:date-value="{value}"',
            "time": f' office:time-value="{value}"', "boolean": f' office:boolean-value="{value}"'}[kind]
    return f'<table:table-cell office:value-type="{kind}"{attr}{extra}><text:p>{shown}</text:p></table:table-cell>'
ODS_SEEDS = [
    ods('<table:table table:name="Sheet1">'
        '<table:table-row>' + cell("string", "", "Region") + cell("string", "", "Sales") + cell("string", "", "Date") + '</table:table-row>'
        '<table:table-row>' + cell("string", "", "North") + cell("float", "12.5", "12.5", ' table:formula="of:=[.B3]*2"') + cell("date", "2024-01-31", "01/31/2024") + '</table:table-row>'
        '<table:table-row table:number-rows-repeated="3">' + cell("percentage", "0.25", "25%", ' table:number-columns-repeated="2"') + '<table:table-cell/></table:table-row>'
        '<table:table-row>' + cell("string", "", "merged", ' table:number-columns-spanned="2" table:number-rows-spanned="2"') + '<table:covered-table-cell/>' + cell("currency", "3", "3.00 EUR") + '</table:table-row>'
        '</table:table>'
        '<table:table table:name="Sheet2"><table:table-row>' + cell("boolean", "true", "TRUE") + cell("time", "PT12H30M00S", "12:30") + '</table:table-row></table:table>'),
    ods('<table:table table:name="Empty"/>'),
]

def make_mbox(eml_paths):
    parts = []
    for i, p in enumerate(eml_paths):
        with open(p, "rb") as f:
            body = f.read().replace(b"\r\n", b"\n")
        # mboxrd escaping of body lines that look like a separator.
        body = b"\n".join(b">" + l if l.startswith(b"From ") else l for l in body.split(b"\n"))
        parts.append(b"From sender%d@example.com Mon Jan  1 00:00:%02d 2024\n" % (i, i % 60) + body.rstrip(b"\n") + b"\n")
    return b"\n".join(parts)

def corpus(fmt, ext):
    return sorted(glob.glob(os.path.join(shared, fmt, "*." + ext)))

for t in targets:
    if t in ("docx", "pptx", "xlsx"):
        tiny = {"docx": TINY_DOCX, "pptx": TINY_PPTX, "xlsx": TINY_XLSX}[t]
        save(t, entry_list(tiny), "entries")
        save(t, package(tiny), t)
        for p in corpus(t, t):
            e = from_package(p)
            if e:
                save(t, e, "entries")
    elif t == "ods":
        for entries in ODS_SEEDS:
            save(t, entry_list(entries), "entries")
            save(t, package(entries), "ods")
    elif t == "mbox":
        emls = corpus("eml", "eml")
        if emls:
            save(t, make_mbox(emls[:4]), "mbox")
            save(t, make_mbox(emls[4:8]), "mbox")
            save(t, make_mbox(emls), "mbox")
        save(t, b"From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody\n>From quoted\n\nFrom c@d Tue Jan  2 00:00:00 2024\nSubject: two\nContent-Type: text/html\n\n<p>hi</p>\n", "mbox")
    elif t in ("detect", "data_load"):
        save(t, entry_list(TINY_XLSX), "entries")
        save(t, entry_list(ODS_SEEDS[0]), "entries")
        if t == "detect":
            save(t, entry_list(TINY_DOCX), "entries")
            save(t, entry_list(TINY_PPTX), "entries")
            save(t, package(ODS_SEEDS[0]), "ods")
PY
}

for t in "${targets[@]}"; do
    case "$t" in
        pdf)      copy pdf "$shared"/pdf/*.pdf ;;
        docx)     copy docx "$shared"/docx/*.docx ;;
        pptx)     copy pptx "$shared"/pptx/*.pptx ;;
        xlsx)     copy xlsx "$shared"/xlsx/*.xlsx ;;
        xls)      copy xls "$shared"/xlsx/*.xls ;;
        ods)      mkdir -p "$out/ods" ;;
        csv)      copy csv "$shared"/csv/*.csv "$shared"/csv/*.tsv ;;
        eml)      copy eml "$shared"/eml/*.eml ;;
        mbox)     copy mbox "$shared"/eml/*.mbox "$shared"/mbox/* ;;
        ics)      copy ics "$shared"/ics/*.ics ;;
        html)     copy html "$shared"/html/*.html "$shared"/html/*.htm ;;
        markdown) copy markdown "$shared"/md/*.md ;;
        json)     copy json "$shared"/json/*.json ;;
        text)     copy text "$shared"/txt/* "$shared"/csv/markitdown__test_mskanji.csv ;;
        detect)   # One small file of every kind (<= 64 KB): the sniffing only reads the head.
                  for d in "$shared"/*/; do
                      f="$(find "$d" -maxdepth 1 -type f -size -64k | sort | head -n 2)"
                      # shellcheck disable=SC2086
                      [ -n "$f" ] && copy detect $f
                  done ;;
        data_load) copy data_load "$shared"/csv/*.csv "$shared"/xlsx/*.xlsx "$shared"/xlsx/*.xls "$shared"/json/*.json ;;
        *) echo "seed.sh: unknown target $t (known: ${ALL[*]})" >&2; exit 2 ;;
    esac
done
gen_py "${targets[@]}"
for t in "${targets[@]}"; do
    printf '%-10s %4d seeds\n' "$t" "$(find "$out/$t" -type f | wc -l)"
done
