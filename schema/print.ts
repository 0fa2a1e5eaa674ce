// Writes schema/schema.graphql from the code-first schema: `npm run schema:print`.
import { writeFile } from 'node:fs/promises';
import { printedSchema } from './index.ts';

const target = new URL('./schema.graphql', import.meta.url);
await writeFile(target, printedSchema());
console.log(`wrote ${target.pathname}`);
