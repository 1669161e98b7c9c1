import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../dev/browser.js';

/** Mermaid's browser bundle, straight from node_modules: the page loads nothing from the network. */
const MERMAID_BUNDLE = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');

declare const mermaid: {
  initialize(config: Record<string, unknown>): void;
  render(id: string, text: string): Promise<{ svg: string }>;
};

/**
 * Renders Mermaid texts to SVG in one headless Chromium page. Labels are plain SVG text (no HTML
 * inside foreignObject), so the pictures also show where SVG is displayed as an image.
 */
export async function renderMermaidSvgs(
  diagrams: readonly { name: string; text: string }[],
): Promise<Map<string, string>> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addScriptTag({ path: MERMAID_BUNDLE });
    await page.evaluate(() =>
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', htmlLabels: false, theme: 'default' }),
    );
    const svgs = new Map<string, string>();
    for (const [index, diagram] of diagrams.entries()) {
      const svg = await page.evaluate(async ({ id, text }) => (await mermaid.render(id, text)).svg, {
        id: `diagram${index}`,
        text: diagram.text,
      });
      svgs.set(diagram.name, svg);
    }
    return svgs;
  } finally {
    await browser.close();
  }
}
