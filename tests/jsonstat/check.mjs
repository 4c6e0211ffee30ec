// check.mjs - checks one `kohort query --format jsonstat` dataset against the
// same table's CSV output: it validates against dataset.schema.json, checks
// what the schema cannot say (size, index and value length agree), then
// reads it back with jsonstat-toolkit, an independent JSON-stat reader, and
// compares every cell of every CSV row: the value, or the status (":"
// suppressed, ".." unavailable) of an empty one.
// usage: node check.mjs DATASET.json TABLE.csv
import fs from "node:fs";
import Ajv from "ajv";
import JSONstat from "jsonstat-toolkit";

const [jsonPath, csvPath] = process.argv.slice(2);
const data = JSON.parse(fs.readFileSync(jsonPath, "utf8"));
const schema = JSON.parse(fs.readFileSync(new URL("./dataset.schema.json", import.meta.url), "utf8"));
const fail = (msg) => { console.error("jsonstat: " + msg); process.exit(1); };

const ajv = new Ajv({allErrors: true, allowUnionTypes: true});
if (!ajv.validate(schema, data))
  fail("not a JSON-stat 2.0 dataset: " + ajv.errorsText(ajv.errors));
if (data.id.length !== data.size.length) fail("id and size differ in length");
let cells = 1;
data.id.forEach((id, i) => {
  const dim = data.dimension[id];
  if (!dim) fail("no dimension " + id);
  const n = Object.keys(dim.category.index).length;
  if (n !== data.size[i]) fail(`size of ${id} is ${data.size[i]}, its index has ${n}`);
  cells *= n;
});
if (data.value.length !== cells) fail(`value has ${data.value.length} cells, size says ${cells}`);

const ds = JSONstat(data);
if (ds.class !== "dataset" || ds.n !== cells || ds.length !== data.id.length)
  fail("jsonstat-toolkit reads it otherwise");
const lines = fs.readFileSync(csvPath, "utf8").trim().split("\n");
const head = lines[0].split(",");
const keys = data.id.filter((id) => id !== "contents");
const contents = Object.keys(data.dimension.contents.category.index);
let checked = 0;
for (const line of lines.slice(1)) {
  const f = line.split(",");
  const sel = {};
  for (const k of keys) sel[k] = f[head.indexOf(k)];
  const suppressedRow = f[head.indexOf("suppressed")] === "1";
  for (const c of contents) {
    const cell = ds.Data({...sel, contents: c});
    if (!cell) fail(`no cell ${JSON.stringify(sel)} ${c}`);
    const csv = f[head.indexOf(c)];
    if (csv === "") {
      if (cell.value !== null) fail(`${JSON.stringify(sel)} ${c}: empty in CSV, ${cell.value} in JSON-stat`);
      if (cell.status !== ":" && cell.status !== "..") fail(`${JSON.stringify(sel)} ${c}: status ${cell.status}`);
      if (cell.status === ":" && !suppressedRow) fail(`${JSON.stringify(sel)} ${c}: ':' in a row not suppressed`);
    } else if (Number(csv) !== cell.value) {
      fail(`${JSON.stringify(sel)} ${c}: ${csv} in CSV, ${cell.value} in JSON-stat`);
    }
    checked++;
  }
}
// every unit's decimals match the printed values
for (const c of contents) {
  const dec = data.dimension.contents.category.unit[c].decimals;
  const col = head.indexOf(c);
  for (const line of lines.slice(1)) {
    const v = line.split(",")[col];
    if (v !== "" && (v.split(".")[1] || "").length !== dec) fail(`${c}: ${v} has not ${dec} decimals`);
  }
}
console.log(`jsonstat: ${checked} cells of ${lines.length - 1} rows agree; ${cells} cells in the cube`);
