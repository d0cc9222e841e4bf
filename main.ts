/** The process entry of `npm start`: the API (server/), and beside it the demo (demo/) when DEMO=true. */
import { startDemo } from './demo/startDemo.ts';
import { runServerProcess } from './server/runServerProcess.ts';

await runServerProcess(async (api) => (api.config.demo ? startDemo(api) : null));
