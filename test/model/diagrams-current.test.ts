import { expect, test } from 'vitest';
import { chatDiagrams, diagramTextFiles, staleDiagramFiles } from '../../tools/cli/diagram-files.js';

test('the committed diagrams in docs/diagrams match the machine definitions', async () => {
  const stale = await staleDiagramFiles(diagramTextFiles(await chatDiagrams()));
  expect(stale, `docs/diagrams is stale (${stale.join(', ')}): run \`npm run diagrams\``).toEqual([]);
});
