// The workflow bundle's entry point: every workflow type the worker registers.
export { promoteModel, promotionStatusQuery, approveUpdate } from './promote-model';
export { abTest, abTestStateQuery, stopAbTestUpdate, abortAbTestUpdate } from './ab-test';
export { rollback, rollbackStatusQuery } from './rollback';
