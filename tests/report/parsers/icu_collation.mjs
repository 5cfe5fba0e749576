// What a culture-aware .NET string search (ICU) cannot see, measured with Node's own ICU:
// every code point that compares equal to nothing between two '#' at PRIMARY strength (the
// weakest comparison, so a superset of what .NET's default tertiary comparison ignores), and the
// code points equal to '#', ':', '[' and the letters of 'vso' at that strength (width and case
// variants). Printed as JSON; tests/report/runners.py folds lines with it before parsing.
const collator = new Intl.Collator("en", { sensitivity: "base", ignorePunctuation: false });
const ignorable = [];
const equal = { "#": [], ":": [], "[": [], "v": [], "s": [], "o": [] };
for (let cp = 0; cp < 0x110000; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const ch = String.fromCodePoint(cp);
  if (collator.compare("#" + ch + "#", "##") === 0) ignorable.push(cp);
  for (const key of Object.keys(equal)) {
    if (cp !== key.codePointAt(0) && collator.compare(ch, key) === 0) equal[key].push(cp);
  }
}
process.stdout.write(JSON.stringify({ icu: process.versions.icu, ignorable, equal }));
