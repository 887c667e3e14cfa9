// `pnpm --filter @wxauth/ci lint` (turbo's lint task, so part of `pnpm test`): actionlint on every
// workflow in .github/workflows; a broken workflow fails here rather than on its first push.
import { lintWorkflows, workflowFiles } from './workflows.js';

const problems = await lintWorkflows();
for (const problem of problems) console.error(problem);
if (problems.length > 0) {
  console.error(`actionlint: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`actionlint: ${workflowFiles().join(', ')} clean`);
