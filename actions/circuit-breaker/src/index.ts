import { runEntry } from '@recovery/github';
import { run } from './main';

await runEntry(run);
