import closeWithGrace from 'close-with-grace';
import { type App, buildApp } from './app.js';
import { loadConfig } from './config.js';

// The only file that listens: read the environment once, build, listen, stop cleanly on SIGTERM.
const fail = (what: string, error: unknown): never => {
  console.error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
};

let app: App;
try {
  const config = loadConfig();
  app = await buildApp(config);
  // SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close Redis (onClose), exit 0.
  // A shutdown that takes longer than the delay exits 1 rather than hanging the deployment.
  closeWithGrace(
    { delay: 10_000, logger: { error: (message: unknown) => app.log.error(message) } },
    async ({ signal, err }) => {
      if (err) app.log.error({ err }, 'shutting down after an unexpected error');
      else app.log.info({ signal }, 'shutting down');
      await app.close();
    },
  );
  await app.listen({ port: config.port, host: config.host });
} catch (error) {
  fail('wxauth server did not start', error);
}
