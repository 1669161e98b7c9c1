/**
 * `npm run diagrams`: draws the dialogue machines into docs/diagrams (Mermaid text, SVG pictures
 * rendered by Debian's Chromium, and a README listing them).
 * `npm run diagrams -- --check`: no browser; exits 1 naming the committed files that are stale.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chatDiagrams, DIAGRAMS_DIR, diagramTextFiles, staleDiagramFiles } from './diagram-files.js';
import { renderMermaidSvgs } from './mermaid-svg.js';

const diagrams = await chatDiagrams();
const files = diagramTextFiles(diagrams);
const stale = await staleDiagramFiles(files);

if (process.argv.includes('--check')) {
  if (stale.length > 0) {
    console.error(`Stale diagrams in docs/diagrams: ${stale.join(', ')}. Run \`npm run diagrams\`.`);
    process.exit(1);
  }
  console.log(`docs/diagrams is up to date (${diagrams.length} diagrams).`);
} else {
  await mkdir(DIAGRAMS_DIR, { recursive: true });
  const generated = new Set(files.map((f) => f.file));
  // A diagram of a state that no longer exists goes, with its picture.
  for (const file of stale.filter((f) => !generated.has(f))) {
    await rm(join(DIAGRAMS_DIR, file), { force: true });
    await rm(join(DIAGRAMS_DIR, file.replace(/\.mmd$/, '.svg')), { force: true });
  }
  for (const { file, text } of files) await writeFile(join(DIAGRAMS_DIR, file), text);
  const svgs = await renderMermaidSvgs(diagrams);
  for (const [name, svg] of svgs) await writeFile(join(DIAGRAMS_DIR, `${name}.svg`), svg);
  console.log(`Wrote ${diagrams.length} diagrams (.mmd and .svg) and README.md to docs/diagrams.`);
}
