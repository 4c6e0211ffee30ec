// split.mjs - streaming record splitter of the reference oracle.
//
// Reads one extract file (gunzipped when needed) once, in a streaming pass,
// and writes a normalised file for DuckDB: one record per line,
//
//     LINE 0x1D PRE_REASON 0x1D QFIELD 0x1D FIELD 0x1F FIELD 0x1F ... LF
//
// where LINE is the physical line the record starts on, PRE_REASON is
// line_too_long, encoding or bad_quoting (in that order of precedence; then
// no fields are written) or empty, QFIELD the 0-based field where the
// quoting first broke (bad_quoting only), and the fields unquoted and trimmed.
// Bytes DuckDB's reader would trip on are escaped inside field values
// (0x1E -> 1E 01, CR -> 1E 02, LF -> 1E 03, 0x1F -> 1E 04, 0x1D -> 1E 05;
// reference.mjs's kh_unesc undoes it). The header (first non-blank record) is
// returned, not written.
//
// Record rules (extracts.md and the lead's rulings):
// - a record ends at an LF outside quotes; a CR right before that LF belongs
//   to the line end; a lone CR is data; a BOM at byte 0 is skipped;
// - a quote opens a quoted field only at record start or right after `;`;
//   inside it `""` is a literal quote, a quote followed by `;` or the record
//   end closes it, a quote followed by anything else is malformed
//   (bad_quoting) and ends the quoted state; a quote inside an unquoted field
//   is malformed too (and opens nothing);
// - an unterminated quote runs to the end of the file (bad_quoting), unless
//   the record passes the line limit: then it is line_too_long and reading
//   resumes after the first LF after the point where the limit was passed;
// - blank records (only spaces and tabs, outside quotes) are skipped;
// - fields are trimmed of spaces and tabs, quoted contents too.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { isUtf8 } from 'node:buffer';

export const LINE_LIMIT = 1048576;

const LF = 0x0a, CR = 0x0d, QUOTE = 0x22, SEMI = 0x3b, SP = 0x20, TAB = 0x09;
// Record-splitting states.
const S_FIELD = 0, S_UNQ = 1, S_INQ = 2, S_QSEEN = 3, S_QCR = 4, S_SKIP = 5;

export class UnusableError extends Error {}

// Splits `bytes` (one record's content, without its line end, known to have
// well-formed quoting) into trimmed, unquoted field byte arrays.
function fieldsOf(bytes, len) {
  const out = [];
  let i = 0;
  for (;;) {
    let f;
    if (i < len && bytes[i] === QUOTE) {
      const parts = [];
      let start = ++i;
      for (;;) {
        // well-formed: a quote is either `""` or the closing one
        const q = bytes.indexOf(QUOTE, i);
        if (q < 0 || q >= len) throw new Error('internal: unterminated quote in a well-formed record');
        if (q + 1 < len && bytes[q + 1] === QUOTE) { parts.push(bytes.subarray(start, q + 1)); i = start = q + 2; continue; }
        parts.push(bytes.subarray(start, q));
        i = q + 1; // at `;` or the end
        break;
      }
      f = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    } else {
      let e = bytes.indexOf(SEMI, i);
      if (e < 0 || e > len) e = len;
      f = bytes.subarray(i, e);
      i = e;
    }
    let a = 0, b = f.length;
    while (a < b && (f[a] === SP || f[a] === TAB)) a++;
    while (b > a && (f[b - 1] === SP || f[b - 1] === TAB)) b--;
    out.push(f.subarray(a, b));
    if (i >= len) break;
    i++; // the `;`
    if (i === len) { out.push(Buffer.alloc(0)); break; }
  }
  return out;
}

// Output buffer with escaping of field bytes.
class Out {
  constructor(fd) { this.fd = fd; this.buf = Buffer.allocUnsafe(1 << 22); this.n = 0; }
  ensure(k) { if (this.n + k > this.buf.length) { this.flush(); if (k > this.buf.length) this.buf = Buffer.allocUnsafe(k); } }
  ascii(s) { this.ensure(s.length); this.n += this.buf.write(s, this.n, 'latin1'); }
  byte(b) { this.ensure(1); this.buf[this.n++] = b; }
  field(f) {
    this.ensure(2 * f.length);
    const buf = this.buf;
    let n = this.n;
    for (let i = 0; i < f.length; i++) {
      const b = f[i];
      if (b > 0x1f || b === TAB) { buf[n++] = b; continue; }
      if (b === 0x1e) { buf[n++] = 0x1e; buf[n++] = 1; }
      else if (b === CR) { buf[n++] = 0x1e; buf[n++] = 2; }
      else if (b === LF) { buf[n++] = 0x1e; buf[n++] = 3; }
      else if (b === 0x1f) { buf[n++] = 0x1e; buf[n++] = 4; }
      else if (b === 0x1d) { buf[n++] = 0x1e; buf[n++] = 5; }
      else buf[n++] = b;
    }
    this.n = n;
  }
  // The bytes of a quote-free record, `;` turned into the field separator
  // (fields are trimmed in SQL).
  fields(f) {
    this.ensure(2 * f.length);
    const buf = this.buf;
    let n = this.n;
    for (let i = 0; i < f.length; i++) {
      const b = f[i];
      if (b > 0x1f) { buf[n++] = b === SEMI ? 0x1f : b; continue; }
      if (b === 0x1e) { buf[n++] = 0x1e; buf[n++] = 1; }
      else if (b === CR) { buf[n++] = 0x1e; buf[n++] = 2; }
      else if (b === 0x1f) { buf[n++] = 0x1e; buf[n++] = 4; }
      else if (b === 0x1d) { buf[n++] = 0x1e; buf[n++] = 5; }
      else buf[n++] = b;
    }
    this.n = n;
  }
  flush() { let o = 0; while (o < this.n) o += fs.writeSync(this.fd, this.buf, o, this.n - o); this.n = 0; }
}

// Streams `src` (gzip when `gz`) into `dst`. Returns { header: [names] |
// null, headerLine, headerProblem } where headerProblem says why the header
// makes the file unusable. Throws UnusableError for a NUL byte or a corrupt
// or truncated gzip stream.
export async function normalise(src, gz, dst, limit = LINE_LIMIT) {
  let stream = fs.createReadStream(src, { highWaterMark: 1 << 20 });
  if (gz) stream = stream.pipe(zlib.createGunzip({ chunkSize: 1 << 20 }));
  const fd = fs.openSync(dst, 'w');
  const out = new Out(fd);
  const rec = Buffer.allocUnsafe(limit + 2);
  let rlen = 0;          // bytes of the record so far (without its final LF)
  let state = S_FIELD;
  let bad = false;       // malformed quoting seen
  let field = 0;         // index of the field being read
  let badField = -1;     // field where the quoting first broke
  let blank = true;      // only spaces/tabs so far
  let line = 1;          // physical line of the byte being read
  let recLine = 1;       // line the record started on
  let first = true;      // at byte 0 of the file (BOM check)
  let pendingBom = null; // bytes of a possible BOM split across chunks
  let header = null, headerLine = 0, headerProblem = null;

  const emit = (reason) => {
    // reason: null for a record that ended normally
    if (reason === null && blank) { // only spaces, tabs (and maybe a lone CR): blank?
      let k = 0;
      while (k < rlen && (rec[k] === SP || rec[k] === TAB)) k++;
      if (k === rlen) return;
    }
    const bytes = rec.subarray(0, rlen);
    if (header === null) {
      headerLine = recLine;
      if (reason === 'line_too_long') headerProblem = 'its header line is longer than the line limit';
      else if (!isUtf8(bytes)) headerProblem = 'its header is not valid UTF-8';
      else if (bad || reason === 'bad_quoting') headerProblem = 'its header has malformed quoting';
      else header = fieldsOf(bytes, rlen).map((f) => f.toString('utf8'));
      if (header === null) header = [];
      return;
    }
    let pre = reason;
    if (pre === null) {
      if (!isUtf8(bytes)) pre = 'encoding';
      else if (bad) pre = 'bad_quoting';
    }
    out.ascii(`${recLine}\x1d${pre ?? ''}\x1d${pre === 'bad_quoting' ? badField : ''}\x1d`);
    if (pre === null) {
      const fields = fieldsOf(bytes, rlen);
      for (let i = 0; i < fields.length; i++) { if (i) out.byte(0x1f); out.field(fields[i]); }
    }
    out.byte(LF);
  };
  const startRecord = () => { rlen = 0; state = S_FIELD; bad = false; field = 0; badField = -1; blank = true; recLine = line; };
  const broken = () => { if (!bad) { bad = true; badField = field; } };

  try {
    for await (let chunk of stream) {
      if (chunk.indexOf(0) >= 0) throw new UnusableError('it holds a NUL byte');
      if (first) {
        if (pendingBom) { chunk = Buffer.concat([pendingBom, chunk]); pendingBom = null; }
        if (chunk.length < 3 && [0xef, 0xbb, 0xbf].slice(0, chunk.length).every((b, i) => chunk[i] === b)) {
          pendingBom = chunk; continue;
        }
        first = false;
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      }
      const n = chunk.length;
      for (let i = 0; i < n; i++) {
        if (state === S_FIELD && rlen === 0 && header !== null) {
          // Fast path: a whole line in this chunk without a quote is a record.
          const e = chunk.indexOf(LF, i);
          if (e >= 0 && e - i <= limit + 1) {
            const whole = chunk.subarray(i, e);
            if (whole.indexOf(QUOTE) < 0) {
              const end = e > i && chunk[e - 1] === CR ? e - 1 : e;
              let k = i;
              while (k < end && (chunk[k] === SP || chunk[k] === TAB)) k++;
              if (end - i > limit) out.ascii(`${line}\x1dline_too_long\x1d\x1d`);
              else if (k === end) { line++; i = e; continue; } // blank
              else {
                const content = chunk.subarray(i, end);
                if (!isUtf8(content)) out.ascii(`${line}\x1dencoding\x1d\x1d`);
                else { out.ascii(`${line}\x1d\x1d\x1d`); out.fields(content); }
              }
              out.byte(LF);
              line++;
              recLine = line;
              i = e;
              continue;
            }
          }
        }
        const b = chunk[i];
        if (state === S_SKIP) {
          const e = chunk.indexOf(LF, i);
          if (e < 0) break;
          i = e; line++; startRecord(); continue;
        }
        if (b === LF) {
          if (state === S_INQ) {
            // a line end inside a quoted field is data
          } else {
            if (state === S_QCR) { rlen--; }              // `"` CR LF: closed at the record end
            else if (rlen > 0 && rec[rlen - 1] === CR && state !== S_QSEEN) rlen--;
            // (the LIMIT+1st byte may be the CR of the line end: rlen is now <= limit)
            line++;
            emit(null);
            startRecord();
            continue;
          }
          line++;
        }
        if (rlen >= limit + 1) {
          // The record already holds limit + 1 bytes and goes on: too long
          // (a CR at limit + 1 followed by LF was handled above).
          emit('line_too_long');
          state = S_SKIP;
          if (b === LF) { startRecord(); } // this LF, inside quotes, is the first after the limit
          else { const e = chunk.indexOf(LF, i + 1); if (e < 0) { i = n; } else { i = e; line++; startRecord(); } }
          continue;
        }
        rec[rlen++] = b;
        if (b !== SP && b !== TAB && b !== CR) blank = false;
        switch (state) {
          case S_FIELD:
            if (b === QUOTE) state = S_INQ;
            else if (b !== SEMI) state = S_UNQ;
            else field++;
            break;
          case S_UNQ:
            if (b === SEMI) { state = S_FIELD; field++; }
            else if (b === QUOTE) broken();
            break;
          case S_INQ:
            if (b === QUOTE) state = S_QSEEN;
            break;
          case S_QSEEN:
            if (b === QUOTE) state = S_INQ;
            else if (b === SEMI) { state = S_FIELD; field++; }
            else if (b === CR) state = S_QCR;
            else { broken(); state = S_UNQ; }
            break;
          case S_QCR: // `"` CR not followed by LF: the CR is data after the quote
            broken();
            state = S_UNQ;
            if (b === SEMI) { state = S_FIELD; field++; }
            else if (b === QUOTE) { /* a quote in the now unquoted field: already broken */ }
            break;
        }
      }
    }
  } catch (e) {
    fs.closeSync(fd);
    if (e instanceof UnusableError) throw e;
    throw new UnusableError(`cannot be read or decompressed (${e.message})`);
  }
  if (pendingBom) { // a file of at most 2 bytes that look like a BOM's start
    for (const b of pendingBom) { rec[rlen++] = b; blank = false; state = S_UNQ; }
  }
  // End of file: the last record when it lacks its line end.
  if (state !== S_SKIP && (rlen > 0)) {
    if (state === S_INQ) broken();     // unterminated quote runs to the end
    if (state === S_QCR) broken();     // `"` then a lone CR at the end
    emit(rlen > limit ? 'line_too_long' : null);
  }
  out.flush();
  fs.closeSync(fd);
  return { header, headerLine, headerProblem };
}
