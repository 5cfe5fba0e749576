// Parse aib-pilot's output (stdin) with Microsoft's own logging-command parser, as Azure Pipelines
// sees it. Per line: the agent looks for "##vso[" anywhere (Command.TryParse, a culture-aware
// IndexOf); the task library's test runner does the same with an ordinal indexOf and then calls
// taskcommand.commandFromString(line.substring(index)). We run that parser on every line as
// printed ("commands") and on every line folded the way an ICU culture-aware search sees it
// (ignorable code points removed, look-alikes of '#', '[', 'v', 's', 'o' made ASCII; the table
// comes from icu_collation.mjs): a command found only after folding is a hidden one ("hidden").
//   node ado_commands.mjs [table.json] < output.txt   ->   {"commands": [...], "hidden": [...], "unparsable": [...]}
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "noop.js"));
const { commandFromString } = require("azure-pipelines-task-lib/taskcommand");

// The table: from the file named as the first argument (made once per test session), else computed.
const table = JSON.parse(process.argv[2] ? fs.readFileSync(process.argv[2], "utf8")
  : execFileSync(process.execPath, [path.join(here, "icu_collation.mjs")], { maxBuffer: 1 << 26 }));
const ignorable = new Set(table.ignorable);
const lookalike = new Map();
for (const [key, points] of Object.entries(table.equal)) for (const cp of points) if (cp > 0x7f) lookalike.set(cp, key);
const fold = (line) => Array.from(line).map((ch) => {
  const cp = ch.codePointAt(0);
  return ignorable.has(cp) ? "" : (lookalike.get(cp) ?? ch);
}).join("");

const text = fs.readFileSync(0, "utf8");
const out = { commands: [], hidden: [], unparsable: [] };
const parse = (line) => {
  const at = line.toLowerCase().indexOf("##vso[");
  if (at < 0) return null;
  try {
    const cmd = commandFromString(line.substring(at));
    return { command: cmd.command, properties: cmd.properties, message: cmd.message };
  } catch (err) {
    out.unparsable.push({ line, error: String(err.message || err) });
    return null;
  }
};
for (const line of text.split(/\r\n|\r|\n/)) {
  const plain = parse(line);
  if (plain) out.commands.push(plain);
  const folded = fold(line);
  if (folded !== line && !plain) {
    const hidden = parse(folded);
    if (hidden) out.hidden.push({ line, ...hidden });
  }
}
process.stdout.write(JSON.stringify(out));
