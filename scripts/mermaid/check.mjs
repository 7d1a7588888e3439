// Parses each Mermaid file named on the command line with Mermaid's own flowchart grammar, under
// Node with a jsdom window (Mermaid's label sanitiser needs one), no browser. Exit 0 when every
// file is a valid flowchart; 1 with the parser's error on stderr when one is not; 2 on usage.
// Usage: node check.mjs FILE...
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', logLevel: 'fatal' });

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check.mjs FILE...');
  process.exit(2);
}
let bad = 0;
for (const file of files) {
  try {
    const { diagramType } = await mermaid.parse(readFileSync(file, 'utf8'));
    if (diagramType !== 'flowchart-v2') throw new Error(`a ${diagramType} diagram, not a flowchart`);
  } catch (e) {
    bad++;
    console.error(`${file}: ${e?.message ?? e}`);
  }
}
process.exit(bad ? 1 : 0);
