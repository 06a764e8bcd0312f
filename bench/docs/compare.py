#!/usr/bin/env python3
"""Compare cowork's document reader with markitdown and pdftotext over the shared corpus.

For every corpus file: CPU time and text of (a) cowork (the `read_corpus` example: one process,
times each file in-process, wall clock on one thread — an upper bound of its CPU time), (b)
markitdown (in-process, time.process_time per file), (c) pdftotext for PDFs (a child process,
its rusage CPU time). Word recall is measured against an independent reference per format:

  pdf            pdftotext (poppler)
  docx           LibreOffice headless → txt
  pptx           LibreOffice headless → pdf → pdftotext
  xlsx / xls     LibreOffice headless → csv, every sheet
  html           readability-lxml's main content (we drop boilerplate by design; so should it)
  eml            Python's email package: Subject/From/To + text parts (HTML parts as text)
  ics            the text values of SUMMARY/DESCRIPTION/LOCATION (icalendar package)
  json           every scalar value, and each key once
  csv md txt     the file's own text, decoded

Recall = multiset overlap of lowercase word tokens / reference tokens. An output is "broken"
when the reader failed, or it is empty, or its recall is below 50 % while the reference has
words. Prints a Markdown table per format.
"""
import collections, email, email.policy, json, os, re, resource, statistics, subprocess, sys, tempfile, time
from pathlib import Path

CORPUS = Path(sys.argv[1])
COWORK_JSONL = Path(sys.argv[2])  # output of the read_corpus example
WORK = Path(sys.argv[3])          # cache dir for references
WORK.mkdir(parents=True, exist_ok=True)

TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

def tokens(text):
    return collections.Counter(t.lower() for t in TOKEN.findall(text or "") if len(t) > 1 or t.isdigit())

def recall(ref, out):
    r = tokens(ref)
    total = sum(r.values())
    if total == 0:
        return None
    o = tokens(out)
    return sum(min(c, o[t]) for t, c in r.items()) / total

def soffice(args, outdir):
    profile = WORK / "lo-profile"
    cmd = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", *args, "--outdir", str(outdir)]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)

def pdftotext(path):
    r = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=300)
    return r.stdout.decode("utf-8", "replace")

def decode(raw):
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom):].decode(enc, "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for enc in ("shift_jis", "cp500" if raw.count(b"\x40") > len(raw) // 10 else "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")

def reference(fmt, path):
    cache = WORK / "ref" / (path.name + ".txt")
    if cache.exists():
        return cache.read_text()
    cache.parent.mkdir(parents=True, exist_ok=True)
    text = ""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if fmt == "pdf":
            text = pdftotext(path)
        elif fmt == "docx":
            soffice(["--convert-to", "txt:Text (encoded):UTF8", str(path)], tmp)
            text = "\n".join(p.read_text(errors="replace") for p in tmp.glob("*.txt"))
        elif fmt == "pptx":
            soffice(["--convert-to", "pdf", str(path)], tmp)
            text = "\n".join(pdftotext(p) for p in tmp.glob("*.pdf"))
        elif fmt == "xlsx":
            soffice(["--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1', str(path)], tmp)
            text = "\n".join(p.read_text(errors="replace") for p in sorted(tmp.glob("*.csv")))
        elif fmt == "html":
            from readability import Document
            import lxml.html
            html = decode(path.read_bytes())
            try:
                summary = Document(html).summary()
                text = lxml.html.fromstring(summary).text_content()
            except Exception:
                text = ""
        elif fmt == "eml":
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            parts = [str(msg.get("subject", "")), str(msg.get("from", "")), str(msg.get("to", ""))]
            for part in msg.walk():
                if part.get_content_maintype() == "text" and not part.is_attachment():
                    try:
                        body = part.get_content()
                    except Exception:
                        continue
                    # A nested message some mailers attach as base64 text: it is not readable text
                    # in this part (readers decode it as an attached message instead).
                    if re.fullmatch(r"[A-Za-z0-9+/=\s]+", body or "") and len(body) > 200:
                        continue
                    if part.get_content_subtype() == "html":
                        import lxml.html
                        try:
                            body = lxml.html.fromstring(body).text_content()
                        except Exception:
                            body = ""
                    parts.append(body)
            # multipart/alternative carries the same text twice: keep the plain part only
            if msg.get_content_type() == "multipart/alternative":
                parts = parts[:4]
            text = "\n".join(parts)
        elif fmt == "ics":
            import icalendar
            cal = icalendar.Calendar.from_ical(path.read_bytes())
            vals = []
            for comp in cal.walk():
                if comp.name in ("VEVENT", "VTODO", "VJOURNAL"):
                    for key in ("SUMMARY", "DESCRIPTION", "LOCATION"):
                        if key in comp:
                            vals.append(str(comp[key]))
            text = "\n".join(vals)
        elif fmt == "json":
            # The information in the file: every scalar value, and each key once (a table
            # shows a key once as its column header, not on every row).
            keys, values = set(), []
            def walk(v):
                if isinstance(v, dict):
                    for k, x in v.items():
                        keys.add(k)
                        walk(x)
                elif isinstance(v, list):
                    for x in v:
                        walk(x)
                elif v is not None:
                    values.append(str(v))
            walk(json.loads(decode(path.read_bytes())))
            text = "\n".join(sorted(keys)) + "\n" + "\n".join(values)
        else:  # csv md txt
            text = decode(path.read_bytes())
    cache.write_text(text)
    return text

def markitdown_all(files):
    from markitdown import MarkItDown
    md = MarkItDown()
    out = {}
    for fmt, path in files:
        start = time.process_time()
        try:
            text = md.convert(str(path)).text_content
            err = None
        except Exception as e:
            text, err = "", f"{type(e).__name__}: {e}"
        out[path.name] = (time.process_time() - start, text, err)
    return out

def pdftotext_timed(path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    text = pdftotext(path)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), text

def main():
    files = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        for f in sorted(folder.iterdir()):
            files.append((folder.name, f))
    ours = {}
    for line in COWORK_JSONL.read_text().splitlines():
        rec = json.loads(line)
        ours[Path(rec["file"]).name] = rec
    print("running markitdown …", file=sys.stderr)
    theirs = markitdown_all(files)
    rows = collections.defaultdict(list)
    for fmt, path in files:
        ref = reference(fmt, path)
        o = ours.get(path.name, {"seconds": 0.0, "text": "", "error": "missing"})
        m = theirs[path.name]
        row = {
            "file": path.name,
            "ours_s": o["seconds"], "ours_recall": recall(ref, o["text"]), "ours_err": o.get("error"),
            "md_s": m[0], "md_recall": recall(ref, m[1]), "md_err": m[2],
            "ours_empty": not o["text"].strip(), "md_empty": not m[1].strip(),
        }
        if fmt == "pdf":
            row["pt_s"], _ = pdftotext_timed(path)
        rows[fmt].append(row)
    broken_lines = []
    print("| format | files | cowork CPU s | markitdown CPU s | speed-up | pdftotext CPU s | cowork median recall | markitdown median recall | cowork broken | markitdown broken | broken only in cowork |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    tot_o = tot_m = 0.0
    for fmt in sorted(rows):
        rs = rows[fmt]
        so = sum(r["ours_s"] for r in rs); sm = sum(r["md_s"] for r in rs)
        tot_o += so; tot_m += sm
        pt = sum(r.get("pt_s", 0) for r in rs) if fmt == "pdf" else None
        ro = [r["ours_recall"] for r in rs if r["ours_recall"] is not None]
        rm = [r["md_recall"] for r in rs if r["md_recall"] is not None]
        def broken(r, who):
            rec = r[f"{who}_recall"]
            return r[f"{who}_err"] is not None or r[f"{who}_empty"] or (rec is not None and rec < 0.5)
        bo = [r for r in rs if broken(r, "ours")]; bm = [r for r in rs if broken(r, "md")]
        only = [r for r in bo if not broken(r, "md")]
        for r in only:
            broken_lines.append(f"{fmt}/{r['file']}: cowork recall {r['ours_recall']}, error {r['ours_err']}")
        pct = lambda xs: f"{100 * statistics.median(xs):.1f} %" if xs else "n/a"
        print(f"| {fmt} | {len(rs)} | {so:.3f} | {sm:.2f} | {sm / so if so else float('inf'):.0f}× | "
              f"{'' if pt is None else f'{pt:.3f}'} | {pct(ro)} | {pct(rm)} | {len(bo)} | {len(bm)} | {len(only)} |")
    print(f"| **all** | {sum(len(r) for r in rows.values())} | {tot_o:.3f} | {tot_m:.2f} | {tot_m / tot_o if tot_o else 0:.0f}× | | | | | | |")
    if broken_lines:
        print("\nbroken in cowork where markitdown is fine:")
        for l in broken_lines:
            print(" -", l)
    if os.environ.get("BENCH_DETAIL"):
        for fmt in sorted(rows):
            for r in rows[fmt]:
                print(fmt, r["file"], f"ours {r['ours_recall']}", f"md {r['md_recall']}", r["ours_err"] or "", file=sys.stderr)

main()
