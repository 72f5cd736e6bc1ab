// The workflow bundle's entry point: every workflow type the worker registers (src/workflows/registry.ts lists them).
import type { RegisteredWorkflows } from './registry';
import { abTest } from './ab-test';
import { promoteModel } from './promote-model';
import { rollback } from './rollback';
import { guardModel } from './guard-model';

export { promoteModel, abTest, rollback, guardModel };

// A workflow missing here, exported under another name than its contract's type, or with another signature, fails
// to compile (the registry is the list the replay test and the worker's description read).
const _registered: RegisteredWorkflows = { promoteModel, abTest, rollback, guardModel };
