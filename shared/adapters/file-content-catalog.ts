import { readFile } from 'node:fs/promises';
import { validateContent } from '../contracts/content.js';
import type { ContentCatalog } from '../ports/content-catalog.js';

export const DEFAULT_CONTENT_PATH = new URL('../../content/content.json', import.meta.url);

/** Content from a JSON file, checked on every load. */
export function fileContentCatalog(path: string | URL = DEFAULT_CONTENT_PATH): ContentCatalog {
  return {
    async load() {
      return validateContent(JSON.parse(await readFile(path, 'utf8')));
    },
  };
}
