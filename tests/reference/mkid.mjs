// mkid.mjs - make valid synthetic national ids (month + 80) for fixtures.
//
// Usage: node tests/reference/mkid.mjs [COUNT] [DDMMYY] [--dnr] [--real]
// Prints COUNT ids with correct mod-11 check digits, born DDMMYY (default
// 010190), individual numbers counting up from 100. --dnr makes D-numbers
// (day + 40); --real leaves the month as it is (not synthetic).
const args = process.argv.slice(2);
const count = Number(args.find((a) => /^\d+$/.test(a) && a.length < 6) ?? 5);
const born = args.find((a) => /^\d{6}$/.test(a)) ?? '010190';
const dnr = args.includes('--dnr');
const real = args.includes('--real');

function checkDigit(digits, weights) {
  const sum = weights.reduce((acc, w, i) => acc + w * digits[i], 0);
  const k = 11 - (sum % 11);
  return k === 11 ? 0 : k;
}

let day = Number(born.slice(0, 2)) + (dnr ? 40 : 0);
let month = Number(born.slice(2, 4)) + (real ? 0 : 80);
const stem = String(day).padStart(2, '0') + String(month).padStart(2, '0') + born.slice(4, 6);
let made = 0;
for (let ind = 100; made < count && ind <= 999; ind++) {
  const d = (stem + String(ind)).split('').map(Number);
  const k1 = checkDigit(d, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
  if (k1 === 10) continue;
  d.push(k1);
  const k2 = checkDigit(d, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
  if (k2 === 10) continue;
  d.push(k2);
  console.log(d.join(''));
  made++;
}
