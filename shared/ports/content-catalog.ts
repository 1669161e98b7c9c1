/**
 * The bot's content: documents, contract templates, offices, section texts, links and the button
 * palette. It is data (content/content.json), so it changes without a code change; the worker
 * checks it at start and refuses to run on a broken file.
 */

export interface FileRef {
  url: string;
  fileName: string;
  size: number;
}

export interface Office {
  name: string;
  address: string;
  hours: string;
  phone: string;
  lat: number;
  lon: number;
}

export interface Content {
  company: string;
  site: string;
  contract: {
    intro: string;
    documents: string[];
    templates: { service: string; dwellings: Record<string, FileRef> }[];
    offices: { settlement: string; offices: Office[] }[];
  };
  serviceCentre: { text: string; url: string };
  /** phoneSettingsUrl: where a customer adds or changes the phone of an existing cabinet. */
  cabinet: { text: string; registrationUrl: string; phoneSettingsUrl: string; instruction: FileRef };
  support: { text: string; url: string };
  palette: { name: string; color: string }[];
}

/**
 * The port: where content comes from. The file adapter is shared/adapters/file-content-catalog.ts;
 * a CMS would be another.
 */
export interface ContentCatalog {
  load(): Promise<Content>;
}

/** Content that fails validation (shared/contracts/content.ts): the worker refuses to run on it. */
export class ContentError extends Error {
  override name = 'ContentError';
}
