#!/usr/bin/env node
// The CLI runs its TypeScript sources directly (Node >= 24 strips types), so oclif must not look
// for a compiled copy or a transpiler.
import { execute, settings } from '@oclif/core';

settings.enableAutoTranspile = false;
await execute({ dir: import.meta.url });
