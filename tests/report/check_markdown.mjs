// Manual check (not part of pytest): parse aib-pilot Markdown with the real mermaid and markdown-it.
//
//   mkdir /tmp/mdcheck && (cd /tmp/mdcheck && npm init -y && npm install mermaid jsdom markdown-it)
//   aib-pilot diagnose LOG --template T.json --format markdown > /tmp/report.md
//   node tests/report/check_markdown.mjs /tmp/mdcheck /tmp/report.md
//
// Prints every gantt's tasks with start/end (ms) as mermaid reads them, and fails when a chart
// does not parse or when log text escaped its code blocks into rendered HTML.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import fs from "node:fs";
import path from "node:path";

const [modulesDir, file] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modulesDir), "noop.js"));
const load = async (name) => import(pathToFileURL(require.resolve(name)).href);

const { JSDOM } = await load("jsdom");
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaid = (await load("mermaid")).default;
const MarkdownIt = (await load("markdown-it")).default;
mermaid.initialize({ startOnLoad: false });

const text = fs.readFileSync(file, "utf8");
let failures = 0;
for (const [, chart] of text.matchAll(/```mermaid\n([\s\S]*?)```/g)) {
  try {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(chart);
    for (const task of diagram.db.getTasks()) {
      console.log(`task ${JSON.stringify(task.task)} ${task.startTime.getTime()} -> ${task.endTime.getTime()}`);
      if (task.endTime < task.startTime) { failures++; console.log("  end before start"); }
    }
  } catch (error) {
    failures++;
    console.log("chart does not parse:", String(error.message || error).slice(0, 300));
  }
}
const html = new MarkdownIt({ html: true }).render(text);
const outside = html.replace(/<pre>[\s\S]*?<\/pre>/g, "").replace(/<code>[\s\S]*?<\/code>/g, "");
for (const tag of outside.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)) {
  if (!["a", "h3", "h4", "li", "ol", "ul", "p", "strong", "table", "tbody", "td", "th", "thead", "tr", "em"].includes(tag[1].toLowerCase())) {
    failures++;
    console.log("unexpected HTML tag outside code:", tag[1]);
  }
}
console.log(failures ? `FAILED (${failures})` : "ok");
process.exit(failures ? 1 : 0);
