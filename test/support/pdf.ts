// Reads PDFs the way a user's tools would: poppler's pdftotext, pdfinfo and pdftoppm.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function pdfText(pdf: Uint8Array): Promise<string> {
  return withFile(pdf, async (file) => (await run('pdftotext', ['-layout', file, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout);
}

export async function pdfPages(pdf: Uint8Array): Promise<number> {
  return withFile(pdf, async (file) => Number(/Pages:\s+(\d+)/.exec((await run('pdfinfo', [file])).stdout)?.[1]));
}

/** How many images the PDF embeds (poppler's pdfimages). */
export async function pdfImages(pdf: Uint8Array): Promise<number> {
  return withFile(pdf, async (file) => (await run('pdfimages', ['-list', file])).stdout.trim().split('\n').length - 2);
}

/** Renders every page to PNG at a low resolution; returns how many images pdftoppm wrote. */
export async function renderedPages(pdf: Uint8Array): Promise<number> {
  return withFile(pdf, async (file, dir) => {
    await run('pdftoppm', ['-png', '-r', '30', file, join(dir, 'page')]);
    return (await readdir(dir)).filter((name) => name.endsWith('.png')).length;
  });
}

async function withFile<T>(pdf: Uint8Array, use: (file: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'proctor-pdf-'));
  try {
    const file = join(dir, 'report.pdf');
    await writeFile(file, pdf);
    return await use(file, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
